// Adaptive pacing and the abandon rate (SPEC §10), pure: which attempts count as drops and person
// answers, the predicted abandon share A(N, p) of N lines, and the line count a campaign may use.
#pragma once
#include <cstdint>
#include <optional>
#include <string_view>

#include "dialer/domain/types.hpp"

namespace dialer::domain {

// A campaignId: 1 to 64 of A-Z a-z 0-9 _ - (the rule of agent ids; it appears in URL paths).
bool is_campaign_id(std::string_view id);

// An abandoned call is one where no agent was connected within this long of the person's answer.
inline constexpr std::int64_t abandon_grace_ms = 2000;

// A campaign's settled customer attempts over its rolling 30 days.
struct campaign_tally {
  std::int64_t dials = 0;          // attempts Telnyx placed (had a call_control_id), ended
  std::int64_t human_answers = 0;  // of them, answered by a person (AMD machines excluded)
  std::int64_t drops = 0;          // of them, abandoned in the legal sense (counts_as_drop)
  bool operator==(const campaign_tally&) const = default;
  campaign_tally& operator+=(const campaign_tally& more) {
    dials += more.dials;
    human_answers += more.human_answers;
    drops += more.drops;
    return *this;
  }
};

// True when an ended attempt is a drop: a person answered and no agent took the call. Either the
// dialer hung up on it (dropped_agent_busy, with or without the drop message), or the person hung
// up unconnected (abandoned) more than abandon_grace_ms after answering; one who left within 2 s
// was not kept waiting past the legal limit and is not counted.
bool counts_as_drop(outcome result, bool person_answered, std::optional<std::int64_t> answered_at_ms,
                    std::optional<std::int64_t> ended_at_ms);

// drops / human_answers x 100; 0 when there was no person answer.
double abandon_rate_pct(const campaign_tally& t);

// A(N, p) = (N·p − 1 + (1 − p)^N) / (N·p): the share of person answers dropped when N lines dial at
// once and every person after the first is dropped. 0 for N <= 1 or p <= 0; p is clamped to 1.
double predicted_abandon_share(int lines, double answer_rate);

// The largest N in [1, cap] with A(N, p) < limit_share (N = 1 always: A(1, p) = 0). cap < 1 reads as 1.
int max_lines_under(double limit_share, double answer_rate, int cap);

// Why a session uses the number of lines it does.
enum class pacing_reason {
  fixed,                   // pacing "fixed": the session's concurrentLines (capped by its numbers)
  prior,                   // adaptive, fewer than min_dials dials yet: from prior_answer_rate
  measured,                // adaptive, from the campaign's measured person answers per dial
  abandon_target_reached,  // adaptive, the campaign's 30-day abandon rate reached the target: 1 line
};
std::string_view to_string(pacing_reason r);

struct pacing_inputs {
  bool adaptive = false;           // false: fixed pacing, the cap
  int cap = 1;                     // the session's lines (concurrentLines, at most its numbers)
  double target_pct = 3.0;         // abandon target, percent of person answers
  double margin_pct = 0.5;         // A(N, p) must stay under target - margin (percent)
  double prior_answer_rate = 0.10; // person answers per dial assumed until min_dials dials
  std::int64_t min_dials = 50;
  campaign_tally tally;            // the campaign's 30 days
};

struct pacing_decision {
  int lines = 1;
  pacing_reason reason = pacing_reason::fixed;
  double answer_rate = 0;  // the p used (0 for fixed pacing)
};

// How many lines a session dials at once. Fixed: the cap. Adaptive: 1 line once the campaign's
// abandon rate reached the target, else max_lines_under(target - margin, p, cap) with p measured
// (human_answers / dials) once there were min_dials dials, the prior before.
pacing_decision decide_lines(const pacing_inputs& in);

// The abandon rate (percent) at which compliance.warning fires: 80% of the target (2.4% of 3%).
double warning_threshold_pct(double target_pct);

// True when the campaign has a person answer and its rate is at or over warning_threshold_pct.
// Always false without a target.
bool at_warning_level(const campaign_tally& t, std::optional<double> target_pct);

// The warning after a campaign's tally changed: it fires when the rate reaches the threshold while
// not warned yet, and is re-armed (warned false) once the rate is back under it; so once per crossing.
struct warning_step {
  bool fire = false;    // send compliance.warning now
  bool warned = false;  // the state to keep
};
warning_step next_warning(bool warned, const campaign_tally& t, std::optional<double> target_pct);

}  // namespace dialer::domain
