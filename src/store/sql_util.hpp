// Small helpers for binding and reading optional columns with SQLiteCpp (store-internal).
#pragma once
#include <SQLiteCpp/Column.h>
#include <SQLiteCpp/Statement.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace dialer::store::detail {

// SQLite copies the text it is given; a std::string is passed as it is, without a copy of our own.
inline void bind_text(SQLite::Statement& st, int i, const std::string& v) { st.bind(i, v); }
inline void bind_text(SQLite::Statement& st, int i, std::string_view v) { st.bind(i, std::string(v)); }
inline void bind_text(SQLite::Statement& st, int i, const char* v) { st.bind(i, v); }
inline void bind_text_or_null(SQLite::Statement& st, int i, const std::string& v) {
  if (v.empty()) st.bind(i); else st.bind(i, v);
}
inline void bind_text_or_null(SQLite::Statement& st, int i, std::string_view v) {
  if (v.empty()) st.bind(i); else st.bind(i, std::string(v));
}
inline void bind_opt(SQLite::Statement& st, int i, const std::optional<std::int64_t>& v) {
  if (v) st.bind(i, static_cast<std::int64_t>(*v)); else st.bind(i);
}
inline std::string text(const SQLite::Column& c) { return c.isNull() ? std::string() : c.getString(); }
inline std::optional<std::int64_t> opt_int(const SQLite::Column& c) {
  if (c.isNull()) return std::nullopt;
  return c.getInt64();
}

}  // namespace dialer::store::detail
