// The manual_calls table: which agent placed a manual call and which agent leg goes with it.
#include <SQLiteCpp/Statement.h>

#include "dialer/store/store.hpp"
#include "sql_util.hpp"

namespace dialer::store {
using namespace detail;

void store::insert_manual_call(const manual_call_record& m) {
  auto st = prepare("INSERT INTO manual_calls(call_id, agent_id, agent_call_id, name) VALUES (?,?,?,?)");
  bind_text(*st, 1, m.call_id);
  bind_text(*st, 2, m.agent_id);
  bind_text(*st, 3, m.agent_call_id);
  bind_text_or_null(*st, 4, m.name);
  st->exec();
}

std::optional<manual_call_record> store::find_manual_call(std::string_view call_id) {
  auto st = prepare("SELECT call_id, agent_id, agent_call_id, name FROM manual_calls "
                    "WHERE call_id = ?1 OR agent_call_id = ?1 LIMIT 1");
  bind_text(*st, 1, call_id);
  if (!st->executeStep()) return std::nullopt;
  manual_call_record m;
  m.call_id = st->getColumn(0).getString();
  m.agent_id = st->getColumn(1).getString();
  m.agent_call_id = st->getColumn(2).getString();
  m.name = text(st->getColumn(3));
  return m;
}

}  // namespace dialer::store
