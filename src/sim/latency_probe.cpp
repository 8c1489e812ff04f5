// Samples are kept whole (a few bytes per call) so percentiles are exact at report time.
#include "dialer/sim/latency_probe.hpp"

#include <algorithm>
#include <numeric>

#include "dialer/common/json.hpp"

namespace dialer::sim {

namespace {
std::int64_t micros(latency_probe::clock::duration d) {
  return std::chrono::duration_cast<std::chrono::microseconds>(d).count();
}
}  // namespace

void latency_probe::dial_received(std::string_view call_control_id, std::string_view session_id, bool customer,
                                  clock::time_point now) {
  if (!customer || session_id.empty()) return;
  std::string session(session_id);
  if (auto it = hangups_.find(session); it != hangups_.end() && !it->second.empty()) {
    refill_us_.push_back(micros(now - it->second.front()));
    it->second.pop_front();
  }
  customer_session_[std::string(call_control_id)] = std::move(session);
}

void latency_probe::webhook_posted(std::string_view call_control_id, std::string_view event_type, int attempt,
                                   clock::time_point now) {
  if (attempt != 1) return;
  auto leg = customer_session_.find(std::string(call_control_id));
  if (leg == customer_session_.end()) return;
  if (event_type == "call.answered") {
    answered_at_.try_emplace(leg->first, now);
    message_due_.try_emplace(leg->first, now);
  } else if (event_type == "call.machine.greeting.ended" || event_type == "call.machine.premium.greeting.ended") {
    greeting_ended_at_.try_emplace(leg->first, now);
  } else if (event_type == "call.hangup") {
    hangups_[leg->second].push_back(now);
    answered_at_.erase(leg->first);
    message_due_.erase(leg->first);
    greeting_ended_at_.erase(leg->first);
    customer_session_.erase(leg);
  }
}

void latency_probe::bridge_received(std::string_view other_call_control_id, clock::time_point now) {
  auto it = answered_at_.find(std::string(other_call_control_id));
  if (it == answered_at_.end()) return;
  bridge_us_.push_back(micros(now - it->second));
  answered_at_.erase(it);
}

void latency_probe::message_received(std::string_view call_control_id, bool person, clock::time_point now) {
  const std::string id(call_control_id);
  auto& from = person ? message_due_ : greeting_ended_at_;
  auto it = from.find(id);
  if (it == from.end()) return;  // not a customer leg, not answered yet, or not its first message
  (person ? message_us_ : voicemail_us_).push_back(micros(now - it->second));
  from.erase(it);
}

void latency_probe::restart_samples() {
  bridge_us_.clear();
  refill_us_.clear();
  message_us_.clear();
  voicemail_us_.clear();
}

std::uint64_t latency_probe::messages_late() const {
  const auto limit = micros(message_deadline);
  return static_cast<std::uint64_t>(
      std::count_if(message_us_.begin(), message_us_.end(), [&](std::int64_t us) { return us > limit; }));
}

latency_probe::summary latency_probe::summarise(std::vector<std::int64_t> v) {
  summary s;
  s.count = v.size();
  if (v.empty()) return s;
  std::sort(v.begin(), v.end());
  auto rank = [&](double p) {
    auto n = static_cast<std::size_t>(p * static_cast<double>(v.size()) + 0.999999);
    return v[std::clamp<std::size_t>(n, 1, v.size()) - 1];
  };
  s.p50_us = rank(0.50);
  s.p90_us = rank(0.90);
  s.p99_us = rank(0.99);
  s.max_us = v.back();
  s.mean_us = std::accumulate(v.begin(), v.end(), std::int64_t{0}) / static_cast<std::int64_t>(v.size());
  return s;
}

latency_probe::summary latency_probe::answer_to_bridge() const { return summarise(bridge_us_); }
latency_probe::summary latency_probe::hangup_to_next_dial() const { return summarise(refill_us_); }
latency_probe::summary latency_probe::answer_to_message() const { return summarise(message_us_); }
latency_probe::summary latency_probe::greeting_to_voicemail() const { return summarise(voicemail_us_); }

std::string latency_probe::report_json() const {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  auto write = [&](const char* key, const summary& s) {
    w.Key(key);
    w.StartObject();
    w.Key("count"); w.Uint64(s.count);
    w.Key("p50"); w.Int64(s.p50_us);
    w.Key("p90"); w.Int64(s.p90_us);
    w.Key("p99"); w.Int64(s.p99_us);
    w.Key("max"); w.Int64(s.max_us);
    w.Key("mean"); w.Int64(s.mean_us);
    w.EndObject();
  };
  std::size_t hangups_waiting = 0;
  for (const auto& [session, q] : hangups_) hangups_waiting += q.size();
  w.StartObject();
  write("answer_to_bridge_us", answer_to_bridge());
  write("hangup_to_next_dial_us", hangup_to_next_dial());
  write("answer_to_message_us", answer_to_message());
  w.Key("messages_late"); w.Uint64(messages_late());
  write("greeting_to_voicemail_us", greeting_to_voicemail());
  w.Key("answers_waiting"); w.Uint64(answered_at_.size());
  w.Key("hangups_waiting"); w.Uint64(hangups_waiting);
  w.EndObject();
  return buf.GetString();
}

}  // namespace dialer::sim
