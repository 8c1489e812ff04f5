// Inbound calls to one of the configured numbers: recorded as a call row (direction inbound, kind
// manual), then answered and transferred to inbound.forward_to, or rejected with USER_BUSY when it
// is not set. The call machine tracks the row like any other: bridged (transfer answered) then hung
// up is `connected` with its talk time; a rejected call ends `rejected` (or `busy`, by its cause).
#include <boost/asio/co_spawn.hpp>

#include <algorithm>

#include "dialer/common/json.hpp"
#include "dialer/common/log.hpp"
#include "dialer/telnyx/base64.hpp"
#include "engine_impl.hpp"

namespace dialer::engine {
using domain::call_action;
using domain::call_event_type;
using domain::call_status;

namespace {
constexpr const char* reject_cause = "USER_BUSY";

// The client_state of a transfer's new leg: the inbound call's id, so its webhooks lead back to it.
std::string transfer_leg_state(const store::call_record& inbound) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  w.StartObject();
  w.Key("c"); w.String(inbound.id);
  w.Key("k"); w.String("transfer");
  w.EndObject();
  return telnyx::base64_encode(std::string_view(buf.GetString(), buf.GetSize()));
}
}  // namespace

std::optional<store::call_record> engine::impl::record_inbound_call(const telnyx::webhook_event& ev,
                                                                    std::int64_t at_ms, effects& fx) {
  if (ev.call_control_id.empty()) return std::nullopt;
  if (std::find(cfg_.numbers.begin(), cfg_.numbers.end(), ev.to) == cfg_.numbers.end()) {
    log::info("engine", "incoming call to a number that is not configured, ignored", {{"to", ev.to}});
    return std::nullopt;
  }
  store::call_record c;
  c.id = ids_.next("call_");
  c.direction = "inbound";
  c.kind = domain::call_kind::manual;
  c.from = ev.from;
  c.to = ev.to;
  c.call_control_id = ev.call_control_id;
  c.started_at_ms = at_ms;
  c.state.status = call_status::ringing;
  db_.insert_call(c);
  const bool forward = !cfg_.inbound.forward_to.empty();
  if (forward) fx.commands.push_back({effects::command::kind::answer, c, {}});
  else fx.commands.push_back({effects::command::kind::reject, c, {}, reject_cause});
  log::info("engine", "inbound call", {{"call", c.id}, {"to", c.to}, {"action", forward ? "forward" : "reject"}});
  return c;
}

void engine::impl::apply_inbound_event(store::call_record& call, const domain::call_transition& t, effects& fx) {
  for (auto action : t.actions) {
    switch (action) {
      case call_action::route: {
        // Answered: hand the caller over to forward_to. Without it the call was rejected, not answered.
        if (cfg_.inbound.forward_to.empty()) {
          fx.commands.push_back({effects::command::kind::hangup, call, {}});
          break;
        }
        call.state = domain::apply(call.state, event_at(call_event_type::route_bridge, now_ms())).next;
        db_.update_call(call);
        fx.commands.push_back({effects::command::kind::transfer, call, {}, cfg_.inbound.forward_to});
        log::info("engine", "inbound call: transferring", {{"call", call.id}});
        break;
      }
      case call_action::send_bridge: break;  // the transfer bridges on its own
      case call_action::send_hangup: fx.commands.push_back({effects::command::kind::hangup, call, {}}); break;
      case call_action::start_message:
      case call_action::await_greeting_end: break;  // messages are for session calls only
      case call_action::finished:
        log::info("engine", "inbound call ended", {{"call", call.id},
                                                    {"outcome", std::string(domain::to_string(call.state.result))},
                                                    {"cause", call.state.hangup_cause}});
        emit_call_ended(call, nullptr, {}, fx);
        break;
    }
  }
}

bool engine::impl::apply_transfer_leg_hangup(const telnyx::webhook_event& ev, const std::string& client_state_call_id,
                                             effects& fx) {
  if (client_state_call_id.empty()) return false;
  auto inbound = db_.get_call(client_state_call_id);
  if (!inbound || inbound->direction != "inbound" || inbound->call_control_id == ev.call_control_id) return false;
  // Bridged means the transfer was answered: the caller's own hangup follows. Still answered means
  // the destination never answered, and the caller would be left in silence.
  if (inbound->state.status == call_status::answered) {
    log::info("engine", "inbound call: transfer not answered, hanging up",
              {{"call", inbound->id}, {"cause", ev.hangup_cause}});
    fx.commands.push_back({effects::command::kind::hangup, *inbound, {}});
  }
  return true;
}

awaitable<void> engine::impl::send_inbound_command(effects::command cmd) {
  const auto call = cmd.call;
  telnyx::command_result r;
  if (cmd.type == effects::command::kind::answer) {
    r = co_await telnyx_.answer(call.call_control_id, random_uuid());
  } else if (cmd.type == effects::command::kind::transfer) {
    telnyx::transfer_request req;
    req.to = cmd.target;
    req.timeout_secs = cfg_.dialing.ring_timeout_s;
    req.target_leg_client_state = transfer_leg_state(call);
    req.command_id = random_uuid();
    r = co_await telnyx_.transfer(call.call_control_id, std::move(req));
  } else {
    r = co_await telnyx_.reject(call.call_control_id, cmd.target, random_uuid());
  }
  if (r.ok || r.has_error_code("90018")) co_return;  // 90018: the caller already hung up
  log::warn("engine", "inbound call command failed", {{"call", call.id}, {"error", r.summary()}});
  if (cmd.type == effects::command::kind::reject) co_return;  // the caller's hangup or the status check settles it
  // An answer or transfer that failed leaves the caller waiting for nothing: hang up.
  guarded("inbound command reply", [&] {
    auto fresh = db_.get_call(call.id);
    if (!fresh || fresh->state.status == call_status::ended) return;
    effects fx;
    fx.commands.push_back({effects::command::kind::hangup, *fresh, {}});
    run(std::move(fx));
  });
}

}  // namespace dialer::engine
