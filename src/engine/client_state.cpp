// Decoding our own client_state from a webhook: untrusted bytes (any signed body can carry any value).
#include "dialer/engine/client_state.hpp"

#include "dialer/common/json.hpp"
#include "dialer/telnyx/base64.hpp"

namespace dialer::engine {

std::string call_id_from_client_state(std::string_view client_state) {
  if (client_state.empty()) return {};
  auto decoded = telnyx::base64_decode(client_state);
  if (!decoded) return {};
  rapidjson::Document doc;
  // Iterative: any signed body can carry any client_state, and the default parser recurses per
  // nesting level (a deep one overflowed the stack).
  doc.Parse<rapidjson::kParseIterativeFlag>(decoded->data(), decoded->size());
  if (doc.HasParseError()) return {};
  return json::string_member(doc, "c");
}

}  // namespace dialer::engine
