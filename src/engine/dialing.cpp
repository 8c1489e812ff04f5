// Keeping lines busy: choosing the next contact and a free caller number, pacing dials to
// dials_per_second, retry timers, and noticing when a session has nothing left to do.
#include <boost/asio/steady_timer.hpp>

#include <algorithm>
#include <cmath>
#include <utility>

#include "dialer/common/json.hpp"
#include "dialer/common/log.hpp"
#include "dialer/telnyx/base64.hpp"
#include "engine_impl.hpp"

namespace dialer::engine {
using domain::session_status;

namespace {
bool agent_on_line(domain::agent_state s) {
  return s == domain::agent_state::ready || s == domain::agent_state::talking || s == domain::agent_state::wrap_up;
}
}  // namespace

std::string engine::impl::make_client_state(const store::call_record& c, int attempt) const {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  w.StartObject();
  w.Key("s"); w.String(c.session_id);
  w.Key("q"); w.String(c.queue_item_id);
  w.Key("c"); w.String(c.id);
  w.Key("a"); w.Int(attempt);
  w.Key("k"); w.String(std::string(domain::to_string(c.kind)));
  w.EndObject();
  return telnyx::base64_encode(std::string_view(buf.GetString(), buf.GetSize()));
}

// At most dials_per_second dials in any window of one second (for a rate under 1/s: one dial per
// 1/rate seconds). A burst up to the rate is decided, and committed, at once; the REST client then
// spaces the sends themselves 1/rate apart. A session refused a slot is pumped again, with the others
// refused meanwhile, when the window has room.
bool engine::impl::take_dial_slot(const std::string& session_id) {
  using namespace std::chrono;
  const double rate = cfg_.telnyx.dials_per_second;
  const auto capacity = static_cast<std::size_t>(std::max(1.0, std::floor(rate)));
  const auto window = duration_cast<steady_clock::duration>(duration<double>(static_cast<double>(capacity) / rate));
  const auto now = steady_clock::now();
  while (!recent_dials_.empty() && now - recent_dials_.front() >= window) recent_dials_.pop_front();
  if (recent_dials_.size() < capacity) {
    recent_dials_.push_back(now);
    return true;
  }
  throttled_sessions_.insert(session_id);
  if (!throttle_armed_) {
    throttle_armed_ = true;
    throttle_timer_.expires_at(recent_dials_.front() + window);
    throttle_timer_.async_wait([this](boost::system::error_code ec) {
      throttle_armed_ = false;
      if (ec || stopping_) return;
      guarded("pump", [this] { pump_in_batch(std::exchange(throttled_sessions_, {})); });
    });
  }
  return false;
}

void engine::impl::pump_all() {
  std::set<std::string> running;
  for (const auto& s : db_.active_sessions())
    if (s.status == session_status::running) running.insert(s.id);
  pump_in_batch(running);  // the dials a freed slot allows commit together
}

void engine::impl::pump(const std::string& session_id) {
  if (stopping_) return;
  try {
    pump_once(session_id);
  } catch (const std::exception& e) {
    // A write refused by a locked or full database must not stall the session: when its lines are
    // all free, nothing else (no webhook, no reply) would pump it again. Try again shortly.
    log::error("engine", "failed", {{"step", "pump"}, {"session", session_id}, {"error", e.what()}});
    pump_later(session_id);
  }
}

void engine::impl::pump_later(const std::string& session_id) {
  auto& rt = runtime(session_id);
  if (!rt.retry_timer) rt.retry_timer = std::make_unique<net::steady_timer>(ex_);
  rt.retry_timer->expires_after(std::chrono::seconds(1));
  rt.retry_timer->async_wait([this, session_id](boost::system::error_code ec) {
    if (!ec && !stopping_) pump(session_id);
  });
}

void engine::impl::pump_once(const std::string& session_id) {
  auto s = db_.get_session(session_id);
  if (!s || s->status != session_status::running) return;
  auto agent = db_.get_agent(s->agent_id);
  auto& rt = runtime(session_id);
  if (agent_on_line(agent.state)) {
    const int lines = effective_lines(*s);  // pacing.cpp: fixed, or adaptive under the abandon target
    while (static_cast<int>(rt.lines.size()) < lines) {
      auto free_number = std::find_if(s->selected_numbers.begin(), s->selected_numbers.end(),
                                      [&](const std::string& n) { return !rt.lines.count(n); });
      if (free_number == s->selected_numbers.end()) break;
      auto item = db_.next_dialable(session_id, now_ms());
      if (!item) break;
      if (refuse_if_listed(*s, *item)) continue;  // do-not-call: failed, never dialed; look again
      if (hold_if_blocked(*s, *item)) continue;  // it waits with a later next_attempt_at: look again
      if (!take_dial_slot(session_id)) break;
      place_customer_dial(*s, *item, *free_number);
    }
  }
  effects fx;
  auto tx = db_.begin();
  check_completion(*s, fx);
  tx.commit();
  run(std::move(fx));
  arm_retry_timer(session_id);
}

void engine::impl::place_customer_dial(store::session_record& s, store::queue_item_record& item,
                                       const std::string& from) {
  auto t = domain::dispatch(item.state, now_ms());
  if (!t.changed) return;
  item.state = t.next;
  store::call_record c;
  c.id = ids_.next("call_");
  c.session_id = s.id;
  c.queue_item_id = item.id;
  c.contact_id = item.contact_id;
  c.kind = domain::call_kind::customer;
  c.from = from;
  c.to = item.phone;
  c.command_id = random_uuid();
  c.client_state = make_client_state(c, item.state.attempts);
  c.state.amd_enabled = cfg_.dialing.machine_detection != "disabled";
  c.started_at_ms = now_ms();
  s.stats.calls += 1;
  if (t.first_contact) s.stats.contacted += 1;

  effects fx;
  auto tx = db_.begin();
  save_item(item, fx);
  db_.insert_call(c);
  emit_call_updated(c, fx);
  save_session(s, fx);
  tx.commit();  // the attempt and its command_id are durable before the dial is sent
  runtime(s.id).lines[from] = c.id;
  log::info("engine", "dial", {{"session", s.id}, {"call", c.id}, {"item", item.id}, {"from", from},
                               {"attempt", std::to_string(item.state.attempts)}});
  fx.commands.push_back({effects::command::kind::dial, c, {}});
  run(std::move(fx));
}

void engine::impl::place_agent_dial(store::session_record& s, effects& fx) {
  const config::agent* agent_cfg = nullptr;
  for (const auto& a : cfg_.agents)
    if (a.id == s.agent_id) agent_cfg = &a;
  if (!agent_cfg) return;
  store::call_record c;
  c.id = ids_.next("call_");
  c.session_id = s.id;
  c.kind = domain::call_kind::agent;
  c.from = cfg_.dialing.agent_caller_id;
  c.to = agent_cfg->endpoint;
  c.command_id = random_uuid();
  c.client_state = make_client_state(c, 1);
  c.started_at_ms = now_ms();
  db_.insert_call(c);
  emit_call_updated(c, fx);
  s.agent_call_id = c.id;
  auto agent = db_.get_agent(s.agent_id);
  agent.state = domain::apply(domain::agent_state::offline, domain::agent_event::leg_dialed, false).next;
  agent.session_id = s.id;
  agent.leg_call_id = c.id;
  agent.talking_call_id.clear();
  db_.put_agent(agent);
  fx.commands.push_back({effects::command::kind::dial, c, {}});
}

void engine::impl::check_completion(store::session_record& s, effects& fx) {
  if (s.status != session_status::running) return;
  if (!runtime(s.id).lines.empty()) return;
  if (db_.has_open_items(s.id)) return;
  s.status = session_status::completed;
  s.ended_at_ms = now_ms();
  save_session(s, fx);
  log::info("engine", "session completed", {{"session", s.id}});
  cancel_live_calls(s.id, fx, true);
}

void engine::impl::arm_retry_timer(const std::string& session_id) {
  auto next = db_.next_retry_at(session_id);
  if (!next) return;
  auto& rt = runtime(session_id);
  if (!rt.retry_timer) rt.retry_timer = std::make_unique<net::steady_timer>(ex_);
  auto delay = std::chrono::milliseconds(std::max<std::int64_t>(0, *next - now_ms()) + 5);
  rt.retry_timer->expires_after(delay);
  rt.retry_timer->async_wait([this, session_id](boost::system::error_code ec) {
    if (!ec && !stopping_) guarded("retry timer", [&] { pump(session_id); });
  });
}

}  // namespace dialer::engine
