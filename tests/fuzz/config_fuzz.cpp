// libFuzzer target: config::parse over untrusted text. Exactly one of value/error comes back, and an
// error never quotes a secret (the API key and the API tokens come from the environment here).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "dialer/config/config.hpp"

namespace {
// Every *_env key resolves, so the env paths are fuzzed too.
constexpr const char* secret = "fuzz-secret-value-0123456789";
const char* any_env(const char*) { return secret; }

void check(bool ok) {
  if (!ok) std::abort();  // an oracle failed: libFuzzer saves the input as a crash
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace dialer;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto r = config::parse(text, any_env);
  check(r.value.has_value() != r.error.has_value());
  // (Unless the text itself holds it: an unknown key may be quoted back.)
  if (r.error && text.find(secret) == std::string_view::npos)
    check(r.error->to_string().find(secret) == std::string::npos);
  return 0;
}
