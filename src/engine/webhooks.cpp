// Turning a verified Telnyx webhook into a call event: de-duplicate on data.id, find the attempt by
// call_control_id (else by client_state, for webhooks that overtake the dial's reply), apply, commit.
#include "dialer/common/log.hpp"
#include "dialer/engine/client_state.hpp"
#include "engine_impl.hpp"
#include "message_events.hpp"

namespace dialer::engine {
using domain::call_event;
using domain::call_event_type;
using telnyx::event_kind;

namespace {

domain::amd_result amd_from(const std::string& result) {
  if (result == "human" || result == "human_residence" || result == "human_business") return domain::amd_result::human;
  if (result == "machine" || result == "fax_detected" || result == "silence") return domain::amd_result::machine;
  return domain::amd_result::not_sure;
}

std::optional<call_event> to_call_event(const telnyx::webhook_event& ev, std::int64_t at_ms) {
  call_event e;
  e.at_ms = at_ms;
  switch (ev.kind) {
    case event_kind::call_initiated: e.type = call_event_type::initiated; return e;
    case event_kind::call_answered: e.type = call_event_type::answered; return e;
    case event_kind::call_bridged: e.type = call_event_type::bridged; return e;
    case event_kind::call_hangup:
      e.type = call_event_type::hangup;
      e.hangup_cause = ev.hangup_cause;
      e.sip_hangup_cause = ev.sip_hangup_cause;
      return e;
    case event_kind::machine_detection_ended:
      e.type = call_event_type::amd_detected;
      e.amd = amd_from(ev.result);
      return e;
    default: return message_call_event(ev, at_ms);  // speak, playback, greeting end (drop_messages.cpp)
  }
}

}  // namespace

webhook_outcome engine::handle_webhook(const telnyx::webhook_event& ev) { return impl_->apply_webhook(ev); }

webhook_outcome engine::impl::apply_webhook(const telnyx::webhook_event& ev) {
  auto& m = *this;
  effects fx;
  auto tx = db_.begin();
  if (!db_.record_webhook(ev.id, ev.event_type, ev.call_control_id, m.now_ms())) return webhook_outcome::duplicate;

  std::optional<store::call_record> call;
  if (!ev.call_control_id.empty()) call = db_.find_call_by_control_id(ev.call_control_id);
  if (!call) {
    auto id = call_id_from_client_state(ev.client_state);
    if (!id.empty()) call = db_.get_call(id);
    if (call && !call->call_control_id.empty() && !ev.call_control_id.empty() &&
        call->call_control_id != ev.call_control_id)
      call.reset();  // client_state copied onto another leg: not this attempt
    if (call && call->call_control_id.empty() && !ev.call_control_id.empty()) {
      call->call_control_id = ev.call_control_id;  // the webhook overtook the dial's reply
      db_.update_call(*call);
      // An attempt settled before we ever heard of its call (its dial reply and webhooks were lost
      // past the re-send window, or it was settled on restart): Telnyx placed it after all. It must
      // not ring on beside the contact's next attempt, so it is hung up.
      if (call->state.status == domain::call_status::ended && ev.kind != event_kind::call_hangup) {
        log::warn("engine", "hanging up a call placed after its attempt was settled",
                  {{"call", call->id}, {"call_control_id", ev.call_control_id}});
        fx.commands.push_back({effects::command::kind::hangup, *call, {}});
      }
    }
  }
  webhook_outcome result = webhook_outcome::unmatched;
  auto at_ms = ev.occurred_at ? to_unix_ms(*ev.occurred_at) : m.now_ms();
  // Calls we did not dial: an incoming call, and the new leg of a transfer (inbound_calls.cpp).
  if (!call && ev.kind == event_kind::call_initiated && ev.direction == "incoming")
    call = m.record_inbound_call(ev, at_ms, fx);
  if (!call && ev.kind == event_kind::call_hangup &&
      m.apply_transfer_leg_hangup(ev, call_id_from_client_state(ev.client_state), fx))
    result = webhook_outcome::applied;
  auto call_ev = to_call_event(ev, at_ms);
  if (!call_ev) {
    result = webhook_outcome::ignored;
  } else if (call) {
    m.apply_call_event(*call, *call_ev, fx);
    result = webhook_outcome::applied;
  }
  tx.commit();
  log::info("webhook", "received", {{"type", ev.event_type}, {"id", ev.id}, {"call_control_id", ev.call_control_id},
                                     {"call", call ? call->id : std::string()},
                                     {"result", result == webhook_outcome::applied ? "applied"
                                                : result == webhook_outcome::ignored ? "ignored" : "unmatched"}});
  m.run(std::move(fx));
  return result;
}

}  // namespace dialer::engine
