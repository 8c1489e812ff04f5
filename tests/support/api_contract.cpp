// Loading the API document and checking replies against it.
#include "api_contract.hpp"

#include <stdexcept>

namespace dialer::test {

const telnyx::openapi_validator& api_document() {
  static const std::unique_ptr<telnyx::openapi_validator> doc = [] {
    std::string error;
    auto v = telnyx::openapi_validator::load_file(std::string(DIALER_SOURCE_DIR) + "/config/dialer-api.openapi.json", &error);
    if (!v) throw std::runtime_error("config/dialer-api.openapi.json: " + error);
    return v;
  }();
  return *doc;
}

std::vector<std::string> contract_problems(http::verb method, const std::string& target, const reply& r) {
  const auto& doc = api_document();
  auto path = doc.match_path(target);
  if (!path) return {"path: " + target + " is not in the document"};
  return doc.validate_response(std::string(http::bhttp::to_string(method)), *path, r.status, r.body);
}

std::string joined(const std::vector<std::string>& problems) {
  std::string out;
  for (const auto& p : problems) out += (out.empty() ? "" : "; ") + p;
  return out;
}

}  // namespace dialer::test
