// Opaque identifiers: random, URL-safe, hard to guess. Injected as an interface so tests can
// make them predictable.
#pragma once
#include <string>
#include <string_view>

namespace dialer {

class id_generator {
 public:
  virtual ~id_generator() = default;
  // A new identifier starting with `prefix` (e.g. "ses_"), unique for the life of the database.
  virtual std::string next(std::string_view prefix) = 0;
};

// 128 random bits from OpenSSL's RAND_bytes, hex encoded.
class random_id_generator final : public id_generator {
 public:
  std::string next(std::string_view prefix) override;
};

// "prefix1", "prefix2", ... for tests.
class sequential_id_generator final : public id_generator {
 public:
  std::string next(std::string_view prefix) override;

 private:
  unsigned long long counter_ = 0;
};

// A UUID v4 string (Telnyx-style ids for the simulator and command_ids).
std::string random_uuid();

}  // namespace dialer
