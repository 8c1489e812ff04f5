#include "changed_columns.hpp"

#include <stdexcept>

namespace dialer::store::detail {

row_columns::row_columns(std::string table, std::initializer_list<const char*> columns)
    : table_(std::move(table)), columns_(columns.begin(), columns.end()) {
  if (columns_.empty() || columns_.size() > 63) throw std::logic_error("row_columns: 1 to 63 columns");
  diff_sql_ = "SELECT ";
  for (std::size_t i = 0; i < columns_.size(); ++i)
    diff_sql_ += (i ? " | " : "") + ("((" + columns_[i] + " IS NOT ?" + std::to_string(i + 1) + ") << ") +
                 std::to_string(i) + ")";
  diff_sql_ += " FROM " + table_ + " WHERE id = ?" + std::to_string(columns_.size() + 1);
}

std::string row_columns::update_sql(std::uint64_t changed) const {
  std::string sql = "UPDATE " + table_ + " SET ";
  bool first = true;
  for (std::size_t i = 0; i < columns_.size(); ++i) {
    if ((changed >> i & 1) == 0) continue;
    sql += (first ? "" : ", ") + columns_[i] + " = ?" + std::to_string(i + 1);
    first = false;
  }
  return sql + " WHERE id = ?" + std::to_string(columns_.size() + 1);
}

}  // namespace dialer::store::detail
