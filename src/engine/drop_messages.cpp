// The recorded messages of SPEC §10: an answered call no agent can take hears the drop message
// (speak, or playback_start for an audio URL) and is hung up when it ends or times out; a machine gets
// the voicemail message after its beep. The call machine decides; this file sends and times.
#include <boost/asio/steady_timer.hpp>

#include <algorithm>

#include "dialer/common/log.hpp"
#include "dialer/engine/message_fields.hpp"
#include "engine_impl.hpp"
#include "message_events.hpp"

namespace dialer::engine {
using domain::call_event;
using domain::call_event_type;
using domain::message_kind;
using telnyx::event_kind;

std::optional<call_event> message_call_event(const telnyx::webhook_event& ev, std::int64_t at_ms) {
  call_event e;
  e.at_ms = at_ms;
  switch (ev.kind) {
    case event_kind::machine_greeting_ended: e.type = call_event_type::greeting_ended; return e;
    case event_kind::speak_started:
    case event_kind::playback_started: e.type = call_event_type::message_started; return e;
    case event_kind::speak_ended:
    case event_kind::playback_ended:
      e.type = call_event_type::message_ended;
      e.message_status = ev.result;  // payload.status
      return e;
    default: return std::nullopt;
  }
}

const config::message_settings* engine::impl::message_settings_for(message_kind kind) const {
  if (!cfg_.compliance) return nullptr;
  const auto& c = *cfg_.compliance;
  if (kind == message_kind::drop && c.drop_message) return &*c.drop_message;
  if (kind == message_kind::voicemail && c.voicemail_message) return &*c.voicemail_message;
  return nullptr;
}

call_event engine::impl::with_message_flag(const store::call_record& call, call_event ev) const {
  if (call.kind != domain::call_kind::customer || call.session_id.empty()) return ev;
  if (ev.type == call_event_type::route_drop) ev.with_message = message_settings_for(message_kind::drop) != nullptr;
  if (ev.type == call_event_type::amd_detected || ev.type == call_event_type::greeting_ended)
    ev.with_message = message_settings_for(message_kind::voicemail) != nullptr;
  return ev;
}

void engine::impl::drop_answered_call(store::call_record& call, effects& fx) {
  auto t = domain::apply(call.state, with_message_flag(call, event_at(call_event_type::route_drop, now_ms())));
  call.state = t.next;
  db_.update_call(call);
  for (auto action : t.actions) {
    if (action == domain::call_action::start_message) start_message(call, fx);
    if (action == domain::call_action::send_hangup && !call.call_control_id.empty())
      fx.commands.push_back({effects::command::kind::hangup, call, {}});
  }
}

void engine::impl::start_message(const store::call_record& call, effects& fx) {
  const auto& s = call.state;
  if (s.msg_phase == domain::message_phase::playing) {
    if (!call.call_control_id.empty()) fx.commands.push_back({effects::command::kind::message, call, {}});
    const auto delay = drop_message_delay_ms(s);
    log::info("engine", s.message == message_kind::drop ? "drop message" : "voicemail message",
              {{"call", call.id}, {"session", call.session_id},
               {"delay_ms", delay ? std::to_string(*delay) : std::string()}});
  }
  // Armed inside the transaction: if it rolls back, the timer finds no running message and does nothing.
  arm_message_timeout(call);
}

std::int64_t engine::impl::message_deadline_ms(const store::call_record& call) const {
  const auto* m = message_settings_for(call.state.message);
  return call.state.message_at_ms.value_or(now_ms()) + std::int64_t{m ? m->timeout_s : 30} * 1000;
}

void engine::impl::arm_message_timeout(const store::call_record& call) {
  const std::int64_t deadline = message_deadline_ms(call);
  auto& timer = message_timers_[call.id];
  if (!timer) timer = std::make_unique<net::steady_timer>(ex_);
  timer->expires_after(std::chrono::milliseconds(std::max<std::int64_t>(0, deadline - now_ms())));
  timer->async_wait([this, call_id = call.id, expiry = timer->expiry()](boost::system::error_code ec) {
    if (ec || stopping_) return;  // re-armed (the beep came) or shutting down
    // A wait that had already expired when the timer was re-armed still completes without an error:
    // only the wait for the timer's current expiry may act.
    auto it = message_timers_.find(call_id);
    if (it == message_timers_.end() || it->second->expiry() != expiry) return;
    guarded("message timeout", [&] { time_out_message(call_id); });
    message_timers_.erase(call_id);
  });
}

void engine::impl::time_out_message(const std::string& call_id) {
  auto call = db_.get_call(call_id);
  if (!call || !domain::message_running(call->state)) return;
  log::warn("engine", "message timed out, hanging up", {{"call", call_id}, {"session", call->session_id}});
  effects fx;
  auto tx = db_.begin();
  apply_call_event(*call, event_at(call_event_type::message_timeout, now_ms()), fx);
  tx.commit();
  run(std::move(fx));
}

awaitable<void> engine::impl::send_message(effects::command cmd) {
  const auto& c = cmd.call;
  const auto* m = message_settings_for(c.state.message);
  telnyx::command_result r;
  if (m && !m->audio_url.empty()) {
    telnyx::playback_request req;
    req.audio_url = m->audio_url;
    req.command_id = random_uuid();
    r = co_await telnyx_.playback_start(c.call_control_id, std::move(req));
  } else if (m) {
    telnyx::speak_request req;
    req.payload = m->text;
    req.voice = m->voice;
    req.language = m->language;
    req.command_id = random_uuid();
    r = co_await telnyx_.speak(c.call_control_id, std::move(req));
  }
  apply_reply_in_batch("message reply", [this, id = c.id, r] { on_message_reply(id, r); });
}

void engine::impl::on_message_reply(const std::string& call_id, const telnyx::command_result& r) {
  if (r.ok) return;  // call.speak.started / call.playback.started follow
  log::warn("engine", "message command failed, hanging up", {{"call", call_id}, {"error", r.summary()}});
  auto call = db_.get_call(call_id);
  if (!call) return;
  auto failed = event_at(call_event_type::message_ended, now_ms());
  failed.message_status = r.has_error_code("90018") ? "call_hangup" : "failed";
  effects fx;
  auto tx = db_.begin();
  apply_call_event(*call, failed, fx);
  tx.commit();
  run(std::move(fx));
}

bool engine::impl::sweep_message(store::call_record& call, std::int64_t now) {
  if (!domain::message_running(call.state)) return false;
  if (now >= message_deadline_ms(call) && !message_timers_.count(call.id)) time_out_message(call.id);
  return true;
}

void engine::impl::cancel_message_timers() {
  for (auto& [id, timer] : message_timers_) timer->cancel();
}

}  // namespace dialer::engine
