// Manual calls (POST /api/calls): the agent's endpoint is dialed first; when the agent answers, the
// customer is dialed from the chosen number; when the customer answers, the bridge is sent on the
// agent leg, as sessions do. When either leg ends the other is hung up and the agent is offline again.
#include <algorithm>

#include "dialer/common/log.hpp"
#include "dialer/common/time_format.hpp"
#include "contact_checks.hpp"
#include "engine_impl.hpp"

namespace dialer::engine {
using domain::agent_event;
using domain::call_action;
using domain::call_event_type;
using domain::call_status;

namespace {
error invalid(std::string field, std::string message) { return {errc::invalid_input, std::move(message), std::move(field)}; }
error conflict(std::string message) { return {errc::conflict, std::move(message), {}}; }

bool leg_up(const std::optional<store::call_record>& leg) {
  return leg && !leg->call_control_id.empty() && leg->state.status != call_status::ended;
}
}  // namespace

result<store::call_record> engine::place_manual_call(const manual_call_request& req) {
  auto& m = *impl_;
  auto agent_cfg = std::find_if(cfg_.agents.begin(), cfg_.agents.end(), [&](const auto& a) { return a.id == req.agent_id; });
  if (agent_cfg == cfg_.agents.end()) return error{errc::not_found, "agent '" + req.agent_id + "' not found", "agentId"};
  if (std::find(cfg_.numbers.begin(), cfg_.numbers.end(), req.from) == cfg_.numbers.end())
    return invalid("from", "must be one of the configured numbers (GET /api/numbers)");
  auto to = normalise_phone_field(req.to, "to", cfg_);
  if (!to) return to.err();
  if (db_.is_dnc(to.value())) return error{errc::conflict, "is on the do-not-call list", "to"};
  if (auto reopens = m.daily_cap_reopens_at(to.value()))
    return error{errc::conflict,
                 "was dialed " + std::to_string(*cfg_.compliance->max_calls_per_number_24h) +
                     " times in the last 24 h (compliance.max_calls_per_number_24h); it may be dialed again at " +
                     format_iso8601(from_unix_ms(*reopens)),
                 "to"};
  if (auto s = db_.active_session_of_agent(req.agent_id))
    return conflict("agent " + req.agent_id + " has an active session " + s->id);
  auto agent = db_.get_agent(req.agent_id);
  if (agent.state != domain::agent_state::offline || !agent.leg_call_id.empty())
    return conflict("agent " + req.agent_id + " is already on a call");
  if (agent.busy) return conflict("agent " + req.agent_id + " is marked busy");

  store::call_record leg;
  leg.id = m.ids_.next("call_");
  leg.kind = domain::call_kind::agent;
  leg.from = cfg_.dialing.agent_caller_id;
  leg.to = agent_cfg->endpoint;
  leg.command_id = random_uuid();
  leg.client_state = m.make_client_state(leg, 1);
  leg.started_at_ms = m.now_ms();

  store::call_record customer;
  customer.id = m.ids_.next("call_");
  customer.kind = domain::call_kind::manual;
  customer.contact_id = req.contact_id;
  customer.from = req.from;
  customer.to = to.value();
  // No command_id until the dial is really sent (when the agent answers): recovery after a restart
  // must not send a dial the agent never asked for.
  customer.client_state = m.make_client_state(customer, 1);
  customer.started_at_ms = leg.started_at_ms;

  agent.state = domain::apply(agent.state, agent_event::leg_dialed, false).next;
  agent.session_id.clear();
  agent.leg_call_id = leg.id;
  agent.talking_call_id = customer.id;
  agent.wrap_up_until_ms.reset();

  effects fx;
  auto tx = db_.begin();
  db_.insert_call(leg);
  db_.insert_call(customer);
  db_.insert_manual_call({customer.id, req.agent_id, leg.id, req.name});
  db_.put_agent(agent);
  tx.commit();
  log::info("engine", "manual call", {{"call", customer.id}, {"agent", req.agent_id}, {"agent_leg", leg.id},
                                      {"from", req.from}});
  fx.commands.push_back({effects::command::kind::dial, leg, {}});
  m.run(std::move(fx));
  return customer;
}

void engine::impl::apply_sessionless_event(store::call_record& call, const domain::call_transition& t, effects& fx) {
  if (call.direction == "inbound") apply_inbound_event(call, t, fx);
  else apply_manual_event(call, t, fx);
}

void engine::impl::apply_manual_event(store::call_record& call, const domain::call_transition& t, effects& fx) {
  auto mc = db_.find_manual_call(call.id);
  const bool agent_leg = mc && mc->agent_call_id == call.id;
  for (auto action : t.actions) {
    switch (action) {
      case call_action::route:
        if (!mc) break;
        if (agent_leg) {
          // The agent picked up: reserve them for this call and dial the customer (once).
          auto customer = db_.get_call(mc->call_id);
          if (!customer || customer->state.status == call_status::ended) {
            if (!call.call_control_id.empty()) fx.commands.push_back({effects::command::kind::hangup, call, {}});
            break;
          }
          auto agent = db_.get_agent(mc->agent_id);
          if (agent.leg_call_id == call.id) {
            agent.state = domain::apply(agent.state, agent_event::leg_answered, false).next;
            agent.state = domain::apply(agent.state, agent_event::reserve, false).next;
            db_.put_agent(agent);
          }
          if (!customer->command_id.empty()) break;  // dialed already (a repeated answer)
          customer->command_id = random_uuid();
          customer->started_at_ms = now_ms();
          db_.update_call(*customer);
          fx.commands.push_back({effects::command::kind::dial, *customer, {}});
          log::info("engine", "manual call: agent answered, dialing customer",
                    {{"call", customer->id}, {"agent", mc->agent_id}});
        } else {
          auto leg = db_.get_call(mc->agent_call_id);
          const bool bridge = leg_up(leg) && leg->state.status != call_status::dialing;
          auto r = domain::apply(call.state, event_at(bridge ? call_event_type::route_bridge : call_event_type::route_drop,
                                                      now_ms()));
          call.state = r.next;
          db_.update_call(call);
          if (bridge) {
            fx.commands.push_back({effects::command::kind::bridge, call, leg->call_control_id});
            log::info("engine", "manual call: bridging", {{"call", call.id}, {"agent", mc->agent_id}});
          } else if (!call.call_control_id.empty()) {
            fx.commands.push_back({effects::command::kind::hangup, call, {}});
          }
        }
        break;
      case call_action::send_bridge: break;  // queued above, where the agent leg is known
      case call_action::send_hangup:
        if (!call.call_control_id.empty()) fx.commands.push_back({effects::command::kind::hangup, call, {}});
        break;
      case call_action::start_message:
      case call_action::await_greeting_end: break;  // messages are for session calls only
      case call_action::finished: {
        log::info("engine", "call ended", {{"call", call.id}, {"kind", std::string(domain::to_string(call.kind))},
                                            {"outcome", std::string(domain::to_string(call.state.result))},
                                            {"cause", call.state.hangup_cause}});
        if (!mc) break;
        if (!agent_leg) emit_call_ended(call, nullptr, {}, fx);
        auto agent = db_.get_agent(mc->agent_id);
        if (agent.leg_call_id == mc->agent_call_id) {
          agent.state = domain::apply(agent.state, agent_event::leg_ended, false).next;
          agent.leg_call_id.clear();
          agent.talking_call_id.clear();
          db_.put_agent(agent);
        }
        end_sessionless_leg(agent_leg ? mc->call_id : mc->agent_call_id, fx);
        break;
      }
    }
  }
}

void engine::impl::end_sessionless_leg(const std::string& call_id, effects& fx) {
  auto leg = db_.get_call(call_id);
  if (!leg || leg->state.status == call_status::ended) return;
  apply_call_event(*leg, event_at(call_event_type::cancel, now_ms()), fx);
  // A customer leg that was never dialed has nothing to hang up: it ends here, cancelled.
  if (leg->state.status == call_status::dialing && leg->command_id.empty())
    apply_call_event(*leg, event_at(call_event_type::dial_failed, now_ms()), fx);
}

}  // namespace dialer::engine
