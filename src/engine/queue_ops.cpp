// Queue item changes from the API: new priority or attempt limit, and removal (cancel).
#include "dialer/common/json.hpp"
#include "dialer/common/log.hpp"
#include "engine_impl.hpp"

namespace dialer::engine {
using domain::item_status;

namespace {
error not_found(const std::string& what) { return {errc::not_found, what + " not found", {}}; }
error conflict(const std::string& message) { return {errc::conflict, message, {}}; }
error invalid(std::string field, std::string message) { return {errc::invalid_input, std::move(message), std::move(field)}; }

std::string item_event_data(const store::queue_item_record& q) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  w.StartObject();
  w.Key("sessionId"); w.String(q.session_id);
  w.Key("itemId"); w.String(q.id);
  w.Key("status"); w.String(std::string(domain::to_string(q.state.status)));
  w.Key("priority"); w.Int(q.priority);
  w.Key("attempts"); w.Int(q.state.attempts);
  w.Key("maxAttempts"); w.Int(q.state.max_attempts);
  w.EndObject();
  return {buf.GetString(), buf.GetSize()};
}

// The item when it exists and belongs to the session, else the 404 to return.
result<store::queue_item_record> find_item(store::store& db, const std::string& session_id, const std::string& item_id) {
  if (!db.get_session(session_id)) return not_found("session");
  auto item = db.get_item(item_id);
  if (!item || item->session_id != session_id) return not_found("queue item");
  return *item;
}
}  // namespace

result<store::queue_item_record> engine::update_item(const std::string& session_id, const std::string& item_id,
                                                     const item_patch& patch) {
  auto& m = *impl_;
  auto found = find_item(db_, session_id, item_id);
  if (!found) return found.err();
  auto item = found.value();
  if (domain::is_terminal(item.state.status))
    return conflict("queue item is " + std::string(domain::to_string(item.state.status)));
  if (patch.priority) item.priority = *patch.priority;
  if (patch.max_attempts) {
    // A pending item needs an attempt left (else it would wait forever); a calling one has its
    // attempt counted already and is settled against the new limit when it ends.
    const int least = item.state.attempts + (item.state.status == item_status::pending ? 1 : 0);
    if (*patch.max_attempts < least)
      return invalid("maxAttempts", "must be at least " + std::to_string(least) + " (" +
                                        std::to_string(item.state.attempts) + " attempts already made)");
    item.state.max_attempts = *patch.max_attempts;
  }
  effects fx;
  auto tx = db_.begin();
  db_.update_item(item);
  m.emit(fx, "queue.updated", session_id, item_event_data(item));
  tx.commit();
  log::info("engine", "queue item updated", {{"session", session_id}, {"item", item_id},
                                             {"priority", std::to_string(item.priority)},
                                             {"max_attempts", std::to_string(item.state.max_attempts)}});
  fx.pump_sessions.insert(session_id);
  m.run(std::move(fx));
  return item;
}

result<store::queue_item_record> engine::cancel_item(const std::string& session_id, const std::string& item_id) {
  auto& m = *impl_;
  auto found = find_item(db_, session_id, item_id);
  if (!found) return found.err();
  auto item = found.value();
  const auto status = item.state.status;
  if (status == item_status::cancelled) return item;  // removing twice is not an error
  if (status == item_status::completed || status == item_status::failed)
    return conflict("queue item is " + std::string(domain::to_string(status)));
  auto next = domain::cancel(item.state);
  if (!next) return conflict("queue item has a call in progress; wait for it to end");
  item.state = *next;
  effects fx;
  auto tx = db_.begin();
  db_.update_item(item);
  m.emit(fx, "queue.updated", session_id, item_event_data(item));
  tx.commit();
  log::info("engine", "queue item cancelled", {{"session", session_id}, {"item", item_id}});
  fx.pump_sessions.insert(session_id);  // the last pending item removed may complete the session
  m.run(std::move(fx));
  return item;
}

}  // namespace dialer::engine
