// Where the engine's writes become live events: each helper writes one record (or reads what an event
// needs) and queues the event with emit(), inside the caller's transaction.
#include "dialer/engine/event_payloads.hpp"
#include "engine_impl.hpp"

namespace dialer::engine {

void engine::impl::save_session(const store::session_record& s, effects& fx) {
  db_.update_session(s);
  emit(fx, event_types::session_updated, s.id, session_updated_json(s));
}

void engine::impl::save_item(const store::queue_item_record& q, effects& fx) {
  db_.update_item(q);
  emit(fx, event_types::queue_updated, q.session_id, queue_updated_json(q));
}

void engine::impl::emit_call_updated(const store::call_record& c, effects& fx) {
  emit(fx, event_types::call_updated, c.session_id, call_updated_json(c));
}

void engine::impl::emit_call_connected(const store::call_record& c, effects& fx) {
  auto item = c.queue_item_id.empty() ? std::nullopt : db_.get_item(c.queue_item_id);
  auto s = c.session_id.empty() ? std::nullopt : db_.get_session(c.session_id);
  std::string agent_id = s ? s->agent_id : std::string();
  emit(fx, event_types::call_connected, c.session_id, call_connected_json(c, contact_of(c, item ? &*item : nullptr), agent_id));
}

void engine::impl::emit_call_ended(const store::call_record& c, const store::queue_item_record* item, effects& fx) {
  auto s = c.session_id.empty() ? std::nullopt : db_.get_session(c.session_id);
  std::string agent_id = s ? s->agent_id : std::string();
  emit(fx, event_types::call_ended, c.session_id, call_ended_json(c, contact_of(c, item), agent_id));
}

}  // namespace dialer::engine
