// libFuzzer target: a Telnyx webhook delivery from the signature check through parse_webhook to what
// the engine reads from the parsed event (client_state, occurred_at, event kind).
//
// Input: "<signature>\x1e<timestamp>\x1e<body>" fuzzes the header checks too; an input without two
// \x1e separators is a body, signed here with a fixed key, which must verify (round-trip oracle).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "dialer/common/time_format.hpp"
#include "dialer/engine/client_state.hpp"
#include "dialer/telnyx/signature.hpp"
#include "dialer/telnyx/webhook_event.hpp"

namespace {
using namespace dialer;

// Fixed so every run is reproducible: a 32-byte seed, and "now" equal to the signing timestamp.
constexpr std::string_view seed_b64 = "nWGxne/9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A=";
constexpr std::string_view timestamp = "1764000000";
const sys_time now{std::chrono::seconds{1764000000}};

struct keys {
  std::unique_ptr<telnyx::signature_signer> signer = telnyx::signature_signer::from_seed_base64(seed_b64);
  std::unique_ptr<telnyx::signature_verifier> verifier =
      telnyx::signature_verifier::from_base64(signer->public_key_base64(), std::chrono::seconds{300});
};

void check(bool ok) {
  if (!ok) std::abort();  // an oracle failed: libFuzzer saves the input as a crash
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const keys k;
  std::string_view input(reinterpret_cast<const char*>(data), size);
  std::string_view body = input;
  auto first = input.find('\x1e');
  auto second = first == std::string_view::npos ? first : input.find('\x1e', first + 1);
  if (second != std::string_view::npos) {
    body = input.substr(second + 1);
    k.verifier->verify(input.substr(0, first), input.substr(first + 1, second - first - 1), body, now);
  } else {
    check(k.verifier->verify(k.signer->sign(timestamp, body), timestamp, body, now) == telnyx::signature_error::none);
  }

  auto parsed = telnyx::parse_webhook(body);
  check(parsed.event.has_value() != !parsed.error.empty());  // exactly one of event / error
  if (!parsed.event) return 0;
  const auto& ev = *parsed.event;
  check(ev.kind == telnyx::event_kind_from_type(ev.event_type));
  // What engine::handle_webhook reads beyond the fields themselves.
  (void)engine::call_id_from_client_state(ev.client_state);
  for (const auto& t : {ev.occurred_at, ev.start_time, ev.end_time}) {
    if (t) (void)to_unix_ms(*t), (void)format_iso8601(*t);
  }
  return 0;
}
