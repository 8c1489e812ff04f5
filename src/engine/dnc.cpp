// The do-not-call list (SPEC §10): bulk changes from the API, and the gate that refuses a listed
// number when its item is queued, when its turn comes (the list may have changed since), and for a
// manual call. A refused item fails with outcome dnc and is never dialed.
#include <set>

#include "dialer/common/log.hpp"
#include "contact_checks.hpp"
#include "engine_impl.hpp"

namespace dialer::engine {

result<std::string> engine::dnc_phone(const std::string& text, const std::string& field) const {
  return normalise_phone_field(text, field, cfg_);  // the one place the list parses a phone
}

namespace {
// Every phone of the batch parsed, in order, or the error naming the first bad one.
result<std::vector<std::string>> parse_batch(const engine& eng, const std::vector<std::string>& phones,
                                             const std::string& field) {
  std::vector<std::string> out;
  out.reserve(phones.size());
  for (std::size_t i = 0; i < phones.size(); ++i) {
    auto p = eng.dnc_phone(phones[i], field + "[" + std::to_string(i) + "]");
    if (!p) return p.err();
    out.push_back(std::move(p.value()));
  }
  return out;
}
}  // namespace

result<dnc_change> engine::add_dnc(const std::vector<std::string>& phones, const std::string& field) {
  auto parsed = parse_batch(*this, phones, field);
  if (!parsed) return parsed.err();
  dnc_change out;
  auto tx = db_.begin();
  const auto now = impl_->now_ms();
  for (const auto& p : parsed.value()) (db_.add_dnc(p, now) ? out.changed : out.unchanged) += 1;
  tx.commit();
  log::info("engine", "do-not-call numbers added", {{"added", std::to_string(out.changed)},
                                                    {"already_listed", std::to_string(out.unchanged)}});
  return out;
}

result<dnc_change> engine::remove_dnc(const std::vector<std::string>& phones, const std::string& field) {
  auto parsed = parse_batch(*this, phones, field);
  if (!parsed) return parsed.err();
  dnc_change out;
  auto tx = db_.begin();
  for (const auto& p : parsed.value()) (db_.remove_dnc(p) ? out.changed : out.unchanged) += 1;
  tx.commit();
  log::info("engine", "do-not-call numbers removed", {{"removed", std::to_string(out.changed)},
                                                      {"not_listed", std::to_string(out.unchanged)}});
  // Items refused while a number was listed stay failed: they were settled, and re-queuing them is
  // the CRM's decision (add the contact again in a new session).
  return out;
}

bool engine::impl::refuse_if_listed(const store::session_record& s, store::queue_item_record& item) {
  if (!db_.is_dnc(item.phone)) return false;
  auto t = domain::refuse_dnc(item.state);
  if (!t.changed) return false;
  item.state = t.next;
  commit_item(item);
  log::info("engine", "item refused: number on the do-not-call list", {{"session", s.id}, {"item", item.id}});
  return true;
}

void engine::impl::mark_if_listed(store::queue_item_record& item) {
  if (db_.is_dnc(item.phone)) item.state = domain::refuse_dnc(item.state).next;
}

void engine::impl::list_if_do_not_call(const store::call_record& call) {
  if (call.disposition != "do_not_call" || call.kind == domain::call_kind::agent) return;
  const auto& customer = call.direction == "inbound" ? call.from : call.to;
  if (config::is_e164(customer) && db_.add_dnc(customer, now_ms()))
    log::info("engine", "do-not-call number added by disposition", {{"call", call.id}});
}

}  // namespace dialer::engine
