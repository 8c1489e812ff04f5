// libFuzzer target: the CRM API's request bodies (create session, patch session, add contacts) from
// untrusted bytes. Each parser must return a value or an error naming a field, never crash or throw.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "dialer/api/request_bodies.hpp"

namespace {
void check(bool ok) {
  if (!ok) std::abort();  // an oracle failed: libFuzzer saves the input as a crash
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace dialer;
  std::string_view body(reinterpret_cast<const char*>(data), size);

  if (auto r = api::parse_create_session(body)) {
    for (const auto& c : r.value().contacts) check(c.phone.size() <= 32);
  } else {
    check(r.err().code == engine::errc::invalid_input && !r.err().message.empty());
  }
  if (auto r = api::parse_session_patch(body)) {
    // One change per request: an action never comes with settings.
    const auto& p = r.value();
    check(!(p.action && (p.concurrent_lines || p.selected_numbers)));
  } else {
    check(r.err().code == engine::errc::invalid_input && !r.err().message.empty());
  }
  if (auto r = api::parse_add_contacts(body)) {
    for (const auto& c : r.value()) check(c.phone.size() <= 32);
  } else {
    check(r.err().code == engine::errc::invalid_input && !r.err().message.empty());
  }
  return 0;
}
