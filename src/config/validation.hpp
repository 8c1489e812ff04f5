// The config validator's building blocks, shared by the files of src/config: a JSON object checked for
// unknown keys, typed getters that name the JSON path of a bad value, and `fail` to stop loading.
#pragma once
#include "dialer/common/json.hpp"

#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "dialer/config/config.hpp"

namespace dialer::config::detail {

using json_value = rapidjson::Value;

// Thrown inside the validator only; parse() turns it into a load_result. An exception keeps each
// check a single line instead of threading an error through every helper.
struct invalid {
  config_error error;
};

[[noreturn]] inline void fail(std::string path, std::string message) {
  throw invalid{config_error{std::move(path), std::move(message)}};
}

inline std::string join(const std::string& parent, std::string_view key) {
  return parent.empty() ? std::string(key) : parent + "." + std::string(key);
}

inline std::string index(const std::string& parent, std::size_t i) {
  return parent + "[" + std::to_string(i) + "]";
}

inline std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

// One JSON object being validated: its path, and the keys it may hold. Construction rejects
// unknown and duplicate keys first, so a misspelt required key reads "unknown key" (with a
// suggestion) rather than a puzzling "required" for the correct spelling.
class object_view {
 public:
  object_view(const json_value& v, std::string path, std::initializer_list<std::string_view> known)
      : value_(v), path_(std::move(path)) {
    if (!v.IsObject()) fail(path_, "must be an object");
    std::set<std::string_view> seen;
    for (const auto& m : v.GetObject()) {
      std::string_view key(m.name.GetString(), m.name.GetStringLength());
      // RapidJSON keeps duplicate members and FindMember returns the first; the operator most
      // likely meant the last, so refuse rather than guess.
      if (!seen.insert(key).second) fail(join(path_, key), "duplicate key");
      if (!key.empty() && key[0] == '_') continue;  // inline documentation
      if (std::find(known.begin(), known.end(), key) != known.end()) continue;
      std::string message = "unknown key";
      for (std::string_view k : known) {
        if (edit_distance(key, k) <= 2) {
          message += " (did you mean \"" + std::string(k) + "\"?)";
          break;
        }
      }
      fail(join(path_, key), message);
    }
  }

  const json_value* find(std::string_view key) const {
    auto it = value_.FindMember(rapidjson::StringRef(key.data(), key.size()));
    return it == value_.MemberEnd() ? nullptr : &it->value;
  }
  bool has(std::string_view key) const { return find(key) != nullptr; }
  std::string path(std::string_view key) const { return join(path_, key); }
  const std::string& path() const { return path_; }

  const json_value& required(std::string_view key) const {
    const json_value* v = find(key);
    if (v == nullptr) fail(path(key), "required");
    return *v;
  }

  // Strings never echo their value in errors: some of them are secrets.
  std::optional<std::string> string(std::string_view key, bool required_key = false) const {
    const json_value* v = required_key ? &required(key) : find(key);
    if (v == nullptr) return std::nullopt;
    if (!v->IsString() || v->GetStringLength() == 0) fail(path(key), "must be a non-empty string");
    return std::string(v->GetString(), v->GetStringLength());
  }

  std::optional<std::int64_t> integer(std::string_view key, std::int64_t lo, std::int64_t hi) const {
    const json_value* v = find(key);
    if (v == nullptr) return std::nullopt;
    if (!v->IsInt64() || v->GetInt64() < lo || v->GetInt64() > hi) {
      fail(path(key), "must be an integer from " + std::to_string(lo) + " to " + std::to_string(hi));
    }
    return v->GetInt64();
  }

  std::optional<bool> boolean(std::string_view key) const {
    const json_value* v = find(key);
    if (v == nullptr) return std::nullopt;
    if (!v->IsBool()) fail(path(key), "must be true or false");
    return v->GetBool();
  }

 private:
  const json_value& value_;
  std::string path_;
};

}  // namespace dialer::config::detail

namespace dialer::config::detail {
// Reads the optional "compliance" block of `root` into out.compliance (src/config/compliance.cpp),
// then checks dialing.ring_timeout_s against its min_ring_s.
void read_compliance(const object_view& root, config& out);
}  // namespace dialer::config::detail
