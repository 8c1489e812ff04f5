// The agent state machine; see the table in agent_machine.hpp.
#include "dialer/domain/agent_machine.hpp"

namespace dialer::domain {

agent_transition apply(agent_state s, agent_event e, bool wrap_up) {
  switch (e) {
    case agent_event::leg_dialed:
      if (s == agent_state::offline) return {agent_state::connecting, true};
      break;
    case agent_event::leg_answered:
      if (s == agent_state::offline || s == agent_state::connecting) return {agent_state::ready, true};
      break;
    case agent_event::reserve:
      if (s == agent_state::ready) return {agent_state::talking, true};
      break;
    case agent_event::customer_done:
      if (s == agent_state::talking) return {wrap_up ? agent_state::wrap_up : agent_state::ready, true};
      break;
    case agent_event::wrap_up_done:
      if (s == agent_state::wrap_up) return {agent_state::ready, true};
      break;
    case agent_event::leg_ended:
      if (s != agent_state::offline) return {agent_state::offline, true};
      break;
  }
  return {s, false};
}

bool is_available(agent_state s, bool busy_flag) { return s == agent_state::ready && !busy_flag; }

}  // namespace dialer::domain
