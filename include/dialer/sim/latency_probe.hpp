// Dialer latencies as telnyx-sim sees them from outside, in real time: call.answered posted -> bridge
// command for that leg received, a customer call.hangup posted -> the next dial of that session
// received, call.answered posted -> the first speak/playback_start on an answered person's leg (the
// drop message, due within 2 s), and the machine's greeting end posted -> the voicemail message.
// Filled by the call model and webhook delivery on the one I/O thread; read by /sim/report.
#pragma once
#include <chrono>
#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace dialer::sim {

class latency_probe {
 public:
  using clock = std::chrono::steady_clock;

  // A dial created a leg. A customer dial first settles the oldest pending hangup of its session (one
  // refill sample), then remembers the leg so its own hangup can start the next refill measurement.
  void dial_received(std::string_view call_control_id, std::string_view session_id, bool customer,
                     clock::time_point now);
  // A webhook is being POSTed. Only first attempts count (a redelivery is the dialer's failure, not
  // its latency); only call.answered and call.hangup of customer legs matter.
  void webhook_posted(std::string_view call_control_id, std::string_view event_type, int attempt,
                      clock::time_point now);
  // A bridge command arrived connecting some leg to `other_call_control_id` (the answered customer).
  void bridge_received(std::string_view other_call_control_id, clock::time_point now);
  // A speak or playback_start arrived for a customer leg: the first one of a person's leg is a message
  // sample (from its call.answered), of a machine's leg a voicemail sample (from its greeting end).
  void message_received(std::string_view call_control_id, bool person, clock::time_point now);

  // Forgets the samples taken so far (a benchmark's warm-up); measurements under way go on, so one
  // that started before and ends after counts.
  void restart_samples();

  // A message command later than this after call.answered counts as late (16 CFR 310.4: 2 s).
  static constexpr std::chrono::seconds message_deadline{2};

  struct summary {
    std::uint64_t count = 0;
    std::int64_t p50_us = 0, p90_us = 0, p99_us = 0, max_us = 0, mean_us = 0;  // 0 when count is 0
  };
  // Nearest-rank percentiles over every sample taken so far (since restart_samples()).
  summary answer_to_bridge() const;
  summary hangup_to_next_dial() const;
  summary answer_to_message() const;
  summary greeting_to_voicemail() const;
  std::uint64_t messages_late() const;  // answer_to_message samples over message_deadline
  // {"answer_to_bridge_us":{count,p50,p90,p99,max,mean},"hangup_to_next_dial_us":{...},
  //  "answer_to_message_us":{...},"messages_late":N,"greeting_to_voicemail_us":{...},
  //  "answers_waiting":N,"hangups_waiting":N}: the /sim/report "latency" member.
  std::string report_json() const;

 private:
  static summary summarise(std::vector<std::int64_t> samples);
  std::unordered_map<std::string, std::string> customer_session_;       // live customer leg -> session
  std::unordered_map<std::string, clock::time_point> answered_at_;      // customer leg -> answered posted
  std::unordered_map<std::string, std::deque<clock::time_point>> hangups_;  // session -> hangups posted
  std::unordered_map<std::string, clock::time_point> message_due_;       // customer leg -> answered posted
  std::unordered_map<std::string, clock::time_point> greeting_ended_at_;  // customer leg -> greeting end posted
  std::vector<std::int64_t> bridge_us_;
  std::vector<std::int64_t> refill_us_;
  std::vector<std::int64_t> message_us_;
  std::vector<std::int64_t> voicemail_us_;
};

}  // namespace dialer::sim
