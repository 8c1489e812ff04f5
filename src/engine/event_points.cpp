// Where the engine's writes become live events: each helper writes one record (or reads what an event
// needs) and queues the event with emit(), inside the caller's transaction.
#include "dialer/engine/event_payloads.hpp"
#include "engine_impl.hpp"

namespace dialer::engine {

void engine::impl::save_session(const store::session_record& s, effects& fx) {
  db_.update_session(s);
  emit(fx, event_types::session_updated, s.id, session_updated_json(s, pacing_of(s, false)));
}

void engine::impl::save_item(const store::queue_item_record& q, effects& fx) {
  db_.update_item(q);
  emit(fx, event_types::queue_updated, q.session_id, queue_updated_json(q));
}

void engine::impl::emit_call_updated(const store::call_record& c, effects& fx) {
  emit(fx, event_types::call_updated, c.session_id, call_updated_json(c));
}

namespace {
// The agent a call belongs to: its session's, or the one who placed a manual call (whose name, as
// given to POST /api/calls, is the contact's). Empty for an inbound call.
std::string agent_of(store::store& db, const store::call_record& c, event_contact& who) {
  if (!c.session_id.empty()) {
    auto s = db.get_session(c.session_id);
    return s ? s->agent_id : std::string();
  }
  auto m = db.find_manual_call(c.id);
  if (!m) return {};
  if (who.name.empty()) who.name = m->name;
  return m->agent_id;
}
}  // namespace

void engine::impl::emit_call_connected(const store::call_record& c, effects& fx) {
  auto item = c.queue_item_id.empty() ? std::nullopt : db_.get_item(c.queue_item_id);
  auto who = contact_of(c, item ? &*item : nullptr);
  auto agent_id = agent_of(db_, c, who);
  emit(fx, event_types::call_connected, c.session_id, call_connected_json(c, who, agent_id));
}

void engine::impl::emit_call_ended(const store::call_record& c, const store::queue_item_record* item,
                                   const std::string& agent_id, effects& fx) {
  auto who = contact_of(c, item);
  // Without a session (a manual call) the agent is the one who placed it and the name the one given.
  const auto agent = c.session_id.empty() ? agent_of(db_, c, who) : agent_id;
  emit(fx, event_types::call_ended, c.session_id, call_ended_json(c, who, agent));
}

}  // namespace dialer::engine
