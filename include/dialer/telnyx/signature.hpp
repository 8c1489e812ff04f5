// Telnyx webhook signatures: Ed25519 over "<telnyx-timestamp>|<raw body>" (see shared/telnyx/NOTES.md).
#pragma once
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "dialer/common/clock.hpp"

namespace dialer::telnyx {

// Why a signature was rejected, checked in this order.
enum class signature_error {
  none,                // valid
  missing_header,      // telnyx-signature-ed25519 or telnyx-timestamp absent
  bad_timestamp,       // not a decimal Unix time
  timestamp_outside,   // |now - timestamp| > tolerance
  bad_signature_encoding,  // not base64 or not 64 bytes
  invalid_signature,   // does not verify
};
const char* to_string(signature_error e);

// Verifies with one configured public key. Thread-compatible; verify() is const and reentrant.
class signature_verifier {
 public:
  // public_key_b64: base64 of the raw 32-byte key. Returns nullptr when it is not that.
  static std::unique_ptr<signature_verifier> from_base64(std::string_view public_key_b64,
                                                         std::chrono::seconds tolerance);
  ~signature_verifier();

  // signature_b64 / timestamp: the header values (empty string view when the header is missing);
  // body: the raw bytes as received. Returns the first failing check in signature_error's order
  // (a timestamp must be plain decimal digits; |now - timestamp| <= tolerance is accepted).
  signature_error verify(std::string_view signature_b64, std::string_view timestamp, std::string_view body,
                         sys_time now) const;

 private:
  struct impl;
  explicit signature_verifier(std::unique_ptr<impl> p);
  std::unique_ptr<impl> impl_;
};

// Signs like Telnyx does (used by telnyx-sim and tests).
class signature_signer {
 public:
  // A fresh random key pair.
  static std::unique_ptr<signature_signer> generate();
  // From the raw 32-byte seed, base64 (a libsodium 64-byte secret key's first 32 bytes); nullptr when invalid.
  static std::unique_ptr<signature_signer> from_seed_base64(std::string_view seed_b64);
  ~signature_signer();

  std::string public_key_base64() const;
  std::string seed_base64() const;
  // base64 signature of "<timestamp>|<body>" (deterministic, RFC 8032). Throws only if OpenSSL fails.
  std::string sign(std::string_view timestamp, std::string_view body) const;

 private:
  struct impl;
  explicit signature_signer(std::unique_ptr<impl> p);
  std::unique_ptr<impl> impl_;
};

}  // namespace dialer::telnyx
