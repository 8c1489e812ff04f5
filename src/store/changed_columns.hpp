// Updates that write only the columns whose value changed (store-internal).
//
// SQLite rewrites the entry of every index that covers a column named in an UPDATE's SET list, even
// when the value is the same: a full-row update of a call touched its 8 index B-trees and wrote ~5.4
// pages to the WAL per commit (then again to the database at checkpoint), where the change itself
// needed 1-2. A table's row is first compared with the new values inside SQLite (`c IS NOT ?n`, so
// NULLs compare too), and only the columns that differ are written, by an UPDATE generated for that set.
#pragma once
#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

namespace dialer::store::detail {

// A table's updatable columns, in the order their values are bound: ?1..?N, then the row's id ?N+1.
class row_columns {
 public:
  row_columns(std::string table, std::initializer_list<const char*> columns);

  std::size_t size() const { return columns_.size(); }
  // SELECT ((c1 IS NOT ?1) << 0) | ... | ((cN IS NOT ?N) << N-1) FROM table WHERE id = ?N+1: the
  // columns that differ, bit i - 1 for column i.
  const std::string& diff_sql() const { return diff_sql_; }
  // UPDATE table SET ci = ?i, ... WHERE id = ?N+1 for the columns whose bit is set in `changed`
  // (bit i - 1 for column i); the values are bound as for diff_sql.
  std::string update_sql(std::uint64_t changed) const;

 private:
  std::string table_;
  std::vector<std::string> columns_;
  std::string diff_sql_;
};

}  // namespace dialer::store::detail
