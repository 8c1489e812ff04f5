// The optional "compliance" block (SPEC §10): the US telemarketing protections and their settings.
// Absent block: the seed's behaviour (silent drops, fixed lines, no hours, no caps). Inside the block
// an absent key takes the US default shown in the SPEC; a key set to null switches that protection off.
#pragma once
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace dialer::config {

// A recorded message: spoken text (Telnyx `speak`) or, when audio_url is set, an audio file
// (Telnyx `playback_start`). Used for the drop message and the voicemail left on a machine.
struct message_settings {
  std::string text;                 // what `speak` says; may be empty only when audio_url is set
  std::string voice = "female";     // Telnyx speak voice
  std::string language = "en-US";   // Telnyx speak language
  std::string audio_url;            // http(s) URL: played with playback_start instead of speak
  int timeout_s = 30;               // hang up this long after starting when no *.ended webhook came
};

// How a session's lines are used.
enum class pacing_mode {
  fixed,     // always the session's concurrentLines (the seed)
  adaptive,  // the largest line count whose predicted abandon share stays under the target
};

// Adaptive pacing inputs (SPEC §10 A(N, p)).
struct adaptive_settings {
  double margin_pct = 0.5;          // the predicted abandon share must stay under target - margin
  double prior_answer_rate = 0.10;  // person answers per dial assumed until min_dials dials were made
  int min_dials = 50;               // dials in the campaign's 30 days before the measured rate is used
};

// A local-time window [start, end) in minutes after midnight.
struct time_window {
  int start_min = 8 * 60;
  int end_min = 21 * 60;
};

struct calling_hours_settings {
  time_window window;                         // "start"/"end" as "HH:MM"
  std::map<std::string, time_window> regions;  // "US-FL" -> narrower window (ISO 3166-2 codes)
};

struct compliance_settings {
  std::optional<message_settings> drop_message;       // null/absent: silent drop (warned at start)
  pacing_mode pacing = pacing_mode::fixed;
  adaptive_settings adaptive;
  std::optional<double> abandon_target_pct = 3.0;     // null: no abandon target (no step-down, no warning)
  std::optional<calling_hours_settings> calling_hours = calling_hours_settings{};  // null: any hour
  std::string default_region = "US";                  // ISO 3166-1 region for numbers and time zones
  std::optional<int> max_calls_per_number_24h = 3;    // null: no cap
  std::optional<int> min_ring_s = 15;                 // ring_timeout_s must be at least this
  std::optional<message_settings> voicemail_message;  // AMD machine: left after the beep; null: hang up
};

// The protections SPEC §10 names that `settings` leaves off, for the one start-up warning:
// {"drop message (answered calls no agent can take are hung up in silence)", ...}; empty when all are on.
// nullptr (no compliance block) lists every one.
std::vector<std::string> protections_off(const compliance_settings* settings);

}  // namespace dialer::config
