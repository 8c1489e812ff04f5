// The simulated network. Every state change goes through end_call()/answer()/bridge() so the hangup
// rules (park or tear down the peer, stop speech, free the line) live in one place.
#include "dialer/sim/call_world.hpp"

#include <date/date.h>
#include <openssl/rand.h>

#include <algorithm>
#include <array>

#include "dialer/common/ids.hpp"
#include "dialer/common/json.hpp"
#include "dialer/telnyx/base64.hpp"

namespace dialer::sim {

const char* to_string(call_state s) {
  switch (s) {
    case call_state::ringing: return "ringing";
    case call_state::answered: return "answered";
    case call_state::bridged: return "bridged";
    case call_state::ended: return "ended";
  }
  return "ringing";
}

namespace {

using std::chrono::milliseconds;

// Telnyx writes microseconds: "2025-11-23T03:30:00.996306Z".
std::string iso_micro(sys_time t) { return date::format("%FT%TZ", std::chrono::floor<std::chrono::microseconds>(t)); }

milliseconds secs(double s) { return milliseconds(static_cast<long long>(s * 1000.0 + 0.5)); }

// The latency probe stamps a request when it arrived (before its body is parsed and checked against
// the OpenAPI document), or now when the caller did not say.
latency_probe::clock::time_point arrival_of(latency_probe::clock::time_point received_at) {
  return received_at == latency_probe::clock::time_point{} ? latency_probe::clock::now() : received_at;
}

api_error make_error(unsigned status, std::string code, std::string title, std::string detail, std::string pointer = {}) {
  return api_error{status, std::move(code), std::move(title), std::move(detail), std::move(pointer)};
}

api_error unknown_call() {
  return make_error(404, "90015", "Invalid Call Control ID",
                    "The call_control_id provided was not valid or the call has expired.", "/call_control_id");
}
api_error call_ended() {
  return make_error(422, "90018", "Call has already ended",
                    "This call is no longer active and can't receive commands.", "/call_control_id");
}
api_error not_answered() {
  return make_error(422, "90034", "Call not answered yet",
                    "This command cannot be issued before the call is answered.", "/call_control_id");
}

bool is_e164(std::string_view s) {
  if (s.size() < 9 || s.size() > 16 || s[0] != '+' || s[1] == '0') return false;
  return std::all_of(s.begin() + 1, s.end(), [](char ch) { return ch >= '0' && ch <= '9'; });
}

// "v3:" + 30 random bytes in URL-safe base64, the shape of real call control ids.
std::string new_call_control_id() {
  std::array<unsigned char, 30> bytes{};
  RAND_bytes(bytes.data(), static_cast<int>(bytes.size()));
  std::string b64 = telnyx::base64_encode(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
  for (char& ch : b64) {
    if (ch == '+') ch = '-';
    if (ch == '/') ch = '_';
  }
  b64.erase(std::remove(b64.begin(), b64.end(), '='), b64.end());
  return "v3:" + b64;
}

payload_field str(std::string v) { return {std::move(v), false}; }
payload_field raw(std::string v) { return {std::move(v), true}; }

constexpr const char* quality_stats =
    R"({"inbound":{"jitter_max_variance":"0.00","jitter_packet_count":"0","mos":"4.50","packet_count":"1472","skip_packet_count":"0"},"outbound":{"packet_count":"1468","skip_packet_count":"0"}})";

}  // namespace

call_world::call_world(scenario sc, scheduler& sched, std::uint64_t seed, std::string default_webhook_url,
                       webhook_sink sink)
    : scenario_(std::move(sc)), sched_(sched), rng_(seed), default_webhook_url_(std::move(default_webhook_url)),
      sink_(std::move(sink)) {}

api_error call_world::unknown_call_error() { return unknown_call(); }

sim_call* call_world::lookup(std::string_view id) {
  auto it = calls_.find(std::string(id));
  if (it == calls_.end()) return nullptr;
  if (!it->second.alive() && sched_.now() - it->second.ended_sim > retention) return nullptr;
  return &it->second;
}

const sim_call* call_world::find_call(std::string_view id) const {
  return const_cast<call_world*>(this)->lookup(id);
}

std::vector<const sim_call*> call_world::all_calls() const {
  std::vector<const sim_call*> out;
  out.reserve(order_.size());
  for (auto& id : order_) out.push_back(&calls_.at(id));
  return out;
}

std::chrono::milliseconds call_world::draw(const seconds_range& r) {
  if (r.max <= r.min) return secs(r.min);
  std::uniform_real_distribution<double> d(r.min, r.max);
  return secs(d(rng_));
}

outcome call_world::draw_outcome() {
  const auto& s = scenario_;
  std::array<double, 5> w{s.p_answer, s.p_busy, s.p_no_answer, s.p_machine, s.p_invalid};
  std::array<outcome, 5> o{outcome::answer, outcome::busy, outcome::no_answer, outcome::machine, outcome::invalid};
  double total = 0;
  for (double x : w) total += x;
  double pick = std::uniform_real_distribution<double>(0, total)(rng_);
  for (std::size_t i = 0; i < w.size(); ++i) {
    if (pick < w[i]) return o[i];
    pick -= w[i];
  }
  return outcome::no_answer;
}

void call_world::after(sim_call& c, milliseconds d, std::function<void(sim_call&)> fn, timer_slot slot) {
  std::string id = c.call_control_id;
  auto timer = sched_.after(d, [this, id, fn = std::move(fn), slot] {
    auto it = calls_.find(id);
    if (it == calls_.end() || !it->second.alive()) return;
    if (slot) (it->second.*slot).reset();
    fn(it->second);
  });
  c.timers.push_back(timer);
  if (slot) c.*slot = timer;
}

void call_world::cancel_slot(sim_call& c, timer_slot slot) {
  if (!(c.*slot)) return;
  sched_.cancel(*(c.*slot));
  (c.*slot).reset();
}

void call_world::emit(const sim_call& c, std::string_view event_type, payload_fields f) {
  f.emplace("call_control_id", str(c.call_control_id));
  f.emplace("call_leg_id", str(c.call_leg_id));
  f.emplace("call_session_id", str(c.call_session_id));
  f.emplace("client_state", c.client_state.empty() ? raw("null") : str(c.client_state));
  f.emplace("connection_id", str(c.connection_id));
  f.emplace("from", str(c.from));
  f.emplace("to", str(c.to));
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  w.StartObject();
  for (auto& [name, v] : f) {
    w.Key(name.data(), static_cast<rapidjson::SizeType>(name.size()));
    if (v.raw) {
      w.RawValue(v.value.data(), v.value.size(), rapidjson::kObjectType);
    } else {
      w.String(v.value.data(), static_cast<rapidjson::SizeType>(v.value.size()));
    }
  }
  w.EndObject();
  webhook_out out{c.call_control_id, c.webhook_url, std::string(event_type), buf.GetString(), sched_.wall_now()};
  out.customer_leg = c.is_customer();
  sink_(std::move(out));
}

void call_world::track_live(const sim_call& c, int delta) {
  live_calls_ += delta;
  stats_.max_live_calls = std::max(stats_.max_live_calls, live_calls_);
  if (!c.is_customer()) return;
  if (delta > 0 && live_by_to_[c.to] > 0) ++stats_.overlapping_calls_to_number;
  int& t = live_by_to_[c.to];
  t += delta;
  int& tmax = stats_.max_concurrent_calls_per_to_number[c.to];
  tmax = std::max(tmax, t);
  std::string session = c.origin.session_id.empty() ? "(none)" : c.origin.session_id;
  int& s = live_by_session_[session];
  s += delta;
  int& smax = stats_.max_concurrent_customer_calls_by_session[session];
  smax = std::max(smax, s);
  int& n = live_by_from_[c.from];
  n += delta;
  int& nmax = stats_.max_concurrent_calls_per_from_number[c.from];
  nmax = std::max(nmax, n);
}

dial_reply call_world::dial(const dial_params& p) {
  // Telnyx's 60 s command_id window is real time, like the clients that rely on it (dialerd re-sends a
  // dial after a restart only while it is young in real seconds): a time-scaled window would turn a
  // faithful re-send into a second call.
  auto now = sched_.wall_now();
  if (!p.command_id.empty()) {
    auto it = dial_commands_.find(p.command_id);
    if (it != dial_commands_.end() && now - it->second.at < command_window) {
      ++stats_.duplicate_commands_ignored;
      return {std::nullopt, &calls_.at(it->second.call_control_id), true};
    }
  }
  if (!p.to.starts_with("sip:") && !is_e164(p.to)) {
    return {make_error(422, "10016", "Phone number must be in +E.164 format",
                       "The 'to' parameter must be an E.164 phone number or a SIP URI.", "/to")};
  }
  if (!is_e164(p.from)) {
    return {make_error(422, "10016", "Phone number must be in +E.164 format",
                       "The 'from' parameter must be an E.164 phone number.", "/from")};
  }
  if (p.timeout_secs < 5 || p.timeout_secs > 600) {
    return {make_error(422, "10015", "Invalid value", "timeout_secs must be between 5 and 600.", "/timeout_secs")};
  }
  if (!p.client_state.empty() && !telnyx::base64_decode(p.client_state)) {
    return {make_error(422, "10015", "Invalid value", "client_state must be a valid Base-64 encoded string.",
                       "/client_state")};
  }
  // The same attempt dialed a second time (its command_id was new or had expired): a double dial.
  if (!p.client_state.empty() && dials_by_client_state_[p.client_state]++ > 0) ++stats_.double_dials;

  auto& c = new_leg(p.from, p.to, p.connection_id, p.client_state, p.webhook_url);
  const auto& id = c.call_control_id;
  c.amd_mode = p.answering_machine_detection;
  c.amd = !p.answering_machine_detection.empty() && p.answering_machine_detection != "disabled";
  c.timeout_secs = p.timeout_secs;
  if (!p.command_id.empty()) dial_commands_[p.command_id] = dial_command{id, now};

  ++stats_.dials;
  plan(c, p);  // before the first event, so the event knows the leg's kind (timers never fire inside)
  probe_.dial_received(c.call_control_id, c.origin.session_id, c.is_customer(), arrival_of(p.received_at));
  emit(c, "call.initiated",
       {{"calling_party_type", str("pstn")},
        {"caller_id_name", str(c.from)},
        {"direction", str("outgoing")},
        {"start_time", str(iso_micro(c.start_wall))},
        {"state", str("bridging")}});
  ++stats_.calls_by_outcome[c.planned];
  track_live(c, +1);
  return {std::nullopt, &c, false};
}

sim_call& call_world::new_leg(const std::string& from, const std::string& to, const std::string& connection_id,
                              const std::string& client_state, const std::string& webhook_url) {
  std::string id = new_call_control_id();
  auto& c = calls_[id];
  order_.push_back(id);
  c.call_control_id = id;
  c.call_leg_id = random_uuid();
  c.call_session_id = random_uuid();
  c.connection_id = connection_id;
  c.from = from;
  c.to = to;
  c.client_state = client_state;
  c.dial_client_state = client_state;
  c.origin = decode_client_state(client_state);
  c.webhook_url = webhook_url.empty() ? default_webhook_url_ : webhook_url;
  c.start_wall = sched_.wall_now();
  return c;
}

const sim_call& call_world::incoming(const incoming_params& p) {
  auto& c = new_leg(p.from, p.to, p.connection_id, "", "");
  c.incoming = true;
  c.kind = "inbound";
  c.planned = "answer";  // the caller is a person who talks once connected
  c.talk = p.talk_s ? secs(*p.talk_s) : draw(scenario_.talk_s);
  emit(c, "call.initiated",
       {{"calling_party_type", str("pstn")},
        {"caller_id_name", str(c.from)},
        {"direction", str("incoming")},
        {"start_time", str(iso_micro(c.start_wall))},
        {"state", str("parked")}});
  after(c, secs(p.give_up_s), [this](sim_call& call) {
    if (call.state == call_state::ringing) end_call(call, "originator_cancel", "caller", "487");
  });
  track_live(c, +1);
  return c;
}

void call_world::plan(sim_call& c, const dial_params& p) {
  const auto& s = scenario_;
  const number_override* ov = nullptr;
  if (auto it = s.numbers.find(c.to); it != s.numbers.end()) ov = &it->second;
  c.agent_endpoint = c.to.starts_with("sip:") || c.origin.kind == "agent" ||
                     std::find(s.agents.begin(), s.agents.end(), c.to) != s.agents.end();
  if (c.origin.kind == "customer" || c.origin.kind == "agent" || c.origin.kind == "manual") {
    c.kind = c.origin.kind;
  } else {
    c.kind = c.agent_endpoint ? "agent" : "customer";
  }
  milliseconds timeout = secs(p.timeout_secs);
  if (c.agent_endpoint && !(ov && ov->result)) {
    c.planned = "agent";
    c.ring = ov && ov->ring_s ? draw(*ov->ring_s) : secs(s.agent.answer_after_s);
  } else {
    outcome o = ov && ov->result ? *ov->result : draw_outcome();
    c.planned = to_string(o);
    c.ring = ov && ov->ring_s ? draw(*ov->ring_s) : draw(s.ring_s);
    c.talk = ov && ov->talk_s ? draw(*ov->talk_s) : draw(s.talk_s);
  }
  auto hang = [this](std::string cause, std::string source, std::string sip) {
    return [this, cause, source, sip](sim_call& call) { end_call(call, cause, source, sip); };
  };
  if (c.planned == "agent" || c.planned == "answer" || c.planned == "machine") {
    if (c.ring < timeout) {
      after(c, c.ring, [this](sim_call& call) { answer(call); });
    } else {
      after(c, timeout, hang("timeout", "unknown", "487"));
    }
  } else if (c.planned == "busy") {
    after(c, std::min(secs(s.busy_after_s), timeout), hang("user_busy", "callee", "486"));
  } else if (c.planned == "invalid") {
    after(c, secs(s.invalid_after_s), hang("not_found", "callee", "404"));
  } else {
    after(c, timeout, hang("timeout", "unknown", "487"));
  }
  after(c, secs(p.time_limit_secs), hang("time_limit", "unknown", "unspecified"));
}

void call_world::answer(sim_call& c) {
  c.state = call_state::answered;
  c.answered_wall = sched_.wall_now();
  emit(c, "call.answered",
       {{"calling_party_type", str("pstn")}, {"start_time", str(iso_micro(c.start_wall))}, {"state", str("answered")}});
  if (!c.transfer_from.empty()) {
    // The destination of a transfer answered: Telnyx bridges it to the transferred call itself.
    sim_call* a = lookup(c.transfer_from);
    action_params p;
    p.other_call_control_id = c.call_control_id;
    if (!a || !a->alive() || bridge(*a, p)) end_call(c, "normal_clearing", "unknown", "");
    return;
  }
  milliseconds amd_delay{0};
  if (c.amd) {
    amd_delay = draw(scenario_.amd_s);
    bool premium = c.amd_mode == "premium";
    bool machine = c.planned == "machine";
    std::string result = machine ? "machine" : (premium ? "human_residence" : "human");
    std::string type = premium ? "call.machine.premium.detection.ended" : "call.machine.detection.ended";
    after(c, amd_delay, [this, type, result](sim_call& call) { emit(call, type, {{"result", str(result)}}); });
    // With a greeting-end mode Telnyx also reports the end of a machine's greeting (the beep), the
    // moment to leave a voicemail; a machine that hangs up before its greeting ends sends none.
    const bool greeting_mode = c.amd_mode == "greeting_end" || c.amd_mode == "detect_words" ||
                               c.amd_mode == "detect_beep" || premium;
    if (machine && greeting_mode) {
      std::string greeting = premium ? "call.machine.premium.greeting.ended" : "call.machine.greeting.ended";
      after(c, amd_delay + draw(scenario_.machine_greeting_s), [this, greeting](sim_call& call) {
        call.greeting_done = true;
        emit(call, greeting, {{"result", str("beep_detected")}});
      });
    }
  }
  auto hang_up_by_far_end = [this](sim_call& call) { end_call(call, "normal_clearing", "callee", ""); };
  if (c.planned == "agent") {
    if (scenario_.agent.leave_after_s > 0) after(c, secs(scenario_.agent.leave_after_s), hang_up_by_far_end);
  } else if (c.planned == "machine") {
    after(c, amd_delay + c.talk, hang_up_by_far_end);  // the greeting and beep, then the machine hangs up
  } else {
    after(c, amd_delay + secs(scenario_.unbridged_patience_s), hang_up_by_far_end, &sim_call::patience_timer);
  }
}

// A person who is connected talks for their talk time, then hangs up.
void call_world::start_talk_clock(sim_call& c) {
  cancel_slot(c, &sim_call::patience_timer);
  if (c.planned != "answer" || c.talk_timer) return;
  after(c, c.talk, [this](sim_call& call) { end_call(call, "normal_clearing", "callee", ""); },
        &sim_call::talk_timer);
}

void call_world::end_call(sim_call& c, std::string_view cause, std::string_view source, std::string_view sip) {
  if (!c.alive()) return;
  // Media stops before the leg goes: Telnyx reports the interrupted command, then the hangup.
  if (c.speak_timer) emit_message_ended(c, true, "call_hangup");
  if (c.playback_timer) emit_message_ended(c, false, "call_hangup");
  for (auto id : c.timers) sched_.cancel(id);
  c.timers.clear();
  c.patience_timer.reset();
  c.talk_timer.reset();
  c.speak_timer.reset();
  c.playback_timer.reset();
  bool was_answered = c.state != call_state::ringing;
  if (c.is_customer() && c.planned == "answer" && was_answered && c.last_bridged_with.empty()) {
    ++stats_.messages.unconnected_person_calls;  // a drop (or an abandoned call): did it hear a message?
    if (c.heard_message) ++stats_.messages.unconnected_person_calls_with_message;
  }
  c.state = call_state::ended;
  c.end_wall = sched_.wall_now();
  c.ended_sim = sched_.now();
  c.hangup_cause = cause;
  c.hangup_source = source;
  // An empty `sip` means "whatever a normal release carries": 200 once answered, 487 while ringing.
  c.sip_hangup_cause = sip.empty() ? (was_answered ? "200" : "487") : std::string(sip);
  payload_fields f{{"calling_party_type", str("pstn")},
                   {"end_time", str(iso_micro(c.end_wall))},
                   {"hangup_cause", str(c.hangup_cause)},
                   {"hangup_source", str(c.hangup_source)},
                   {"sip_hangup_cause", str(c.sip_hangup_cause)},
                   {"start_time", str(iso_micro(c.start_wall))},
                   {"state", str("hangup")}};
  if (was_answered) f.emplace("call_quality_stats", raw(quality_stats));
  emit(c, "call.hangup", std::move(f));
  ++stats_.hangups_by_cause[c.hangup_cause];
  track_live(c, -1);
  if (!c.transfer_from.empty() && c.last_bridged_with.empty()) {
    // A transfer that was never answered: the caller, alone again, loses patience as before.
    sim_call* a = lookup(c.transfer_from);
    if (a && a->alive() && a->bridged_with.empty() && a->planned == "answer") {
      after(*a, secs(scenario_.unbridged_patience_s),
            [this](sim_call& call) { end_call(call, "normal_clearing", "callee", ""); }, &sim_call::patience_timer);
    }
  }

  if (c.bridged_with.empty()) return;
  std::string peer_id = std::move(c.bridged_with);
  c.bridged_with.clear();
  auto it = calls_.find(peer_id);
  if (it == calls_.end() || !it->second.alive()) return;
  sim_call& peer = it->second;
  peer.bridged_with.clear();
  peer.state = call_state::answered;
  if (peer.park_after_unbridge_self) {
    // Parked: the leg stays up. A person left alone loses patience again.
    cancel_slot(peer, &sim_call::talk_timer);
    if (peer.planned == "answer") {
      after(peer, secs(scenario_.unbridged_patience_s),
            [this](sim_call& call) { end_call(call, "normal_clearing", "callee", ""); }, &sim_call::patience_timer);
    }
  } else {
    end_call(peer, "normal_clearing", "unknown", "");
  }
}

std::optional<api_error> call_world::bridge(sim_call& a, const action_params& p) {
  if (p.other_call_control_id.empty()) {
    return make_error(422, "10015", "Invalid value", "call_control_id is required.", "/call_control_id");
  }
  if (a.state == call_state::ringing) return not_answered();
  auto* b = lookup(p.other_call_control_id);
  if (!b) return unknown_call();
  if (b == &a) return make_error(422, "10015", "Invalid value", "A call cannot be bridged to itself.", "/call_control_id");
  if (!b->alive()) return call_ended();
  if (b->state == call_state::ringing) return not_answered();
  // Re-bridging moves a leg: its previous peer is simply unbridged (no hangups), like a transfer.
  for (sim_call* leg : {&a, b}) {
    if (leg->bridged_with.empty() || leg->bridged_with == (leg == &a ? b->call_control_id : a.call_control_id)) continue;
    if (auto* old = lookup(leg->bridged_with)) {
      old->bridged_with.clear();
      if (old->alive()) old->state = call_state::answered;
    }
  }
  auto now = sched_.wall_now();
  a.bridged_with = b->call_control_id;
  b->bridged_with = a.call_control_id;
  a.last_bridged_with = b->call_control_id;
  b->last_bridged_with = a.call_control_id;
  a.state = b->state = call_state::bridged;
  a.bridged_wall = b->bridged_wall = now;
  a.park_after_unbridge_self = p.park_after_unbridge == "self";
  emit(a, "call.bridged", {{"state", str("bridged")}});
  emit(*b, "call.bridged", {{"state", str("bridged")}});
  start_talk_clock(a);
  start_talk_clock(*b);
  return std::nullopt;
}

std::optional<api_error> call_world::transfer(sim_call& a, const action_params& p) {
  if (p.to.empty()) return make_error(422, "10015", "Invalid value", "to is required.", "/to");
  if (!p.to.starts_with("sip:") && !is_e164(p.to)) {
    return make_error(422, "10016", "Phone number must be in +E.164 format",
                      "The 'to' parameter must be an E.164 phone number or a SIP URI.", "/to");
  }
  if (a.state == call_state::ringing) return not_answered();
  // A new leg B is dialed to `to`; when it answers Telnyx bridges it to this leg. Until then the
  // caller hears ringback (no patience timer); if B fails, this leg stays up.
  auto& b = new_leg(p.from.empty() ? a.from : p.from, p.to, a.connection_id, p.target_leg_client_state, a.webhook_url);
  b.transfer_from = a.call_control_id;
  b.timeout_secs = p.timeout_secs;
  emit(b, "call.initiated",
       {{"calling_party_type", str("pstn")},
        {"caller_id_name", str(b.from)},
        {"direction", str("outgoing")},
        {"start_time", str(iso_micro(b.start_wall))},
        {"state", str("bridging")}});
  dial_params dp;
  dp.timeout_secs = p.timeout_secs;
  plan(b, dp);
  b.kind = "transfer";
  track_live(b, +1);
  cancel_slot(a, &sim_call::patience_timer);
  return std::nullopt;
}

std::optional<api_error> call_world::reject(sim_call& c, const action_params& p) {
  if (c.state != call_state::ringing) {
    return make_error(422, "90035", "Call already answered", "Only a call that is not answered can be rejected.");
  }
  if (p.cause == "USER_BUSY") {
    end_call(c, "user_busy", "callee", "486");
  } else {
    end_call(c, "call_rejected", "callee", "603");
  }
  return std::nullopt;
}

void call_world::emit_message_ended(const sim_call& c, bool speak, std::string_view status) {
  if (status == "completed") ++stats_.messages.completed;
  if (status == "call_hangup") ++stats_.messages.call_hangup;
  if (speak) {
    emit(c, "call.speak.ended", {{"status", str(std::string(status))}});
  } else {
    emit(c, "call.playback.ended",
         {{"media_url", str(c.playback_url)}, {"overlay", raw("false")}, {"status", str(std::string(status))}});
  }
}

void call_world::message_started(sim_call& c, bool speak) {
  ++(speak ? stats_.messages.speak : stats_.messages.playback);
  if (c.planned == "machine" && c.greeting_done && !c.heard_message) ++stats_.messages.voicemails;
  c.heard_message = true;
}

namespace {
std::size_t words_in(std::string_view text) {
  std::size_t words = 0;
  bool in_word = false;
  for (char ch : text) {
    const bool space = ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r';
    if (!space && !in_word) ++words;
    in_word = !space;
  }
  return words;
}
}  // namespace

std::optional<api_error> call_world::speak(sim_call& c, const action_params& p) {
  if (c.state == call_state::ringing) return not_answered();
  // Speech runs at about speak_words_per_s words a second (2.5: a calm recorded message), at least 1 s.
  auto duration = std::max(milliseconds{1000},
                           secs(static_cast<double>(words_in(p.text)) / scenario_.speak_words_per_s));
  if (c.speak_timer) c.queued_speaks.push_back(duration);  // plays when the current one ends
  else start_speak(c, duration);
  return std::nullopt;
}

void call_world::start_speak(sim_call& c, milliseconds duration) {
  message_started(c, true);
  emit(c, "call.speak.started");
  after(c, duration, [this](sim_call& call) {
    emit_message_ended(call, true, "completed");
    if (call.queued_speaks.empty()) return;
    const auto next = call.queued_speaks.front();
    call.queued_speaks.erase(call.queued_speaks.begin());
    start_speak(call, next);
  }, &sim_call::speak_timer);
}

std::optional<api_error> call_world::playback(sim_call& c, const action_params& p) {
  if (c.state == call_state::ringing) return not_answered();
  if (c.playback_timer) c.queued_playbacks.push_back(p.media_url);  // plays when the current one ends
  else start_playback(c, p.media_url);
  return std::nullopt;
}

void call_world::start_playback(sim_call& c, std::string media_url) {
  c.playback_url = std::move(media_url);
  message_started(c, false);
  emit(c, "call.playback.started", {{"media_url", str(c.playback_url)}, {"overlay", raw("false")}});
  after(c, secs(scenario_.playback_s), [this](sim_call& call) {
    emit_message_ended(call, false, "completed");
    if (call.queued_playbacks.empty()) return;
    auto next = std::move(call.queued_playbacks.front());
    call.queued_playbacks.erase(call.queued_playbacks.begin());
    start_playback(call, std::move(next));
  }, &sim_call::playback_timer);
}

std::optional<api_error> call_world::action(std::string_view id, std::string_view action, const action_params& p) {
  sim_call* c = lookup(id);
  if (!c) return unknown_call();
  ++stats_.actions_by_type[std::string(action)];
  if (action == "bridge") probe_.bridge_received(p.other_call_control_id, arrival_of(p.received_at));
  if ((action == "speak" || action == "playback_start") && c->alive() && c->state != call_state::ringing)
    probe_.message_received(c->call_control_id, c->planned == "answer", arrival_of(p.received_at));
  auto now = sched_.wall_now();  // the command_id window is real time (see dial())
  if (!p.command_id.empty()) {
    auto it = c->action_commands.find(p.command_id);
    if (it != c->action_commands.end() && now - it->second < command_window) {
      ++stats_.duplicate_commands_ignored;
      return std::nullopt;
    }
  }
  if (!c->alive()) return call_ended();
  if (!p.client_state.empty()) {
    if (!telnyx::base64_decode(p.client_state)) {
      return make_error(422, "10015", "Invalid value", "client_state must be a valid Base-64 encoded string.",
                        "/client_state");
    }
  }

  // A command's client_state applies to the webhooks it causes (the hangup it triggers included).
  std::string previous_client_state = c->client_state;
  if (!p.client_state.empty()) c->client_state = p.client_state;

  std::optional<api_error> result;
  if (action == "hangup") {
    if (c->state == call_state::ringing) {
      end_call(*c, "originator_cancel", "caller", "487");
    } else {
      end_call(*c, "normal_clearing", "caller", "200");
    }
  } else if (action == "bridge") {
    result = bridge(*c, p);
  } else if (action == "speak") {
    result = speak(*c, p);
  } else if (action == "playback_start") {
    result = playback(*c, p);
  } else if (action == "reject") {
    result = reject(*c, p);
  } else if (action == "transfer") {
    result = transfer(*c, p);
  } else if (action == "answer") {
    // Only an incoming call rings for us to answer; answering a dialed leg changes nothing.
    if (c->incoming && c->state == call_state::ringing) answer(*c);
  } else if (action == "playback_stop") {
    c->queued_playbacks.clear();  // every stop is taken as the default "all": the queue goes too
    if (c->playback_timer) {
      cancel_slot(*c, &sim_call::playback_timer);
      emit(*c, "call.playback.ended",
           {{"media_url", str(c->playback_url)}, {"overlay", raw("false")}, {"status", str("cancelled")}});
    }
  }
  // client_state_update, send_dtmf, gather_*, record_*: accepted; nothing observable to simulate.
  if (result) {
    c->client_state = previous_client_state;
    return result;
  }
  if (!p.command_id.empty()) c->action_commands[p.command_id] = now;
  return std::nullopt;
}

std::optional<api_error> call_world::far_end_hangup(std::string_view id) {
  sim_call* c = lookup(id);
  if (!c) return unknown_call();
  if (!c->alive()) return call_ended();
  if (c->state == call_state::ringing) {
    end_call(*c, "call_rejected", "callee", "603");
  } else {
    end_call(*c, "normal_clearing", "callee", "200");
  }
  return std::nullopt;
}

}  // namespace dialer::sim
