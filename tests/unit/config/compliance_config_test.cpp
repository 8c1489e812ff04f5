// The "compliance" block (SPEC §10): absent keys take the US defaults, null switches a protection off,
// and each bad value is an error naming its JSON path.
#include <doctest/doctest.h>

#include <string>

#include "dialer/config/config.hpp"

namespace cfg = dialer::config;

namespace {

const char* no_env(const char*) { return nullptr; }

std::string config_with(const std::string& compliance_json, int ring_timeout_s = 30) {
  return R"({
    "server": { "listen": "127.0.0.1:8080" },
    "database": "var/dialer.db",
    "telnyx": { "api_key": "KEY0123456789", "connection_id": "1234567890",
                "public_key": "+7E99DXiiQXvceNX4nHm3Lbm5mqPWad5RhDr2ufuCik=" },
    "numbers": ["+15550000001"],
    "agents": [ { "id": "alice", "endpoint": "sip:alice@example.com" } ],
    "dialing": { "ring_timeout_s": )" +
         std::to_string(ring_timeout_s) + R"( },
    "api": { "tokens": ["tok-0123456789abcdef"] })" +
         (compliance_json.empty() ? std::string() : ",\n\"compliance\": " + compliance_json) + "\n}";
}

cfg::compliance_settings loaded(const std::string& compliance_json) {
  auto r = cfg::parse(config_with(compliance_json), no_env);
  REQUIRE_MESSAGE(r.value, (r.error ? r.error->to_string() : ""));
  REQUIRE(r.value->compliance);
  return *r.value->compliance;
}

}  // namespace

TEST_CASE("without a compliance block the seed's behaviour is configured") {
  auto r = cfg::parse(config_with(""), no_env);
  REQUIRE(r.value);
  CHECK_FALSE(r.value->compliance);
  auto null_block = cfg::parse(config_with("null"), no_env);
  REQUIRE(null_block.value);
  CHECK_FALSE(null_block.value->compliance);
}

TEST_CASE("an empty compliance block takes the US defaults and leaves the drop message off") {
  auto c = loaded("{}");
  CHECK_FALSE(c.drop_message);
  CHECK(c.pacing == cfg::pacing_mode::fixed);
  CHECK(c.abandon_target_pct == doctest::Approx(3.0));
  REQUIRE(c.calling_hours);
  CHECK(c.calling_hours->window.start_min == 8 * 60);
  CHECK(c.calling_hours->window.end_min == 21 * 60);
  CHECK(c.calling_hours->regions.empty());
  CHECK(c.default_region == "US");
  CHECK(c.max_calls_per_number_24h == 3);
  CHECK(c.min_ring_s == 15);
  CHECK_FALSE(c.voicemail_message);
}

TEST_CASE("the SPEC's example block loads with every value") {
  auto c = loaded(R"({
    "drop_message": { "text": "This is Acme Sales, call us back at 312 555 0100.", "voice": "male", "audio_url": null },
    "pacing": "adaptive",
    "adaptive": { "margin_pct": 1, "prior_answer_rate": 0.2, "min_dials": 10 },
    "abandon_target_pct": 2.5,
    "calling_hours": { "start": "09:00", "end": "20:30", "regions": { "US-FL": ["08:00", "20:00"], "US-OK": ["08:00", "20:00"] } },
    "default_region": "CA",
    "max_calls_per_number_24h": 2,
    "min_ring_s": 20,
    "voicemail_message": { "audio_url": "https://example.com/vm.mp3", "timeout_s": 60 }
  })");
  REQUIRE(c.drop_message);
  CHECK(c.drop_message->text.starts_with("This is Acme Sales"));
  CHECK(c.drop_message->voice == "male");
  CHECK(c.drop_message->audio_url.empty());
  CHECK(c.pacing == cfg::pacing_mode::adaptive);
  CHECK(c.adaptive.margin_pct == doctest::Approx(1.0));
  CHECK(c.adaptive.prior_answer_rate == doctest::Approx(0.2));
  CHECK(c.adaptive.min_dials == 10);
  CHECK(c.abandon_target_pct == doctest::Approx(2.5));
  CHECK(c.calling_hours->window.start_min == 9 * 60);
  CHECK(c.calling_hours->window.end_min == 20 * 60 + 30);
  CHECK(c.calling_hours->regions.at("US-FL").end_min == 20 * 60);
  CHECK(c.calling_hours->regions.at("US-OK").start_min == 8 * 60);
  CHECK(c.default_region == "CA");
  CHECK(c.max_calls_per_number_24h == 2);
  CHECK(c.min_ring_s == 20);
  REQUIRE(c.voicemail_message);
  CHECK(c.voicemail_message->audio_url == "https://example.com/vm.mp3");
  CHECK(c.voicemail_message->timeout_s == 60);
}

TEST_CASE("null switches one protection off") {
  auto c = loaded(R"({"abandon_target_pct": null, "calling_hours": null, "max_calls_per_number_24h": null,
                      "min_ring_s": null, "drop_message": null})");
  CHECK_FALSE(c.abandon_target_pct);
  CHECK_FALSE(c.calling_hours);
  CHECK_FALSE(c.max_calls_per_number_24h);
  CHECK_FALSE(c.min_ring_s);
  CHECK_FALSE(c.drop_message);
}

TEST_CASE("bad compliance values name their JSON path") {
  struct bad_case {
    const char* block;
    const char* error;
  };
  const bad_case cases[] = {
      {R"({"pacing": "fast"})", R"(compliance.pacing: must be "fixed" or "adaptive")"},
      {R"({"pacng": "fixed"})", R"(compliance.pacng: unknown key (did you mean "pacing"?))"},
      {R"({"abandon_target_pct": 0})", "compliance.abandon_target_pct: must be a number from 0.1 to 100"},
      {R"({"abandon_target_pct": "3"})", "compliance.abandon_target_pct: must be a number from 0.1 to 100"},
      {R"({"pacing": "adaptive", "abandon_target_pct": null})",
       "compliance.abandon_target_pct: adaptive pacing needs an abandon target"},
      {R"({"adaptive": {"prior_answer_rate": 2}})", "compliance.adaptive.prior_answer_rate: must be a number from 0.001 to 1"},
      {R"({"calling_hours": {"start": "8:00"}})", R"(compliance.calling_hours.start: must be a time "HH:MM")"},
      {R"({"calling_hours": {"end": "25:00"}})", "compliance.calling_hours.end: must be a time from 00:00 to 24:00"},
      {R"({"calling_hours": {"start": "21:00", "end": "08:00"}})", "compliance.calling_hours.end: must be later than start"},
      {R"({"calling_hours": {"regions": {"Florida": ["08:00", "20:00"]}}})",
       R"(compliance.calling_hours.regions.Florida: must be an ISO 3166-2 code such as "US-FL")"},
      {R"({"calling_hours": {"regions": {"US-FL": ["08:00"]}}})",
       R"(compliance.calling_hours.regions.US-FL: must be ["HH:MM", "HH:MM"])"},
      {R"({"calling_hours": {"regions": {"US-FL": ["20:00", "08:00"]}}})",
       "compliance.calling_hours.regions.US-FL[1]: must be later than the start of the window"},
      {R"({"default_region": "usa"})", R"(compliance.default_region: must be an ISO 3166-1 alpha-2 code such as "US")"},
      {R"({"max_calls_per_number_24h": 0})", "compliance.max_calls_per_number_24h: must be an integer from 1 to 1000"},
      {R"({"drop_message": {"voice": "female"}})", "compliance.drop_message.text: required (or audio_url)"},
      {R"({"drop_message": {"text": "hi", "audio_url": "ftp://x/y.mp3"}})",
       "compliance.drop_message.audio_url: must be an http:// or https:// URL"},
      {R"({"voicemail_message": "hello"})", "compliance.voicemail_message: must be an object"},
      {R"({"min_ring_s": 31})", "dialing.ring_timeout_s: must be at least compliance.min_ring_s (31)"},
      {R"([1])", "compliance: must be an object"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.block);
    auto r = cfg::parse(config_with(c.block), no_env);
    REQUIRE(r.error);
    CHECK(r.error->to_string() == c.error);
  }
}

TEST_CASE("ring_timeout_s may not go below min_ring_s, and 15 s holds without the block") {
  CHECK(cfg::parse(config_with(R"({"min_ring_s": 20})", 20), no_env).value);
  auto below = cfg::parse(config_with(R"({"min_ring_s": 20})", 19), no_env);
  REQUIRE(below.error);
  CHECK(below.error->to_string() == "dialing.ring_timeout_s: must be at least compliance.min_ring_s (20)");
  auto seed = cfg::parse(config_with("", 14), no_env);
  REQUIRE(seed.error);
  CHECK(seed.error->path == "dialing.ring_timeout_s");
}

TEST_CASE("a voicemail message needs an AMD mode that reports the end of the greeting") {
  const std::string block = R"({"voicemail_message": {"text": "Hi, this is Acme, call us at 312 555 0100."}})";
  auto with_amd = [&](const std::string& mode) {
    auto text = config_with(block);
    const std::string dialing = R"("dialing": { "ring_timeout_s": 30 })";
    text.replace(text.find(dialing), dialing.size(),
                 R"("dialing": { "ring_timeout_s": 30, "machine_detection": ")" + mode + R"(" })");
    return cfg::parse(text, no_env);
  };
  auto detect = with_amd("detect");
  REQUIRE(detect.error);
  CHECK(detect.error->to_string().find("compliance.voicemail_message") != std::string::npos);
  for (const char* mode : {"greeting_end", "detect_words", "detect_beep", "premium", "disabled"}) {
    CAPTURE(mode);
    auto r = with_amd(mode);
    REQUIRE_MESSAGE(r.value, (r.error ? r.error->to_string() : ""));
    REQUIRE(r.value->compliance->voicemail_message);
    CHECK(r.value->compliance->voicemail_message->voice == "female");
  }
}
