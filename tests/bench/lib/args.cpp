// Parsing of "--name value" pairs; any problem ends the program with the usage text.
#include "args.hpp"

#include <cstdlib>
#include <iostream>

namespace dialer::bench {

args::args(int argc, char** argv, const char* usage) : usage_(usage) {
  for (int i = 1; i < argc; i += 2) {
    std::string name = argv[i];
    if (name == "--help" || name == "-h") {
      std::cout << usage_;
      std::exit(0);
    }
    if (name.rfind("--", 0) != 0) fail("expected an option, got '" + name + "'");
    if (i + 1 >= argc) fail("missing value for " + name);
    values_[name.substr(2)] = argv[i + 1];
  }
}

void args::fail(const std::string& message) const {
  std::cerr << message << "\n" << usage_;
  std::exit(2);
}

std::string args::str(const std::string& name, const std::string& fallback) const {
  auto it = values_.find(name);
  return it == values_.end() ? fallback : it->second;
}

std::string args::required(const std::string& name) const {
  auto it = values_.find(name);
  if (it == values_.end()) fail("--" + name + " is required");
  return it->second;
}

std::int64_t args::num(const std::string& name, std::int64_t fallback) const {
  auto it = values_.find(name);
  if (it == values_.end()) return fallback;
  try {
    std::size_t used = 0;
    auto v = std::stoll(it->second, &used);
    if (used == it->second.size()) return v;
  } catch (const std::exception&) {
  }
  fail("--" + name + " must be an integer, got '" + it->second + "'");
}

double args::real(const std::string& name, double fallback) const {
  auto it = values_.find(name);
  if (it == values_.end()) return fallback;
  try {
    std::size_t used = 0;
    auto v = std::stod(it->second, &used);
    if (used == it->second.size()) return v;
  } catch (const std::exception&) {
  }
  fail("--" + name + " must be a number, got '" + it->second + "'");
}

}  // namespace dialer::bench
