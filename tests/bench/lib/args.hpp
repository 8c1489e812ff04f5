// Command-line options of the bench programs: "--name value" pairs, looked up with defaults.
#pragma once
#include <cstdint>
#include <map>
#include <string>

namespace dialer::bench {

class args {
 public:
  // Exits with status 2 and a message naming the option when argv is not "--name value" pairs.
  args(int argc, char** argv, const char* usage);
  // The value, or `fallback` when absent. A required option that is absent exits with status 2.
  std::string str(const std::string& name, const std::string& fallback) const;
  std::string required(const std::string& name) const;
  std::int64_t num(const std::string& name, std::int64_t fallback) const;
  double real(const std::string& name, double fallback) const;

 private:
  [[noreturn]] void fail(const std::string& message) const;
  std::map<std::string, std::string> values_;
  std::string usage_;
};

}  // namespace dialer::bench
