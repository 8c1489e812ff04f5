// The agent's availability during a session. Pure code.
//
// | event \ state     | offline    | connecting | ready    | talking       | wrap_up  |
// |-------------------|------------|------------|----------|---------------|----------|
// | leg_dialed        | connecting | -          | -        | -             | -        |
// | leg_answered      | ready      | ready      | -        | -             | -        |
// | reserve           | refused    | refused    | talking  | refused       | refused  |
// | customer_done     | -          | -          | -        | wrap_up/ready | -        |
// | wrap_up_done      | -          | -          | -        | -             | ready    |
// | leg_ended         | offline    | offline    | offline  | offline       | offline  |
// The `busy` flag (set through the API) makes a ready agent unavailable without changing its state.
#pragma once
#include "dialer/domain/types.hpp"

namespace dialer::domain {

// What happened to the agent.
enum class agent_event {
  leg_dialed,     // the agent's leg was dialed
  leg_answered,   // the agent picked up
  reserve,        // a customer answered and will be bridged to this agent
  customer_done,  // the bridged (or reserved) customer call ended
  wrap_up_done,   // wrap-up time is over
  leg_ended,      // the agent's leg hung up
};

struct agent_transition {
  agent_state next;
  bool accepted = false;  // false: not allowed now (reserve) or a no-op
};

// `wrap_up` says whether customer_done goes to wrap_up (wrap_up_s > 0) or straight to ready.
agent_transition apply(agent_state s, agent_event e, bool wrap_up);

// Ready and not flagged busy.
bool is_available(agent_state s, bool busy_flag);

}  // namespace dialer::domain
