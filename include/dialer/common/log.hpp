// Structured logging: one logfmt line per event on stderr ("ts=... level=info component=engine
// msg=\"...\" key=value"). Never pass a secret as a field.
#pragma once
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace dialer::log {

enum class level { debug, info, warn, error };

using field = std::pair<std::string_view, std::string>;

// Lines below `min` are dropped. Default: info (DIALER_LOG_LEVEL=debug|info|warn|error overrides).
void set_level(level min);
bool enabled(level l);
void write(level l, std::string_view component, std::string_view message, std::initializer_list<field> fields = {});

inline void debug(std::string_view c, std::string_view m, std::initializer_list<field> f = {}) { if (enabled(level::debug)) write(level::debug, c, m, f); }
inline void info(std::string_view c, std::string_view m, std::initializer_list<field> f = {}) { if (enabled(level::info)) write(level::info, c, m, f); }
inline void warn(std::string_view c, std::string_view m, std::initializer_list<field> f = {}) { write(level::warn, c, m, f); }
inline void error(std::string_view c, std::string_view m, std::initializer_list<field> f = {}) { write(level::error, c, m, f); }

}  // namespace dialer::log
