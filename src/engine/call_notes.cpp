// Notes and disposition from the agent's call dialog, kept on the call row and sent as `call.updated`.
#include "dialer/common/json.hpp"
#include "dialer/common/log.hpp"
#include "engine_impl.hpp"

namespace dialer::engine {
namespace {
std::string call_notes_event_data(const store::call_record& c) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  auto str_or_null = [&](const char* key, const std::string& v) {
    w.Key(key);
    if (v.empty()) w.Null(); else w.String(v);
  };
  w.StartObject();
  w.Key("callId"); w.String(c.id);
  str_or_null("sessionId", c.session_id);
  str_or_null("queueItemId", c.queue_item_id);
  str_or_null("contactId", c.contact_id);
  w.Key("status"); w.String(std::string(domain::to_string(c.state.status)));
  str_or_null("outcome", std::string(domain::to_string(c.state.result)));
  str_or_null("notes", c.notes);
  str_or_null("disposition", c.disposition);
  w.EndObject();
  return {buf.GetString(), buf.GetSize()};
}
}  // namespace

result<store::call_record> engine::update_call(const std::string& call_id, const call_patch& patch) {
  auto& m = *impl_;
  auto call = db_.get_call(call_id);
  if (!call) return error{errc::not_found, "call not found", {}};
  if (patch.notes) call->notes = *patch.notes;
  if (patch.disposition) call->disposition = *patch.disposition;
  effects fx;
  auto tx = db_.begin();
  db_.update_call(*call);
  m.list_if_do_not_call(*call);
  m.emit(fx, "call.updated", call->session_id, call_notes_event_data(*call));
  tx.commit();
  // The notes themselves stay out of the log: they may hold personal data.
  log::info("engine", "call notes updated", {{"call", call_id}, {"disposition", call->disposition}});
  m.run(std::move(fx));
  return *call;
}

}  // namespace dialer::engine
