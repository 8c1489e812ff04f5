// Applying one event to one call inside an open transaction: the domain machine decides, this file
// writes the call, its queue item, the session statistics and the agent, and collects the effects.
#include <boost/asio/steady_timer.hpp>

#include "dialer/common/log.hpp"
#include "dialer/engine/event_payloads.hpp"
#include "engine_impl.hpp"

namespace dialer::engine {
using domain::agent_event;
using domain::call_action;
using domain::call_event;
using domain::call_event_type;
using domain::call_kind;

void engine::impl::apply_call_event(store::call_record& call, const call_event& ev, effects& fx) {
  auto t = domain::apply(call.state, with_message_flag(call, ev));
  if (!t.changed && t.actions.empty()) return;
  const auto before = call.state.status;
  const bool played_before = call.state.message_played;
  call.state = t.next;
  db_.update_call(call);
  if (call.state.status != before || call.state.message_played != played_before) emit_call_updated(call, fx);
  if (call.state.status != before && call.state.status == domain::call_status::bridged && call.kind != call_kind::agent)
    emit_call_connected(call, fx);
  if (call.session_id.empty()) {  // manual and inbound calls: manual_calls.cpp
    apply_sessionless_event(call, t, fx);
    return;
  }
  if (call.kind == call_kind::agent) {
    apply_agent_leg_event(call, t, fx);
    return;
  }
  if (t.person_answered_now && call.kind == call_kind::customer) {
    auto s = db_.get_session(call.session_id);
    auto item = db_.get_item(call.queue_item_id);
    if (s && item) {
      s->stats.human_answers += 1;
      auto m = domain::mark_answered(item->state);
      if (m.changed) {
        item->state = m.next;
        s->stats.answered += 1;
        save_item(*item, fx);
      }
      save_session(*s, fx);
    }
  }
  for (auto action : t.actions) {
    switch (action) {
      case call_action::route: route_answered(call, fx); break;
      case call_action::send_bridge: break;  // queued by route_answered, which knows the agent leg
      case call_action::send_hangup:
        if (!call.call_control_id.empty()) fx.commands.push_back({effects::command::kind::hangup, call, {}});
        break;
      case call_action::finished: settle_customer_call(call, fx); break;
      case call_action::start_message:
      case call_action::await_greeting_end: start_message(call, fx); break;
    }
  }
}

void engine::impl::route_answered(store::call_record& call, effects& fx) {
  auto s = db_.get_session(call.session_id);
  if (!s) return;
  auto agent = db_.get_agent(s->agent_id);
  std::optional<store::call_record> leg;
  if (!agent.leg_call_id.empty()) leg = db_.get_call(agent.leg_call_id);
  const bool leg_up = leg && !leg->call_control_id.empty() && leg->state.status != domain::call_status::ended;
  auto reserve = domain::apply(agent.state, agent_event::reserve, cfg_.dialing.wrap_up_s > 0);
  if (leg_up && !agent.busy && reserve.accepted) {
    // Reserve the agent before the bridge is sent: a second answer now finds the agent talking.
    agent.state = reserve.next;
    agent.talking_call_id = call.id;
    db_.put_agent(agent);
    auto t = domain::apply(call.state, event_at(call_event_type::route_bridge, now_ms()));
    call.state = t.next;
    db_.update_call(call);
    fx.commands.push_back({effects::command::kind::bridge, call, leg->call_control_id});
    log::info("engine", "bridging", {{"session", s->id}, {"call", call.id}, {"agent", agent.id}});
    return;
  }
  drop_answered_call(call, fx);  // drop_messages.cpp: the drop message, or a silent hang-up
  log::info("engine", "dropping answered call, agent busy",
            {{"session", s->id}, {"call", call.id}, {"agent_state", std::string(domain::to_string(agent.state))}});
}

void engine::impl::settle_customer_call(store::call_record& call, effects& fx) {
  const auto o = call.state.result;
  log::info("engine", "call ended", {{"call", call.id}, {"session", call.session_id},
                                      {"outcome", std::string(domain::to_string(o))},
                                      {"cause", call.state.hangup_cause}});
  auto s = db_.get_session(call.session_id);
  if (!s) {
    emit_call_ended(call, nullptr, {}, fx);  // not a session's call (manual, inbound)
    return;
  }
  auto& rt = runtime(s->id);
  if (auto it = rt.lines.find(call.from); it != rt.lines.end() && it->second == call.id) rt.lines.erase(it);
  release_agent(s->agent_id, call.id, fx);

  auto item = db_.get_item(call.queue_item_id);
  if (item) {
    auto t = domain::settle(item->state, o, false, now_ms(), std::int64_t{cfg_.dialing.retry_delay_s} * 1000);
    if (t.changed) {
      item->state = t.next;
      // A retried item goes to the back of the queue; a boosted one is ordered by its boost.
      if (item->state.status == domain::item_status::pending && o != domain::outcome::cancelled)
        item->seq = db_.next_seq(s->id);
      save_item(*item, fx);
    }
  }
  auto& k = s->stats;
  if (domain::counts_as_no_answer(o)) k.no_answer += 1;
  if (o == domain::outcome::connected) {
    k.connected += 1;
    k.talk_ms += call.state.talk_ms();
  }
  if (o == domain::outcome::dropped_agent_busy) k.dropped += 1;
  if (o == domain::outcome::machine) k.machine += 1;
  count_settled_call(*s, call, fx);  // the campaign's 30-day abandon tally (pacing.cpp)
  save_session(*s, fx);
  if (o == domain::outcome::dropped_agent_busy && item)
    emit(fx, event_types::call_dropped, s->id, call_dropped_json(call, contact_of(call, &*item), *item));
  emit_call_ended(call, item ? &*item : nullptr, s->agent_id, fx);
  fx.pump_sessions.insert(s->id);
}

void engine::impl::release_agent(const std::string& agent_id, const std::string& call_id, effects& fx) {
  auto agent = db_.get_agent(agent_id);
  if (agent.talking_call_id != call_id) return;
  auto t = domain::apply(agent.state, agent_event::customer_done, cfg_.dialing.wrap_up_s > 0);
  agent.state = t.next;
  agent.talking_call_id.clear();
  if (agent.state == domain::agent_state::wrap_up) {
    agent.wrap_up_until_ms = now_ms() + std::int64_t{cfg_.dialing.wrap_up_s} * 1000;
    fx.wrap_ups.emplace_back(agent.id, *agent.wrap_up_until_ms);
  }
  db_.put_agent(agent);
}

void engine::impl::apply_agent_leg_event(store::call_record& call, const domain::call_transition& t,
                                         effects& fx) {
  auto s = db_.get_session(call.session_id);
  if (!s) return;
  auto agent = db_.get_agent(s->agent_id);
  if (agent.leg_call_id != call.id) return;  // an old leg of this agent
  for (auto action : t.actions) {
    if (action == call_action::route) {
      agent.state = domain::apply(agent.state, agent_event::leg_answered, false).next;
      db_.put_agent(agent);
      log::info("engine", "agent ready", {{"session", s->id}, {"agent", agent.id}});
      fx.pump_sessions.insert(s->id);
    } else if (action == call_action::send_hangup && !call.call_control_id.empty()) {
      fx.commands.push_back({effects::command::kind::hangup, call, {}});
    } else if (action == call_action::finished) {
      agent.state = domain::agent_state::offline;
      agent.leg_call_id.clear();
      agent.talking_call_id.clear();
      if (s->status != domain::session_status::running && s->status != domain::session_status::paused)
        agent.session_id.clear();
      db_.put_agent(agent);
      if (s->status == domain::session_status::running && call.state.hangup_cause == "time_limit") {
        // Telnyx ends every leg at time_limit_secs, at most 4 h: a longer calling day goes on with a
        // new agent leg (the lines wait for it to be answered, as at the start), not paused.
        log::info("engine", "agent leg reached Telnyx's time limit, dialing the agent again",
                  {{"session", s->id}, {"agent", agent.id}, {"call", call.id}});
        place_agent_dial(*s, fx);
        save_session(*s, fx);
        agent = db_.get_agent(s->agent_id);  // place_agent_dial wrote the new leg
      } else if (s->status == domain::session_status::running) {
        s->status = domain::session_status::paused;
        s->pause_reason = "agent_left";
        save_session(*s, fx);
        log::warn("engine", "agent left, session paused", {{"session", s->id}, {"agent", agent.id}});
      }
    }
  }
}

void engine::impl::cancel_live_calls(const std::string& session_id, effects& fx, bool include_agent_leg) {
  for (auto& call : db_.live_calls_of_session(session_id)) {
    if (call.kind == call_kind::agent && !include_agent_leg) continue;
    apply_call_event(call, event_at(call_event_type::cancel, now_ms()), fx);
  }
}

void engine::impl::arm_wrap_up(const std::string& agent_id, std::int64_t until_ms) {
  auto& timer = wrap_up_timers_[agent_id];
  if (!timer) timer = std::make_unique<net::steady_timer>(ex_);
  timer->expires_after(std::chrono::milliseconds(std::max<std::int64_t>(0, until_ms - now_ms())));
  timer->async_wait([this, agent_id](boost::system::error_code ec) {
    if (ec || stopping_) return;
    guarded("wrap-up end", [&] {
      auto agent = db_.get_agent(agent_id);
      auto t = domain::apply(agent.state, agent_event::wrap_up_done, false);
      if (!t.accepted) return;
      agent.state = t.next;
      agent.wrap_up_until_ms.reset();
      db_.put_agent(agent);
      if (!agent.session_id.empty()) pump(agent.session_id);
    });
  });
}

}  // namespace dialer::engine
