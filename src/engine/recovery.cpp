// Recovery after a restart (SPEC §8). The store says what was decided; what the process had not yet
// sent when it stopped is lost with it, and Telnyx will never report on a command it never got. So every
// live call is brought back to where its state says it is: a dial written but maybe not sent is re-sent
// with its command_id; a bridge, hangup or message decided but not yet confirmed by its webhook is
// asked for again; message timers that died with the process are armed again. Repeats are harmless:
// Telnyx ignores a repeated command_id, answers a hangup of an ended call with 90018, and queues a
// second message behind the first (the first one's end hangs the call up).
#include "dialer/common/log.hpp"
#include "engine_impl.hpp"

namespace dialer::engine {
using domain::call_status;

void engine::recover() {
  auto& m = *impl_;
  // Lines in use are the live customer calls: rebuilt from the store so a restart never double-books
  // a caller number.
  m.rebuild_lines();
  int live = 0;
  for (const auto& [id, rt] : m.runtimes_) live += static_cast<int>(rt.lines.size());
  effects fx;
  auto tx = db_.begin();
  for (auto& call : db_.live_calls()) {
    if (call.call_control_id.empty()) m.recover_unsent_dial(call, fx);
    else m.resume_decided_command(call, fx);
  }
  tx.commit();
  m.run(std::move(fx));
  // Wrap-up ends on an in-memory timer: one running when the process stopped is armed again, or the
  // agent would stay in wrap_up for ever and every answered customer would be dropped as "agent busy".
  for (const auto& a : m.cfg_.agents) {
    auto agent = db_.get_agent(a.id);
    if (agent.state == domain::agent_state::wrap_up && agent.wrap_up_until_ms)
      m.arm_wrap_up(agent.id, *agent.wrap_up_until_ms);
  }
  auto active = db_.active_sessions();
  log::info("engine", "recovered", {{"active_sessions", std::to_string(active.size())},
                                    {"live_customer_calls", std::to_string(live)}});
  m.pump_all();  // every session's first dials in one commit
  m.arm_status_checks();
  if (m.crm_) m.crm_->start();  // resumes deliveries left pending by the last run
}

void engine::impl::recover_unsent_dial(store::call_record& call, effects& fx) {
  if (call.state.status != call_status::dialing) return;
  if (call.command_id.empty()) return;  // a manual call's customer, dialed once its agent answers
  // The process stopped between writing the attempt and hearing the dial's reply. Telnyx ignores a
  // repeated command_id for 60 s, so a young attempt is re-sent as it was; an older one cannot be
  // re-sent safely and is settled as failed (its late webhooks, if any, find it ended).
  if (now_ms() - call.started_at_ms < 50'000) {
    fx.commands.push_back({effects::command::kind::dial, call, {}});
  } else {
    apply_call_event(call, domain::event_at(domain::call_event_type::dial_failed, now_ms()), fx);
  }
}

void engine::impl::resume_decided_command(store::call_record& call, effects& fx) {
  const auto& s = call.state;
  if (domain::message_running(s)) {
    // Its timer died with the process; one already past its deadline fires at once and hangs up.
    if (s.msg_phase == domain::message_phase::playing && !s.message_played && now_ms() < message_deadline_ms(call))
      fx.commands.push_back({effects::command::kind::message, call, {}});
    arm_message_timeout(call);
    log::info("engine", "message resumed after restart", {{"call", call.id}, {"played", s.message_played ? "yes" : "no"}});
    return;
  }
  if (domain::hangup_unconfirmed(s)) {
    fx.commands.push_back({effects::command::kind::hangup, call, {}});
    log::info("engine", "hangup re-sent after restart", {{"call", call.id}});
    return;
  }
  if (s.status != call_status::answered || s.route != domain::routing::bridging) return;
  auto leg = bridge_leg_for(call);
  if (!leg) {
    give_up_bridge(call, fx);
    return;
  }
  fx.commands.push_back({effects::command::kind::bridge, call, leg->call_control_id});
  log::info("engine", "bridge re-sent after restart", {{"call", call.id}, {"agent_leg", leg->id}});
}

std::optional<store::call_record> engine::impl::bridge_leg_for(const store::call_record& customer) {
  std::string leg_id;
  if (auto mc = db_.find_manual_call(customer.id)) {
    leg_id = mc->agent_call_id;
  } else if (auto session = db_.get_session(customer.session_id)) {
    auto agent = db_.get_agent(session->agent_id);
    if (agent.talking_call_id == customer.id) leg_id = agent.leg_call_id;
  }
  if (leg_id.empty()) return std::nullopt;
  auto leg = db_.get_call(leg_id);
  if (!leg || leg->call_control_id.empty() || leg->state.status == call_status::ended) return std::nullopt;
  return leg;
}

}  // namespace dialer::engine
