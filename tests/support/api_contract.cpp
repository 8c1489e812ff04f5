// Loading the API document and checking replies against it.
#include "api_contract.hpp"

#include <doctest/doctest.h>

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

reply checked_call(stack& s, http::verb method, const std::string& target, const std::string& body) {
  auto r = s.api(method, target, body);
  auto problems = contract_problems(method, target, r);
  CHECK_MESSAGE(problems.empty(), std::string(http::bhttp::to_string(method)) << " " << target << " -> " << r.status
                                                                               << ": " << joined(problems));
  return r;
}

std::string error_field(const reply& r) {
  auto doc = r.json();
  if (!doc.IsObject() || !doc.HasMember("error") || !doc["error"].IsObject() || !doc["error"].HasMember("field") ||
      !doc["error"]["field"].IsString())
    return {};
  return doc["error"]["field"].GetString();
}

}  // namespace dialer::test
