// The pure parts of CRM push: which events go out, their body and signature, and the retry policy.
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <stdexcept>

#include "dialer/common/json.hpp"
#include "dialer/common/time_format.hpp"
#include "dialer/engine/crm_push.hpp"
#include "dialer/engine/event_payloads.hpp"

namespace dialer::engine {

bool crm_pushes(std::string_view event_type) {
  return event_type == event_types::call_connected || event_type == event_types::call_ended;
}

std::string hmac_sha256_hex(std::string_view key, std::string_view data) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  static const unsigned char empty = 0;
  const void* key_bytes = key.empty() ? static_cast<const void*>(&empty) : key.data();
  const auto* data_bytes = data.empty() ? &empty : reinterpret_cast<const unsigned char*>(data.data());
  if (HMAC(EVP_sha256(), key_bytes, static_cast<int>(key.size()), data_bytes, data.size(), mac, &length) == nullptr)
    throw std::runtime_error("HMAC-SHA256 failed");
  static constexpr char digits[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(length * 2);
  for (unsigned int i = 0; i < length; ++i) {
    hex.push_back(digits[mac[i] >> 4]);
    hex.push_back(digits[mac[i] & 0x0f]);
  }
  return hex;
}

std::string crm_signature(std::string_view secret, std::string_view body) {
  return "sha256=" + hmac_sha256_hex(secret, body);
}

std::string crm_event_body(std::string_view id, std::string_view type, std::int64_t at_ms, std::string_view data_json) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  w.StartObject();
  w.Key("id");
  w.String(id.data(), static_cast<rapidjson::SizeType>(id.size()));
  w.Key("type");
  w.String(type.data(), static_cast<rapidjson::SizeType>(type.size()));
  w.Key("occurredAt");
  w.String(format_iso8601(from_unix_ms(at_ms)));
  w.Key("data");
  if (data_json.empty()) {
    w.StartObject();
    w.EndObject();
  } else {
    w.RawValue(data_json.data(), data_json.size(), rapidjson::kObjectType);
  }
  w.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

std::chrono::milliseconds crm_retry_delay(const config::crm_settings& s, int failed_attempts) {
  auto delay = s.retry_initial;
  for (int i = 1; i < failed_attempts && delay < s.retry_max; ++i) delay *= 2;
  return std::min(delay, s.retry_max);
}

store::outbox_record crm_claim(store::outbox_record r, const config::crm_settings& s, std::int64_t now_ms) {
  r.attempts += 1;
  r.next_attempt_at_ms = now_ms + (s.timeout + crm_retry_delay(s, r.attempts)).count();
  return r;
}

store::outbox_record crm_settle(store::outbox_record r, const config::crm_settings& s, bool delivered,
                                std::string error, std::int64_t now_ms) {
  if (delivered) {
    r.state = store::outbox_state::delivered;
    r.finished_at_ms = now_ms;
    return r;
  }
  r.last_error = std::move(error);
  if (r.attempts >= s.max_attempts) {
    r.state = store::outbox_state::failed;
    r.finished_at_ms = now_ms;
  } else {
    r.next_attempt_at_ms = now_ms + crm_retry_delay(s, r.attempts).count();
  }
  return r;
}

}  // namespace dialer::engine
