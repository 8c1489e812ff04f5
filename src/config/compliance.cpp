// Validates the optional "compliance" block (SPEC §10). Absent keys keep the US defaults of
// compliance_settings; null switches a protection off; every bad value names its JSON path.
#include <cctype>
#include <sstream>

#include "validation.hpp"

namespace dialer::config::detail {
namespace {

bool is_null(const json_value* v) { return v != nullptr && v->IsNull(); }

bool is_http_url(std::string_view url) {
  return (url.starts_with("http://") && url.size() > 7) || (url.starts_with("https://") && url.size() > 8);
}

double number(const json_value& v, const std::string& path, double lo, double hi) {
  if (!v.IsNumber() || !(v.GetDouble() >= lo) || !(v.GetDouble() <= hi)) {
    std::ostringstream message;
    message << "must be a number from " << lo << " to " << hi;
    fail(path, message.str());
  }
  return v.GetDouble();
}

// "HH:MM", 00:00 to 24:00, as minutes after midnight.
int clock_minutes(const json_value& v, const std::string& path) {
  const std::string_view text = v.IsString() ? std::string_view(v.GetString(), v.GetStringLength()) : "";
  auto digit = [&](std::size_t i) { return std::isdigit(static_cast<unsigned char>(text[i])) != 0; };
  if (text.size() != 5 || text[2] != ':' || !digit(0) || !digit(1) || !digit(3) || !digit(4)) {
    fail(path, "must be a time \"HH:MM\"");
  }
  const int hours = (text[0] - '0') * 10 + (text[1] - '0');
  const int minutes = (text[3] - '0') * 10 + (text[4] - '0');
  if (hours > 24 || minutes > 59 || (hours == 24 && minutes != 0)) fail(path, "must be a time from 00:00 to 24:00");
  return hours * 60 + minutes;
}

time_window window(const json_value& start, const json_value& end, const std::string& start_path,
                   const std::string& end_path) {
  time_window w{clock_minutes(start, start_path), clock_minutes(end, end_path)};
  if (w.end_min <= w.start_min) fail(end_path, "must be later than the start of the window");
  return w;
}

// "US-FL": an ISO 3166-1 alpha-2 country, "-", and 1 to 3 letters or digits.
bool is_subdivision_code(std::string_view code) {
  if (code.size() < 4 || code.size() > 6 || code[2] != '-') return false;
  auto upper = [](char c) { return c >= 'A' && c <= 'Z'; };
  if (!upper(code[0]) || !upper(code[1])) return false;
  return std::all_of(code.begin() + 3, code.end(), [&](char c) { return upper(c) || (c >= '0' && c <= '9'); });
}

bool is_region_code(std::string_view code) {
  return code.size() == 2 && code[0] >= 'A' && code[0] <= 'Z' && code[1] >= 'A' && code[1] <= 'Z';
}

std::optional<message_settings> read_message(const object_view& block, std::string_view key) {
  const json_value* v = block.find(key);
  if (v == nullptr || v->IsNull()) return std::nullopt;
  object_view m(*v, block.path(key), {"text", "voice", "language", "audio_url", "timeout_s"});
  message_settings out;
  if (auto t = m.string("text")) out.text = *t;
  if (auto t = m.string("voice")) out.voice = *t;
  if (auto t = m.string("language")) out.language = *t;
  if (const json_value* url = m.find("audio_url"); url != nullptr && !url->IsNull()) {
    out.audio_url = m.string("audio_url").value_or("");
    if (!is_http_url(out.audio_url)) fail(m.path("audio_url"), "must be an http:// or https:// URL");
  }
  if (out.text.empty() && out.audio_url.empty()) fail(m.path("text"), "required (or audio_url)");
  if (auto n = m.integer("timeout_s", 1, 600)) out.timeout_s = static_cast<int>(*n);
  return out;
}

void read_calling_hours(const object_view& block, compliance_settings& c) {
  const json_value* v = block.find("calling_hours");
  if (is_null(v)) {
    c.calling_hours.reset();
    return;
  }
  if (v == nullptr) return;
  object_view hours(*v, block.path("calling_hours"), {"start", "end", "regions"});
  calling_hours_settings out;
  const json_value* start = hours.find("start");
  const json_value* end = hours.find("end");
  if (start != nullptr) out.window.start_min = clock_minutes(*start, hours.path("start"));
  if (end != nullptr) out.window.end_min = clock_minutes(*end, hours.path("end"));
  if (out.window.end_min <= out.window.start_min) fail(hours.path("end"), "must be later than start");
  if (const json_value* regions = hours.find("regions"); regions != nullptr && !regions->IsNull()) {
    if (!regions->IsObject()) fail(hours.path("regions"), "must be an object of \"CC-RR\": [\"HH:MM\", \"HH:MM\"]");
    for (const auto& m : regions->GetObject()) {
      const std::string code(m.name.GetString(), m.name.GetStringLength());
      const std::string path = join(hours.path("regions"), code);
      if (!is_subdivision_code(code)) fail(path, "must be an ISO 3166-2 code such as \"US-FL\"");
      if (out.regions.count(code)) fail(path, "duplicate key");
      if (!m.value.IsArray() || m.value.Size() != 2) fail(path, "must be [\"HH:MM\", \"HH:MM\"]");
      out.regions[code] = window(m.value[0], m.value[1], index(path, 0), index(path, 1));
    }
  }
  c.calling_hours = std::move(out);
}

void read_adaptive(const object_view& block, compliance_settings& c) {
  const json_value* v = block.find("adaptive");
  if (v == nullptr || v->IsNull()) return;
  object_view a(*v, block.path("adaptive"), {"margin_pct", "prior_answer_rate", "min_dials"});
  if (const json_value* m = a.find("margin_pct")) c.adaptive.margin_pct = number(*m, a.path("margin_pct"), 0, 50);
  if (const json_value* p = a.find("prior_answer_rate")) {
    c.adaptive.prior_answer_rate = number(*p, a.path("prior_answer_rate"), 0.001, 1);
  }
  if (auto n = a.integer("min_dials", 1, 1000000)) c.adaptive.min_dials = static_cast<int>(*n);
}

}  // namespace

void read_compliance(const object_view& root, config& out) {
  const json_value* v = root.find("compliance");
  if (v == nullptr || v->IsNull()) return;
  object_view block(*v, "compliance",
                    {"drop_message", "pacing", "adaptive", "abandon_target_pct", "calling_hours", "default_region",
                     "max_calls_per_number_24h", "min_ring_s", "voicemail_message"});
  compliance_settings c;
  c.drop_message = read_message(block, "drop_message");
  c.voicemail_message = read_message(block, "voicemail_message");
  // Telnyx reports the end of a machine's greeting (when to leave the voicemail) only in these modes.
  if (c.voicemail_message && out.dialing.machine_detection == "detect") {
    fail(block.path("voicemail_message"),
         "needs dialing.machine_detection greeting_end, detect_words, detect_beep or premium (\"detect\" never "
         "reports the end of the greeting)");
  }
  if (const json_value* p = block.find("pacing"); p != nullptr && !p->IsNull()) {
    const std::string_view mode = p->IsString() ? std::string_view(p->GetString(), p->GetStringLength()) : "";
    if (mode == "fixed") {
      c.pacing = pacing_mode::fixed;
    } else if (mode == "adaptive") {
      c.pacing = pacing_mode::adaptive;
    } else {
      fail(block.path("pacing"), "must be \"fixed\" or \"adaptive\"");
    }
  }
  read_adaptive(block, c);
  if (const json_value* t = block.find("abandon_target_pct")) {
    c.abandon_target_pct = t->IsNull() ? std::nullopt
                                       : std::optional<double>(number(*t, block.path("abandon_target_pct"), 0.1, 100));
  }
  if (c.pacing == pacing_mode::adaptive && !c.abandon_target_pct) {
    fail(block.path("abandon_target_pct"), "adaptive pacing needs an abandon target");
  }
  read_calling_hours(block, c);
  if (const json_value* r = block.find("default_region"); r != nullptr && !r->IsNull()) {
    const std::string_view code = r->IsString() ? std::string_view(r->GetString(), r->GetStringLength()) : "";
    if (!is_region_code(code)) fail(block.path("default_region"), "must be an ISO 3166-1 alpha-2 code such as \"US\"");
    c.default_region = std::string(code);
  }
  if (is_null(block.find("max_calls_per_number_24h"))) {
    c.max_calls_per_number_24h.reset();
  } else if (auto n = block.integer("max_calls_per_number_24h", 1, 1000)) {
    c.max_calls_per_number_24h = static_cast<int>(*n);
  }
  if (is_null(block.find("min_ring_s"))) {
    c.min_ring_s.reset();
  } else if (auto n = block.integer("min_ring_s", 1, 600)) {
    c.min_ring_s = static_cast<int>(*n);
  }
  if (c.min_ring_s && out.dialing.ring_timeout_s < *c.min_ring_s) {
    fail("dialing.ring_timeout_s", "must be at least compliance.min_ring_s (" + std::to_string(*c.min_ring_s) + ")");
  }
  out.compliance = std::move(c);
}

}  // namespace dialer::config::detail

namespace dialer::config {

std::vector<std::string> protections_off(const compliance_settings* c) {
  std::vector<std::string> off;
  if (c == nullptr || !c->drop_message) off.push_back("drop message (answered calls no agent can take are hung up in silence)");
  if (c == nullptr || !c->abandon_target_pct) off.push_back("abandon-rate target");
  if (c == nullptr || c->pacing != pacing_mode::adaptive) off.push_back("adaptive pacing (lines are fixed)");
  if (c == nullptr || !c->calling_hours) off.push_back("calling hours");
  if (c == nullptr || !c->max_calls_per_number_24h) off.push_back("calls-per-number cap");
  return off;
}

}  // namespace dialer::config
