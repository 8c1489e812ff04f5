// Ed25519 webhook signature verification and signing on OpenSSL 3 raw keys.
#include "dialer/telnyx/signature.hpp"

#include <openssl/evp.h>

#include <charconv>
#include <cstdint>
#include <stdexcept>

#include "dialer/telnyx/base64.hpp"

namespace dialer::telnyx {
namespace {
struct pkey_deleter {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct md_ctx_deleter {
  void operator()(EVP_MD_CTX* p) const { EVP_MD_CTX_free(p); }
};
struct pkey_ctx_deleter {
  void operator()(EVP_PKEY_CTX* p) const { EVP_PKEY_CTX_free(p); }
};
using pkey_ptr = std::unique_ptr<EVP_PKEY, pkey_deleter>;
using md_ctx_ptr = std::unique_ptr<EVP_MD_CTX, md_ctx_deleter>;
using pkey_ctx_ptr = std::unique_ptr<EVP_PKEY_CTX, pkey_ctx_deleter>;

constexpr std::size_t key_bytes = 32;
constexpr std::size_t signature_bytes = 64;

const unsigned char* bytes_of(std::string_view s) { return reinterpret_cast<const unsigned char*>(s.data()); }

std::string signed_message(std::string_view timestamp, std::string_view body) {
  std::string m;
  m.reserve(timestamp.size() + 1 + body.size());
  m.append(timestamp).push_back('|');
  m.append(body);
  return m;
}

// Strictly decimal digits (an optional leading '-' for clocks before 1970 is not something Telnyx sends).
std::optional<std::int64_t> parse_unix_seconds(std::string_view text) {
  if (text.empty() || text.size() > 18) return std::nullopt;
  std::int64_t v = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc{} || ptr != text.data() + text.size() || text.front() == '-' || text.front() == '+')
    return std::nullopt;
  return v;
}
}  // namespace

const char* to_string(signature_error e) {
  switch (e) {
    case signature_error::none: return "none";
    case signature_error::missing_header: return "missing_header";
    case signature_error::bad_timestamp: return "bad_timestamp";
    case signature_error::timestamp_outside: return "timestamp_outside";
    case signature_error::bad_signature_encoding: return "bad_signature_encoding";
    case signature_error::invalid_signature: return "invalid_signature";
  }
  return "unknown";
}

struct signature_verifier::impl {
  pkey_ptr key;
  std::chrono::seconds tolerance;
};

signature_verifier::signature_verifier(std::unique_ptr<impl> p) : impl_(std::move(p)) {}
signature_verifier::~signature_verifier() = default;

std::unique_ptr<signature_verifier> signature_verifier::from_base64(std::string_view public_key_b64,
                                                                    std::chrono::seconds tolerance) {
  auto raw = base64_decode(public_key_b64);
  if (!raw || raw->size() != key_bytes) return nullptr;
  pkey_ptr key{EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, bytes_of(*raw), raw->size())};
  if (!key) return nullptr;
  auto p = std::make_unique<impl>();
  p->key = std::move(key);
  p->tolerance = tolerance;
  return std::unique_ptr<signature_verifier>(new signature_verifier(std::move(p)));
}

signature_error signature_verifier::verify(std::string_view signature_b64, std::string_view timestamp,
                                           std::string_view body, sys_time now) const {
  if (signature_b64.empty() || timestamp.empty()) return signature_error::missing_header;
  auto ts = parse_unix_seconds(timestamp);
  if (!ts) return signature_error::bad_timestamp;
  auto now_s = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  auto delta = now_s - *ts;
  if (delta > impl_->tolerance.count() || -delta > impl_->tolerance.count()) return signature_error::timestamp_outside;
  auto sig = base64_decode(signature_b64);
  if (!sig || sig->size() != signature_bytes) return signature_error::bad_signature_encoding;

  md_ctx_ptr ctx{EVP_MD_CTX_new()};
  if (!ctx) throw std::bad_alloc();
  // Ed25519 is one-shot: no digest, and EVP_DigestVerify instead of Update/Final.
  if (EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, impl_->key.get()) != 1)
    return signature_error::invalid_signature;
  auto msg = signed_message(timestamp, body);
  int rc = EVP_DigestVerify(ctx.get(), bytes_of(*sig), sig->size(), bytes_of(msg), msg.size());
  return rc == 1 ? signature_error::none : signature_error::invalid_signature;
}

struct signature_signer::impl {
  pkey_ptr key;
};

signature_signer::signature_signer(std::unique_ptr<impl> p) : impl_(std::move(p)) {}
signature_signer::~signature_signer() = default;

std::unique_ptr<signature_signer> signature_signer::generate() {
  pkey_ctx_ptr ctx{EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, nullptr)};
  EVP_PKEY* raw = nullptr;
  if (!ctx || EVP_PKEY_keygen_init(ctx.get()) != 1 || EVP_PKEY_keygen(ctx.get(), &raw) != 1)
    throw std::runtime_error("Ed25519 key generation failed");
  auto p = std::make_unique<impl>();
  p->key.reset(raw);
  return std::unique_ptr<signature_signer>(new signature_signer(std::move(p)));
}

std::unique_ptr<signature_signer> signature_signer::from_seed_base64(std::string_view seed_b64) {
  auto seed = base64_decode(seed_b64);
  if (!seed || seed->size() != key_bytes) return nullptr;
  pkey_ptr key{EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, bytes_of(*seed), seed->size())};
  if (!key) return nullptr;
  auto p = std::make_unique<impl>();
  p->key = std::move(key);
  return std::unique_ptr<signature_signer>(new signature_signer(std::move(p)));
}

std::string signature_signer::public_key_base64() const {
  unsigned char buf[key_bytes];
  std::size_t len = sizeof buf;
  if (EVP_PKEY_get_raw_public_key(impl_->key.get(), buf, &len) != 1) throw std::runtime_error("no public key");
  return base64_encode(std::string_view(reinterpret_cast<const char*>(buf), len));
}

std::string signature_signer::seed_base64() const {
  unsigned char buf[key_bytes];
  std::size_t len = sizeof buf;
  if (EVP_PKEY_get_raw_private_key(impl_->key.get(), buf, &len) != 1) throw std::runtime_error("no private key");
  return base64_encode(std::string_view(reinterpret_cast<const char*>(buf), len));
}

std::string signature_signer::sign(std::string_view timestamp, std::string_view body) const {
  md_ctx_ptr ctx{EVP_MD_CTX_new()};
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, impl_->key.get()) != 1)
    throw std::runtime_error("Ed25519 sign init failed");
  auto msg = signed_message(timestamp, body);
  unsigned char sig[signature_bytes];
  std::size_t len = sizeof sig;
  if (EVP_DigestSign(ctx.get(), sig, &len, bytes_of(msg), msg.size()) != 1)
    throw std::runtime_error("Ed25519 sign failed");
  return base64_encode(std::string_view(reinterpret_cast<const char*>(sig), len));
}

}  // namespace dialer::telnyx
