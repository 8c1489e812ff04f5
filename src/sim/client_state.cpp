// client_state decoding; every field is optional and type-checked, because the sim must accept any
// client_state a real Telnyx would echo.
#include "dialer/sim/client_state.hpp"

#include "dialer/common/json.hpp"
#include "dialer/telnyx/base64.hpp"

namespace dialer::sim {

namespace {
std::string string_member(const rapidjson::Value& o, const char* key) {
  auto it = o.FindMember(key);
  if (it == o.MemberEnd()) return {};
  if (it->value.IsString()) return it->value.GetString();
  if (it->value.IsInt64()) return std::to_string(it->value.GetInt64());
  return {};
}
}  // namespace

client_state_info decode_client_state(std::string_view client_state_b64) {
  client_state_info info;
  if (client_state_b64.empty()) return info;
  info.present = true;
  auto text = telnyx::base64_decode(client_state_b64);
  if (!text) return info;
  rapidjson::Document doc;
  doc.Parse(text->data(), text->size());
  if (doc.HasParseError() || !doc.IsObject()) return info;
  info.decoded = true;
  info.raw_json = *text;
  info.session_id = string_member(doc, "s");
  info.queue_item = string_member(doc, "q");
  info.call_id = string_member(doc, "c");
  info.kind = string_member(doc, "k");
  if (auto it = doc.FindMember("a"); it != doc.MemberEnd() && it->value.IsInt()) info.attempt = it->value.GetInt();
  return info;
}

}  // namespace dialer::sim
