// logfmt writer; a whole line is written with one call so lines never interleave.
#include "dialer/common/log.hpp"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "dialer/common/time_format.hpp"

namespace dialer::log {
namespace {
level initial_level() {
  const char* env = std::getenv("DIALER_LOG_LEVEL");
  if (!env) return level::info;
  if (!std::strcmp(env, "debug")) return level::debug;
  if (!std::strcmp(env, "warn")) return level::warn;
  if (!std::strcmp(env, "error")) return level::error;
  return level::info;
}
level g_min = initial_level();

const char* name(level l) {
  switch (l) {
    case level::debug: return "debug";
    case level::info: return "info";
    case level::warn: return "warn";
    case level::error: return "error";
  }
  return "info";
}

void append_value(std::string& line, std::string_view v) {
  bool quote = v.empty() || v.find_first_of(" \"=\t\n") != std::string_view::npos;
  if (!quote) { line.append(v); return; }
  line.push_back('"');
  for (char c : v) {
    if (c == '"' || c == '\\') line.push_back('\\');
    if (c == '\n') { line.append("\\n"); continue; }
    line.push_back(c);
  }
  line.push_back('"');
}
}  // namespace

void set_level(level min) { g_min = min; }
bool enabled(level l) { return l >= g_min; }

void write(level l, std::string_view component, std::string_view message, std::initializer_list<field> fields) {
  if (!enabled(l)) return;
  std::string line;
  line.reserve(160);
  line.append("ts=").append(format_iso8601(std::chrono::system_clock::now()));
  line.append(" level=").append(name(l));
  line.append(" component=").append(component);
  line.append(" msg=");
  append_value(line, message);
  for (const auto& [k, v] : fields) {
    line.push_back(' ');
    line.append(k).push_back('=');
    append_value(line, v);
  }
  line.push_back('\n');
  std::fwrite(line.data(), 1, line.size(), stderr);
}

}  // namespace dialer::log
