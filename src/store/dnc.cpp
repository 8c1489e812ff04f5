// The do-not-call list (schema.sql `dnc`): one row per listed number.
#include <SQLiteCpp/Statement.h>

#include "dialer/store/store.hpp"
#include "sql_util.hpp"

namespace dialer::store {
using namespace detail;

bool store::add_dnc(std::string_view phone, std::int64_t now_ms) {
  auto st = prepare("INSERT OR IGNORE INTO dnc(phone, added_at) VALUES (?, ?)");
  bind_text(*st, 1, phone);
  st->bind(2, static_cast<std::int64_t>(now_ms));
  return st->exec() == 1;
}

bool store::remove_dnc(std::string_view phone) {
  auto st = prepare("DELETE FROM dnc WHERE phone = ?");
  bind_text(*st, 1, phone);
  return st->exec() == 1;
}

bool store::is_dnc(std::string_view phone) {
  auto st = prepare("SELECT 1 FROM dnc WHERE phone = ?");
  bind_text(*st, 1, phone);
  return st->executeStep();
}

std::optional<dnc_entry> store::get_dnc(std::string_view phone) {
  auto st = prepare("SELECT phone, added_at FROM dnc WHERE phone = ?");
  bind_text(*st, 1, phone);
  if (!st->executeStep()) return std::nullopt;
  return dnc_entry{st->getColumn(0).getString(), st->getColumn(1).getInt64()};
}

std::vector<dnc_entry> store::list_dnc(std::string_view after, int limit) {
  auto st = prepare("SELECT phone, added_at FROM dnc WHERE phone > ? ORDER BY phone LIMIT ?");
  bind_text(*st, 1, after);
  st->bind(2, limit);
  std::vector<dnc_entry> out;
  while (st->executeStep()) out.push_back({st->getColumn(0).getString(), st->getColumn(1).getInt64()});
  return out;
}

}  // namespace dialer::store
