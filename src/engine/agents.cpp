// The agent's `busy` flag from the API (on another call, away): the next answered customer is dropped
// as agent busy instead of bridged, until the flag is cleared.
#include "dialer/common/log.hpp"
#include <algorithm>

#include "engine_impl.hpp"

namespace dialer::engine {

result<store::agent_record> engine::set_agent_busy(const std::string& agent_id, bool busy) {
  auto& m = *impl_;
  const bool known = std::any_of(cfg_.agents.begin(), cfg_.agents.end(), [&](const auto& a) { return a.id == agent_id; });
  if (!known) return error{errc::not_found, "agent not found", {}};
  auto tx = db_.begin();
  auto agent = db_.get_agent(agent_id);
  agent.id = agent_id;
  agent.busy = busy;
  db_.put_agent(agent);
  tx.commit();
  log::info("engine", busy ? "agent marked busy" : "agent no longer busy", {{"agent", agent_id}});
  effects fx;
  if (!busy && !agent.session_id.empty()) fx.pump_sessions.insert(agent.session_id);
  m.run(std::move(fx));
  return agent;
}

}  // namespace dialer::engine
