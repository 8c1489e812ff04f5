// Adaptive pacing (SPEC §10): A(N, p) against its formula, the line count under the abandon target
// (the table: 3% target, no margin), the prior, the measured rate, the step-down and the cap,
// and which attempts count as drops.
#include <doctest/doctest.h>

#include <cmath>
#include <string>

#include "dialer/domain/pacing.hpp"

using namespace dialer::domain;

namespace {
// The SPEC's formula written out independently of the code under test.
double formula(int n, double p) { return (n * p - 1 + std::pow(1 - p, n)) / (n * p); }

pacing_inputs adaptive(int cap, campaign_tally t = {}, double prior = 0.10) {
  pacing_inputs in;
  in.adaptive = true;
  in.cap = cap;
  in.target_pct = 3.0;
  in.margin_pct = 0;
  in.prior_answer_rate = prior;
  in.min_dials = 50;
  in.tally = t;
  return in;
}
}  // namespace

TEST_CASE("predicted abandon share follows A(N, p) and is p/2 for two lines") {
  for (double p : {0.01, 0.02, 0.05, 0.10, 0.25, 0.5, 0.9}) {
    CAPTURE(p);
    CHECK(predicted_abandon_share(1, p) == 0.0);
    CHECK(predicted_abandon_share(2, p) == doctest::Approx(p / 2));
    for (int n = 2; n <= 8; ++n) CHECK(predicted_abandon_share(n, p) == doctest::Approx(formula(n, p)));
  }
  CHECK(predicted_abandon_share(3, 0.0) == 0.0);  // nobody answers: nobody is dropped
}

TEST_CASE("lines under a 3% target without margin: p 0.05 allows 2, p 0.02 allows 4, p 0.10 allows 1") {
  struct row {
    double p;
    int lines;
  };
  for (auto r : {row{0.05, 2}, row{0.02, 4}, row{0.10, 1}, row{0.5, 1}, row{0.001, 10}}) {
    CAPTURE(r.p);
    CHECK(max_lines_under(0.03, r.p, 10) == r.lines);
    // The answer is the largest N under the limit: N + 1 is over it (unless the cap stopped it).
    if (r.lines < 10) CHECK(formula(r.lines + 1, r.p) >= 0.03);
  }
  CHECK(max_lines_under(0.03, 0.0, 6) == 6);  // no person answers measured: the cap
}

TEST_CASE("the margin lowers the line count: p 0.02 with a 0.5 point margin allows 3") {
  CHECK(max_lines_under(0.025, 0.02, 10) == 3);
  CHECK(formula(4, 0.02) > 0.025);
}

TEST_CASE("fixed pacing uses the cap whatever the campaign did") {
  pacing_inputs in;
  in.adaptive = false;
  in.cap = 3;
  in.tally = {1000, 500, 400};
  auto d = decide_lines(in);
  CHECK(d.lines == 3);
  CHECK(d.reason == pacing_reason::fixed);
}

TEST_CASE("adaptive pacing starts from the prior until min_dials dials, then uses the measured rate") {
  auto prior = decide_lines(adaptive(8, {49, 49, 0}, 0.02));  // 49 dials all answered: still the prior
  CHECK(prior.reason == pacing_reason::prior);
  CHECK(prior.lines == 4);
  CHECK(prior.answer_rate == doctest::Approx(0.02));

  auto measured = decide_lines(adaptive(8, {100, 5, 0}, 0.02));  // p = 0.05
  CHECK(measured.reason == pacing_reason::measured);
  CHECK(measured.lines == 2);
  CHECK(measured.answer_rate == doctest::Approx(0.05));

  auto high = decide_lines(adaptive(8, {100, 40, 0}, 0.02));  // p = 0.4: lines fall to 1
  CHECK(high.reason == pacing_reason::measured);
  CHECK(high.lines == 1);
}

TEST_CASE("adaptive pacing is capped by the session's lines") {
  auto d = decide_lines(adaptive(3, {1000, 1, 0}));  // p = 0.001 would allow 10
  CHECK(d.lines == 3);
  CHECK(d.reason == pacing_reason::measured);
  CHECK(decide_lines(adaptive(0, {})).lines == 1);
}

TEST_CASE("at the abandon target the campaign steps down to one line") {
  auto at = decide_lines(adaptive(8, {1000, 100, 3}, 0.02));  // exactly 3%
  CHECK(at.lines == 1);
  CHECK(at.reason == pacing_reason::abandon_target_reached);
  auto under = decide_lines(adaptive(8, {1000, 100, 2}, 0.02));  // 2%, p = 0.1 -> 1 line, measured
  CHECK(under.reason == pacing_reason::measured);
  auto prior_phase = decide_lines(adaptive(8, {10, 2, 1}, 0.02));  // 50% before min_dials: still steps down
  CHECK(prior_phase.reason == pacing_reason::abandon_target_reached);
  CHECK(prior_phase.lines == 1);
}

TEST_CASE("abandon rate is drops over person answers") {
  CHECK(abandon_rate_pct({100, 50, 1}) == doctest::Approx(2.0));
  CHECK(abandon_rate_pct({100, 0, 0}) == 0.0);
  CHECK(warning_threshold_pct(3.0) == doctest::Approx(2.4));
}

TEST_CASE("drops: agent-busy drops always, unconnected hang-ups only after 2 s, never a machine") {
  CHECK(counts_as_drop(outcome::dropped_agent_busy, true, 1000, 1500));
  CHECK(counts_as_drop(outcome::abandoned, true, 1000, 3001));
  CHECK_FALSE(counts_as_drop(outcome::abandoned, true, 1000, 3000));  // left within 2 s
  CHECK_FALSE(counts_as_drop(outcome::abandoned, true, std::nullopt, 9000));
  CHECK_FALSE(counts_as_drop(outcome::connected, true, 1000, 90000));
  CHECK_FALSE(counts_as_drop(outcome::machine, false, 1000, 9000));
  CHECK_FALSE(counts_as_drop(outcome::dropped_agent_busy, false, 1000, 1500));
}

TEST_CASE("pacing reasons have wire names") {
  CHECK(to_string(pacing_reason::fixed) == "fixed");
  CHECK(to_string(pacing_reason::prior) == "prior");
  CHECK(to_string(pacing_reason::measured) == "measured");
  CHECK(to_string(pacing_reason::abandon_target_reached) == "abandon_target_reached");
}

TEST_CASE("campaign ids are 1 to 64 URL-safe characters") {
  CHECK(is_campaign_id("default"));
  CHECK(is_campaign_id("spring-sale_2026"));
  CHECK(is_campaign_id(std::string(64, 'a')));
  CHECK_FALSE(is_campaign_id(""));
  CHECK_FALSE(is_campaign_id(std::string(65, 'a')));
  CHECK_FALSE(is_campaign_id("a b"));
  CHECK_FALSE(is_campaign_id("a/b"));
  CHECK_FALSE(is_campaign_id("caf\xc3\xa9"));
}

TEST_CASE("compliance.warning fires once per crossing of 80% of the target and re-arms under it") {
  const std::optional<double> target = 3.0;
  const campaign_tally under{100, 100, 2};  // 2%
  const campaign_tally at{100, 100, 3};     // 3% >= 2.4%
  auto s1 = next_warning(false, under, target);
  CHECK_FALSE(s1.fire);
  CHECK_FALSE(s1.warned);
  auto s2 = next_warning(s1.warned, at, target);
  CHECK(s2.fire);
  CHECK(s2.warned);
  auto s3 = next_warning(s2.warned, {100, 100, 5}, target);  // still over: no second warning
  CHECK_FALSE(s3.fire);
  CHECK(s3.warned);
  auto s4 = next_warning(s3.warned, {100, 300, 5}, target);  // 1.7%: re-armed
  CHECK_FALSE(s4.fire);
  CHECK_FALSE(s4.warned);
  CHECK(next_warning(s4.warned, at, target).fire);          // a new crossing warns again
  CHECK_FALSE(next_warning(false, at, std::nullopt).fire);   // no target: never
  CHECK_FALSE(next_warning(false, {10, 0, 0}, target).fire); // no person answer yet: no rate
  CHECK(at_warning_level({1000, 1000, 24}, target));         // exactly 2.4%
  CHECK_FALSE(at_warning_level({1000, 1000, 23}, target));
}
