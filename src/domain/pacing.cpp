// Adaptive pacing math (SPEC §10): A(N, p), the line count under the abandon target, drop counting.
#include "dialer/domain/pacing.hpp"

#include <algorithm>
#include <cmath>

namespace dialer::domain {
namespace {
// rate >= limit, forgiving the last bits of floating point (2.4% of answers is 0.8 x 3% exactly).
bool reached(double rate_pct, double limit_pct) { return rate_pct >= limit_pct - 1e-9; }
}  // namespace

bool is_campaign_id(std::string_view id) {
  return !id.empty() && id.size() <= 64 && std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
  });
}

bool counts_as_drop(outcome result, bool person_answered, std::optional<std::int64_t> answered_at_ms,
                    std::optional<std::int64_t> ended_at_ms) {
  if (!person_answered) return false;
  if (result == outcome::dropped_agent_busy) return true;
  if (result != outcome::abandoned) return false;
  return answered_at_ms && ended_at_ms && *ended_at_ms - *answered_at_ms > abandon_grace_ms;
}

double abandon_rate_pct(const campaign_tally& t) {
  if (t.human_answers <= 0) return 0;
  return 100.0 * static_cast<double>(t.drops) / static_cast<double>(t.human_answers);
}

double predicted_abandon_share(int lines, double answer_rate) {
  if (lines <= 1 || !(answer_rate > 0)) return 0;
  const double p = std::min(answer_rate, 1.0);
  const double n = lines;
  return (n * p - 1 + std::pow(1 - p, n)) / (n * p);
}

int max_lines_under(double limit_share, double answer_rate, int cap) {
  int best = 1;
  // A(N, p) grows with N, so the first N over the limit ends the search.
  for (int n = 2; n <= cap; ++n) {
    if (!(predicted_abandon_share(n, answer_rate) < limit_share)) break;
    best = n;
  }
  return best;
}

std::string_view to_string(pacing_reason r) {
  switch (r) {
    case pacing_reason::fixed: return "fixed";
    case pacing_reason::prior: return "prior";
    case pacing_reason::measured: return "measured";
    case pacing_reason::abandon_target_reached: return "abandon_target_reached";
  }
  return "fixed";
}

pacing_decision decide_lines(const pacing_inputs& in) {
  const int cap = std::max(1, in.cap);
  if (!in.adaptive) return {cap, pacing_reason::fixed, 0};
  const auto& t = in.tally;
  const bool measured = t.dials >= in.min_dials && t.dials > 0;
  const double p = measured ? static_cast<double>(t.human_answers) / static_cast<double>(t.dials)
                            : in.prior_answer_rate;
  if (t.human_answers > 0 && reached(abandon_rate_pct(t), in.target_pct))
    return {1, pacing_reason::abandon_target_reached, p};
  const double limit = (in.target_pct - in.margin_pct) / 100.0;
  return {max_lines_under(limit, p, cap), measured ? pacing_reason::measured : pacing_reason::prior, p};
}

double warning_threshold_pct(double target_pct) { return 0.8 * target_pct; }

bool at_warning_level(const campaign_tally& t, std::optional<double> target_pct) {
  return target_pct && t.human_answers > 0 && reached(abandon_rate_pct(t), warning_threshold_pct(*target_pct));
}

warning_step next_warning(bool warned, const campaign_tally& t, std::optional<double> target_pct) {
  if (!at_warning_level(t, target_pct)) return {false, false};
  return {!warned, true};
}

}  // namespace dialer::domain
