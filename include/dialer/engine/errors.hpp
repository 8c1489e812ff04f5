// Business errors the engine returns to the API (mapped to HTTP statuses in one place, api/errors).
#pragma once
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace dialer::engine {

// What kind of business error.
enum class errc {
  invalid_input,  // a field is wrong (400)
  not_found,      // unknown id (404)
  conflict,       // not allowed in the current state (409)
  unavailable,    // the database or Telnyx cannot be reached now (503)
};

struct error {
  errc code = errc::invalid_input;
  std::string message;
  std::string field;  // JSON path of the bad field, when there is one
};

// A value or a business error.
template <class T>
class result {
 public:
  result(T value) : v_(std::move(value)) {}
  result(error e) : v_(std::move(e)) {}
  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() { return std::get<0>(v_); }
  const T& value() const { return std::get<0>(v_); }
  const error& err() const { return std::get<1>(v_); }

 private:
  std::variant<T, error> v_;
};

struct done {};  // the value of an operation that returns nothing

}  // namespace dialer::engine
