// Sending Telnyx commands after a transaction commits, and applying their replies.
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>

#include "dialer/common/log.hpp"
#include "engine_impl.hpp"

namespace dialer::engine {
using domain::call_event;
using domain::call_event_type;

void engine::impl::guarded(const char* what, const std::function<void()>& f) {
  try {
    f();
  } catch (const std::exception& e) {
    log::error("engine", "failed", {{"step", what}, {"error", e.what()}});
  }
}

void engine::impl::emit(effects& fx, std::string type, std::string session_id, std::string data_json) {
  const auto at = now_ms();
  if (crm_ && crm_pushes(type)) {
    const auto id = ids_.next("evt_");
    db_.insert_outbox(id, type, crm_event_body(id, type, at, data_json), at);
  }
  fx.events.push_back({0, std::move(type), std::move(session_id), at, std::move(data_json)});
}

void engine::impl::run(effects fx) {
  if (deferred_ != nullptr) {
    deferred_->push_back(std::move(fx));
    return;
  }
  if (!awaiting_disk_.empty()) {
    awaiting_disk later;
    later.deferred.push_back(std::move(fx));
    release_when_durable(std::move(later));
    return;
  }
  run_now(std::move(fx));
}

void engine::impl::run_now(effects fx) {
  if (crm_ && std::any_of(fx.events.begin(), fx.events.end(), [](const event& e) { return crm_pushes(e.type); }))
    crm_->notify();
  for (auto& ev : fx.events) events_.publish(std::move(ev));
  for (auto& cmd : fx.commands) net::co_spawn(ex_, send(std::move(cmd)), net::detached);
  for (auto& [agent_id, until] : fx.wrap_ups) arm_wrap_up(agent_id, until);
  for (const auto& c : fx.settled_counts) apply_settled_count(c);
  for (const auto& session_id : fx.pump_sessions) pump(session_id);
}

awaitable<void> engine::impl::send(effects::command cmd) {
  const auto& c = cmd.call;
  switch (cmd.type) {
    case effects::command::kind::dial: {
      telnyx::dial_request req;
      req.to = c.to;
      req.from = c.from;
      req.connection_id = cfg_.telnyx.connection_id;
      req.timeout_secs = cfg_.dialing.ring_timeout_s;
      req.client_state = c.client_state;
      req.command_id = c.command_id;
      if (c.kind == domain::call_kind::customer) req.answering_machine_detection = cfg_.dialing.machine_detection;
      req.webhook_url = cfg_.telnyx.webhook_url;
      for (;;) {
        telnyx::dial_request this_try = req;
        telnyx::dial_result r = co_await telnyx_.dial(std::move(this_try));
        // No reply (or a 5xx) after the client's retries does not mean "not dialed": Telnyx may have
        // placed the call. Settling it as failed freed the line and orphaned a ringing call (the
        // dial-reply-loss test found such calls), so keep re-sending with the same command_id while
        // Telnyx still de-duplicates it; the call's webhooks may settle it meanwhile.
        if (!r.result.ok && (r.result.transport_failure || r.result.http_status >= 500) && !stopping_) {
          auto fresh = db_.get_call(c.id);
          if (fresh && fresh->state.status == domain::call_status::dialing && fresh->call_control_id.empty() &&
              now_ms() - fresh->started_at_ms < dial_resend_window_ms) {
            log::warn("engine", "dial reply lost, re-sending with the same command_id",
                      {{"call", c.id}, {"command_id", c.command_id}, {"error", r.result.summary()}});
            net::steady_timer pause(ex_, std::chrono::seconds(1));
            co_await pause.async_wait(net::as_tuple(net::use_awaitable));
            continue;
          }
        }
        apply_reply_in_batch("dial reply", [this, id = c.id, r] { on_dial_reply(id, r); });
        break;
      }
      break;
    }
    case effects::command::kind::bridge: {
      auto r = co_await telnyx_.bridge(cmd.agent_leg_ccid, c.call_control_id, true, random_uuid());
      apply_reply_in_batch("bridge reply", [this, id = c.id, r] { on_bridge_reply(id, r); });
      break;
    }
    case effects::command::kind::hangup: {
      auto r = co_await telnyx_.hangup(c.call_control_id, random_uuid());
      apply_reply_in_batch("hangup reply", [this, id = c.id, r] { on_hangup_reply(id, r); });
      break;
    }
    case effects::command::kind::answer:
    case effects::command::kind::transfer:
    case effects::command::kind::reject: co_await send_inbound_command(std::move(cmd)); break;
    case effects::command::kind::message: co_await send_message(std::move(cmd)); break;
  }
}

void engine::impl::on_dial_reply(const std::string& call_id, const telnyx::dial_result& r) {
  auto call = db_.get_call(call_id);
  if (!call) return;
  effects fx;
  auto tx = db_.begin();
  call_event ev;
  ev.at_ms = now_ms();
  if (r.result.ok) {
    if (call->call_control_id.empty()) call->call_control_id = r.call_control_id;
    ev.type = call_event_type::dial_accepted;
  } else {
    ev.type = call_event_type::dial_failed;
    // 10016: "to" is not a valid number; the contact can never be reached on it.
    ev.permanent = r.result.has_error_code("10016");
    call->error_detail = r.result.summary();
    log::warn("engine", "dial refused", {{"call", call_id}, {"error", call->error_detail}});
  }
  apply_call_event(*call, ev, fx);
  tx.commit();
  run(std::move(fx));
}

void engine::impl::on_bridge_reply(const std::string& customer_call_id, const telnyx::command_result& r) {
  auto call = db_.get_call(customer_call_id);
  if (!call) return;
  effects fx;
  auto tx = db_.begin();
  if (r.ok) {
    apply_call_event(*call, event_at(call_event_type::bridged, now_ms()), fx);
  } else if (call->state.status == domain::call_status::bridged) {
    // call.bridged came first (a bridge re-sent after a restart can be refused for that): it stands.
    log::warn("engine", "bridge refused for a call already bridged", {{"call", customer_call_id}, {"error", r.summary()}});
  } else {
    log::warn("engine", "bridge failed", {{"call", customer_call_id}, {"error", r.summary()}});
    give_up_bridge(*call, fx);
  }
  tx.commit();
  run(std::move(fx));
}

void engine::impl::give_up_bridge(const store::call_record& customer, effects& fx) {
  // The customer or the agent leg is gone: free the agent and let the customer go (abandoned).
  if (auto s = db_.get_session(customer.session_id)) release_agent(s->agent_id, customer.id, fx);
  if (customer.state.status != domain::call_status::ended && !customer.call_control_id.empty())
    fx.commands.push_back({effects::command::kind::hangup, customer, {}});
}

void engine::impl::on_hangup_reply(const std::string& call_id, const telnyx::command_result& r) {
  if (!r.ok && !r.has_error_code("90018")) {
    log::warn("engine", "hangup failed", {{"call", call_id}, {"error", r.summary()}});
    return;  // the hangup webhook or the status check settles it
  }
  auto call = db_.get_call(call_id);
  if (!call) return;
  effects fx;
  auto tx = db_.begin();
  apply_call_event(*call, event_at(call_event_type::hangup_sent, now_ms()), fx);
  tx.commit();
  run(std::move(fx));
}

}  // namespace dialer::engine
