// Session operations from the API: create, start, pause, resume, stop, settings, contacts, delete.
#include <algorithm>
#include <set>

#include "dialer/common/log.hpp"
#include "contact_checks.hpp"
#include "engine_impl.hpp"

namespace dialer::engine {
using domain::session_status;

namespace {
error not_found(const std::string& what) { return {errc::not_found, what + " not found", {}}; }
error conflict(const std::string& message) { return {errc::conflict, message, {}}; }
error invalid(std::string field, std::string message) { return {errc::invalid_input, std::move(message), std::move(field)}; }

bool is_active(session_status s) { return s == session_status::running || s == session_status::paused; }

// Checks lines/numbers against the configured numbers; returns an error or nullopt.
std::optional<error> check_settings(const config::config& cfg, const std::vector<std::string>& numbers, int lines) {
  if (numbers.empty()) return invalid("selectedNumbers", "must select at least one number");
  std::set<std::string> seen;
  for (std::size_t i = 0; i < numbers.size(); ++i) {
    auto field = "selectedNumbers[" + std::to_string(i) + "]";
    if (std::find(cfg.numbers.begin(), cfg.numbers.end(), numbers[i]) == cfg.numbers.end())
      return invalid(field, "is not a configured number");
    if (!seen.insert(numbers[i]).second) return invalid(field, "is selected twice");
  }
  if (lines < 1 || lines > static_cast<int>(numbers.size()))
    return invalid("concurrentLines", "must be between 1 and the number of selected numbers (" +
                                          std::to_string(numbers.size()) + ")");
  return std::nullopt;
}
}  // namespace

result<store::session_record> engine::create_session(const create_session_request& req) {
  if (auto settings = session_settings(req); !settings) return settings.err();
  auto checked = check_contacts(req.contacts, "contacts", cfg_);
  if (!checked) return checked.err();
  return create_session(req, checked.value());
}

result<store::session_record> engine::session_settings(const create_session_request& req) const {
  if (std::none_of(cfg_.agents.begin(), cfg_.agents.end(), [&](const auto& a) { return a.id == req.agent_id; }))
    return invalid("agentId", "unknown agent '" + req.agent_id + "'");
  store::session_record s;
  s.agent_id = req.agent_id;
  if (!req.campaign_id.empty()) s.campaign_id = req.campaign_id;
  if (!domain::is_campaign_id(s.campaign_id)) return invalid("campaignId", "must be 1 to 64 of A-Z a-z 0-9 _ -");
  s.selected_numbers = req.selected_numbers.value_or(cfg_.numbers);
  s.concurrent_lines = req.concurrent_lines.value_or(std::max(1, static_cast<int>(s.selected_numbers.size()) / 2));
  s.max_attempts = req.max_attempts.value_or(cfg_.dialing.max_attempts);
  if (s.max_attempts < 1 || s.max_attempts > 20) return invalid("maxAttempts", "must be between 1 and 20");
  if (auto e = check_settings(cfg_, s.selected_numbers, s.concurrent_lines)) return *e;
  return s;
}

result<store::session_record> engine::create_session(const create_session_request& req,
                                                     const checked_contacts& contacts) {
  auto& m = *impl_;
  auto settings = session_settings(req);
  if (!settings) return settings.err();
  auto& s = settings.value();
  s.id = m.ids_.next("ses_");
  s.created_at_ms = m.now_ms();
  auto tx = db_.begin();
  db_.insert_session(s);
  auto added = m.insert_contacts(s, contacts);
  tx.commit();
  log::info("engine", "session created", {{"session", s.id}, {"agent", s.agent_id},
                                          {"contacts", std::to_string(added.added)}});
  return *db_.get_session(s.id);
}

result<add_contacts_result> engine::add_contacts(const std::string& session_id, const std::vector<contact>& contacts,
                                                 const std::string& field_prefix) {
  auto checked = check_contacts(contacts, field_prefix, cfg_);
  if (!checked) return checked.err();
  return add_contacts(session_id, checked.value());
}

result<add_contacts_result> engine::add_contacts(const std::string& session_id, const checked_contacts& contacts) {
  auto& m = *impl_;
  auto s = db_.get_session(session_id);
  if (!s) return not_found("session");
  if (s->status == session_status::stopped || s->status == session_status::completed)
    return conflict("session is " + std::string(domain::to_string(s->status)));
  auto tx = db_.begin();
  auto out = m.insert_contacts(*s, contacts);
  tx.commit();
  if (s->status == session_status::running) m.pump(session_id);
  return out;
}

add_contacts_result engine::impl::insert_contacts(const store::session_record& s, const checked_contacts& contacts) {
  const auto& session_id = s.id;
  add_contacts_result out;
  std::set<std::string> batch;
  auto seq = db_.next_seq(session_id);
  for (const auto& c : contacts.list()) {
    if (!batch.insert(c.phone).second || db_.has_phone(session_id, c.phone)) {
      out.duplicates += 1;
      continue;
    }
    store::queue_item_record q;
    q.id = ids_.next("itm_");
    q.session_id = session_id;
    q.seq = seq++;
    q.contact_id = c.id.empty() ? q.id : c.id;
    q.name = c.name;
    q.phone = c.phone;
    q.timezone = c.timezone;
    q.state.max_attempts = s.max_attempts;
    mark_if_listed(q);  // a listed number is stored failed (outcome dnc) at once
    db_.insert_item(q);
    out.items.push_back(q);
    out.added += 1;
  }
  return out;
}

result<store::session_record> engine::start_session(const std::string& id) {
  auto& m = *impl_;
  auto s = db_.get_session(id);
  if (!s) return not_found("session");
  if (s->status != session_status::created) return conflict("session is " + std::string(domain::to_string(s->status)));
  if (auto other = db_.active_session_of_agent(s->agent_id))
    return conflict("agent " + s->agent_id + " already has an active session " + other->id);
  if (auto agent = db_.get_agent(s->agent_id); agent.session_id.empty() && !agent.leg_call_id.empty())
    return conflict("agent " + s->agent_id + " is on a manual call");
  effects fx;
  auto tx = db_.begin();
  s->status = session_status::running;
  s->started_at_ms = m.now_ms();
  m.place_agent_dial(*s, fx);
  m.save_session(*s, fx);
  tx.commit();
  log::info("engine", "session started", {{"session", id}, {"agent", s->agent_id}});
  m.run(std::move(fx));
  return *db_.get_session(id);
}

result<store::session_record> engine::pause_session(const std::string& id) {
  auto s = db_.get_session(id);
  if (!s) return not_found("session");
  if (s->status != session_status::running) return conflict("session is " + std::string(domain::to_string(s->status)));
  effects fx;
  auto tx = db_.begin();
  s->status = session_status::paused;
  s->pause_reason = "user";
  impl_->save_session(*s, fx);
  tx.commit();
  log::info("engine", "session paused", {{"session", id}});
  impl_->run(std::move(fx));
  return *s;
}

result<store::session_record> engine::resume_session(const std::string& id) {
  auto& m = *impl_;
  auto s = db_.get_session(id);
  if (!s) return not_found("session");
  if (s->status != session_status::paused) return conflict("session is " + std::string(domain::to_string(s->status)));
  effects fx;
  auto tx = db_.begin();
  s->status = session_status::running;
  s->pause_reason.clear();
  if (db_.get_agent(s->agent_id).state == domain::agent_state::offline) m.place_agent_dial(*s, fx);
  m.save_session(*s, fx);
  tx.commit();
  log::info("engine", "session resumed", {{"session", id}});
  fx.pump_sessions.insert(id);
  m.run(std::move(fx));
  return *db_.get_session(id);
}

result<store::session_record> engine::stop_session(const std::string& id) {
  auto& m = *impl_;
  auto s = db_.get_session(id);
  if (!s) return not_found("session");
  if (s->status == session_status::stopped || s->status == session_status::completed)
    return conflict("session is " + std::string(domain::to_string(s->status)));
  effects fx;
  auto tx = db_.begin();
  s->status = session_status::stopped;
  s->ended_at_ms = m.now_ms();
  m.save_session(*s, fx);
  m.cancel_live_calls(id, fx, true);
  auto agent = db_.get_agent(s->agent_id);
  if (agent.session_id == id && agent.leg_call_id.empty()) {
    agent.session_id.clear();
    db_.put_agent(agent);
  }
  tx.commit();
  log::info("engine", "session stopped", {{"session", id}});
  m.run(std::move(fx));
  return *db_.get_session(id);
}

result<store::session_record> engine::update_settings(const std::string& id, std::optional<int> lines,
                                                      std::optional<std::vector<std::string>> numbers) {
  auto s = db_.get_session(id);
  if (!s) return not_found("session");
  if (s->status == session_status::stopped || s->status == session_status::completed)
    return conflict("session is " + std::string(domain::to_string(s->status)));
  auto new_numbers = numbers.value_or(s->selected_numbers);
  auto new_lines = lines.value_or(std::min<int>(s->concurrent_lines, static_cast<int>(new_numbers.size())));
  if (auto e = check_settings(cfg_, new_numbers, new_lines)) return *e;
  effects fx;
  auto tx = db_.begin();
  s->selected_numbers = new_numbers;
  s->concurrent_lines = new_lines;
  impl_->save_session(*s, fx);
  tx.commit();
  impl_->run(std::move(fx));
  impl_->pump(id);  // more lines take effect at once; fewer as calls end
  return *db_.get_session(id);
}

result<done> engine::delete_session(const std::string& id) {
  auto s = db_.get_session(id);
  if (!s) return not_found("session");
  if (is_active(s->status)) return conflict("session is " + std::string(domain::to_string(s->status)) + "; stop it first");
  auto tx = db_.begin();
  db_.delete_session(id);
  tx.commit();
  impl_->runtimes_.erase(id);
  return done{};
}

}  // namespace dialer::engine
