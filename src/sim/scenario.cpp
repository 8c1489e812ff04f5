// Scenario JSON parsing: one function per block, each failure names the JSON path.
#include "dialer/sim/scenario.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "dialer/common/json.hpp"

namespace dialer::sim {

const char* to_string(outcome o) {
  switch (o) {
    case outcome::answer: return "answer";
    case outcome::busy: return "busy";
    case outcome::no_answer: return "no_answer";
    case outcome::machine: return "machine";
    case outcome::invalid: return "invalid";
  }
  return "answer";
}

std::optional<outcome> outcome_from_string(std::string_view text) {
  for (auto o : {outcome::answer, outcome::busy, outcome::no_answer, outcome::machine, outcome::invalid}) {
    if (text == to_string(o)) return o;
  }
  return std::nullopt;
}

namespace {

// Thrown inside the parser and turned into scenario_result::error.
struct bad_field : std::runtime_error {
  using std::runtime_error::runtime_error;
};

using value = rapidjson::Value;

std::string join(const std::string& path, std::string_view key) { return path.empty() ? std::string(key) : path + "." + std::string(key); }

void read_number(const value& obj, std::string_view key, const std::string& path, double& out, double min_value = 0) {
  auto it = obj.FindMember(rapidjson::StringRef(key.data(), key.size()));
  if (it == obj.MemberEnd() || it->value.IsNull()) return;
  if (!it->value.IsNumber()) throw bad_field(join(path, key) + ": must be a number");
  double v = it->value.GetDouble();
  if (v < min_value) throw bad_field(join(path, key) + ": must be >= " + std::to_string(min_value));
  out = v;
}

void read_int(const value& obj, std::string_view key, const std::string& path, int& out, int min_value) {
  double v = out;
  read_number(obj, key, path, v, min_value);
  out = static_cast<int>(v);
}

// A range is either a number (fixed) or {"min": a, "max": b}.
seconds_range parse_range(const value& v, const std::string& path) {
  if (v.IsNumber()) {
    if (v.GetDouble() < 0) throw bad_field(path + ": must be >= 0");
    return {v.GetDouble(), v.GetDouble()};
  }
  if (!v.IsObject()) throw bad_field(path + ": must be a number or {\"min\",\"max\"}");
  seconds_range r;
  read_number(v, "min", path, r.min);
  r.max = r.min;
  read_number(v, "max", path, r.max);
  if (r.max < r.min) throw bad_field(path + ".max: must be >= min");
  return r;
}

void read_range(const value& obj, std::string_view key, const std::string& path, seconds_range& out) {
  auto it = obj.FindMember(rapidjson::StringRef(key.data(), key.size()));
  if (it == obj.MemberEnd() || it->value.IsNull()) return;
  out = parse_range(it->value, join(path, key));
}

const value* object_member(const value& obj, std::string_view key, const std::string& path) {
  auto it = obj.FindMember(rapidjson::StringRef(key.data(), key.size()));
  if (it == obj.MemberEnd() || it->value.IsNull()) return nullptr;
  if (!it->value.IsObject()) throw bad_field(join(path, key) + ": must be an object");
  return &it->value;
}

void parse_outcomes(const value& o, scenario& s) {
  read_number(o, "answer", "outcomes", s.p_answer);
  read_number(o, "busy", "outcomes", s.p_busy);
  read_number(o, "no_answer", "outcomes", s.p_no_answer);
  read_number(o, "machine", "outcomes", s.p_machine);
  read_number(o, "invalid", "outcomes", s.p_invalid);
  if (s.p_answer + s.p_busy + s.p_no_answer + s.p_machine + s.p_invalid <= 0) {
    throw bad_field("outcomes: at least one probability must be > 0");
  }
}

void parse_numbers(const value& o, scenario& s) {
  for (auto& m : o.GetObject()) {
    std::string path = std::string("numbers.") + m.name.GetString();
    if (!m.value.IsObject()) throw bad_field(path + ": must be an object");
    number_override n;
    if (auto it = m.value.FindMember("outcome"); it != m.value.MemberEnd() && !it->value.IsNull()) {
      auto r = it->value.IsString() ? outcome_from_string(it->value.GetString()) : std::nullopt;
      if (!r) throw bad_field(path + ".outcome: must be answer|busy|no_answer|machine|invalid");
      n.result = r;
    }
    if (auto it = m.value.FindMember("ring_s"); it != m.value.MemberEnd() && !it->value.IsNull()) {
      n.ring_s = parse_range(it->value, path + ".ring_s");
    }
    if (auto it = m.value.FindMember("talk_s"); it != m.value.MemberEnd() && !it->value.IsNull()) {
      n.talk_s = parse_range(it->value, path + ".talk_s");
    }
    s.numbers[m.name.GetString()] = n;
  }
}

// A fault probability under "faults": a number in [0, 1].
void read_probability(const value& f, std::string_view key, double& out) {
  read_number(f, key, "faults", out);
  if (out > 1) throw bad_field(join("faults", key) + ": must be <= 1");
}

void parse_faults(const value& f, fault_settings& out) {
  if (auto* r = object_member(f, "webhook_retry", "faults")) {
    read_int(*r, "max_attempts", "faults.webhook_retry", out.webhook_retry.max_attempts, 1);
    read_number(*r, "initial_backoff_s", "faults.webhook_retry", out.webhook_retry.initial_backoff_s);
    read_number(*r, "max_backoff_s", "faults.webhook_retry", out.webhook_retry.max_backoff_s);
    read_number(*r, "timeout_s", "faults.webhook_retry", out.webhook_retry.timeout_s, 0.01);
  }
  read_probability(f, "webhook_duplicate_p", out.webhook_duplicate_p);
  read_probability(f, "webhook_drop_first_p", out.webhook_drop_first_p);
  read_number(f, "webhook_delay_max_s", "faults", out.webhook_delay_max_s);
  read_probability(f, "webhook_delay_p", out.webhook_delay_p);
  read_probability(f, "webhook_reorder_p", out.webhook_reorder_p);
  read_number(f, "webhook_reorder_hold_s", "faults", out.webhook_reorder_hold_s);
  read_probability(f, "webhook_lose_call_p", out.webhook_lose_call_p);
  read_probability(f, "rest_5xx_p", out.rest_5xx_p);
  read_probability(f, "rest_429_p", out.rest_429_p);
  read_number(f, "rest_slow_s", "faults", out.rest_slow_s);
  read_probability(f, "rest_slow_p", out.rest_slow_p);
  read_probability(f, "rest_reset_before_p", out.rest_reset_before_p);
  read_probability(f, "rest_reset_after_p", out.rest_reset_after_p);
  read_int(f, "dial_reply_loss_after", "faults", out.dial_reply_loss_after, 0);
  read_number(f, "dial_reply_loss_s", "faults", out.dial_reply_loss_s);
  if (auto* lost = object_member(f, "lost_commands", "faults")) {
    for (const auto& m : lost->GetObject()) {
      // A misspelt name would lose nothing and the test relying on it would prove nothing: refused.
      static constexpr std::string_view actions[] = {"answer", "bridge", "hangup", "playback_start",
                                                      "playback_stop", "reject", "speak", "transfer"};
      const std::string action = m.name.GetString();
      if (std::find(std::begin(actions), std::end(actions), action) == std::end(actions))
        throw bad_field(join("faults.lost_commands", action) +
                        ": not a call action the sim carries out (answer, bridge, hangup, playback_start, "
                        "playback_stop, reject, speak, transfer)");
      int n = 0;
      read_int(*lost, action, "faults.lost_commands", n, 0);
      out.lost_commands[action] = n;
    }
  }
  read_number(f, "lost_command_hold_s", "faults", out.lost_command_hold_s);
}

scenario parse_root(const value& root) {
  if (!root.IsObject()) throw bad_field("(root): must be an object");
  scenario s;
  if (auto* o = object_member(root, "outcomes", "")) parse_outcomes(*o, s);
  read_range(root, "ring_s", "", s.ring_s);
  read_range(root, "talk_s", "", s.talk_s);
  read_range(root, "amd_s", "", s.amd_s);
  read_number(root, "unbridged_patience_s", "", s.unbridged_patience_s);
  read_number(root, "busy_after_s", "", s.busy_after_s);
  read_number(root, "invalid_after_s", "", s.invalid_after_s);
  read_number(root, "speak_words_per_s", "", s.speak_words_per_s, 0.1);
  read_range(root, "machine_greeting_s", "", s.machine_greeting_s);
  read_number(root, "playback_s", "", s.playback_s);
  if (auto* a = object_member(root, "agent", "")) {
    read_number(*a, "answer_after_s", "agent", s.agent.answer_after_s);
    read_number(*a, "leave_after_s", "agent", s.agent.leave_after_s);
  }
  if (auto it = root.FindMember("agents"); it != root.MemberEnd() && !it->value.IsNull()) {
    if (!it->value.IsArray()) throw bad_field("agents: must be an array of strings");
    for (auto& v : it->value.GetArray()) {
      if (!v.IsString()) throw bad_field("agents: must be an array of strings");
      s.agents.emplace_back(v.GetString());
    }
  }
  if (auto* n = object_member(root, "numbers", "")) parse_numbers(*n, s);
  if (auto* r = object_member(root, "rate_limit", "")) {
    read_int(*r, "dials_per_window", "rate_limit", s.rate_limit.dials_per_window, 1);
    read_number(*r, "window_s", "rate_limit", s.rate_limit.window_s, 0.001);
  }
  if (auto* f = object_member(root, "faults", "")) parse_faults(*f, s.faults);
  return s;
}

}  // namespace

scenario_result parse_scenario(std::string_view json_text) {
  rapidjson::Document doc;
  doc.Parse(json_text.data(), json_text.size());
  if (doc.HasParseError()) {
    return {std::nullopt, std::string("(root): invalid JSON at offset ") + std::to_string(doc.GetErrorOffset()) +
                              ": " + rapidjson::GetParseError_En(doc.GetParseError())};
  }
  try {
    return {parse_root(doc), {}};
  } catch (const std::exception& e) {
    return {std::nullopt, e.what()};
  }
}

scenario_result load_scenario_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return {std::nullopt, "cannot read scenario file " + path};
  std::ostringstream text;
  text << in.rdbuf();
  return parse_scenario(text.str());
}

}  // namespace dialer::sim
