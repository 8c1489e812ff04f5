// Pacing and the abandon rate in the engine (SPEC §10): the lines a session dials now (fixed, or
// adaptive from its campaign's 30 days), the campaign tallies behind them and the compliance.warning
// sent when a campaign's rate rises to 80% of the target (once per crossing: again only after it fell
// back under). The arithmetic is domain/pacing.cpp; the counting SQL is store/campaigns.cpp.
#include <algorithm>

#include "dialer/common/log.hpp"
#include "engine_impl.hpp"

namespace dialer::engine {
namespace {
error not_found(const std::string& what) { return {errc::not_found, what + " not found", {}}; }

domain::pacing_inputs inputs_for(const config::config& cfg, const store::session_record& s,
                                 const domain::campaign_tally& t) {
  domain::pacing_inputs in;
  in.cap = std::min<int>(s.concurrent_lines, static_cast<int>(s.selected_numbers.size()));
  const auto& c = cfg.compliance;
  in.adaptive = c && c->pacing == config::pacing_mode::adaptive && c->abandon_target_pct;
  if (in.adaptive) {
    in.target_pct = *c->abandon_target_pct;
    in.margin_pct = c->adaptive.margin_pct;
    in.prior_answer_rate = c->adaptive.prior_answer_rate;
    in.min_dials = c->adaptive.min_dials;
  }
  in.tally = t;
  return in;
}

std::optional<double> target_of(const config::config& cfg) {
  return cfg.compliance ? cfg.compliance->abandon_target_pct : std::nullopt;
}

// The cached campaign, counted again by SQL when missing or older than campaign_reload_ms. Only
// outside a transaction: inside one, SQL would also count writes the settle hook adds after the commit.
campaign_entry& loaded(store::store& db, campaign_cache& cache, const std::string& id, std::int64_t now,
                       std::optional<double> target) {
  auto it = cache.find(id);
  if (it != cache.end() && now - it->second.loaded_at_ms < campaign_reload_ms) return it->second;
  const bool first = it == cache.end();
  auto& e = cache[id];
  e.tally = db.campaign_tally(id, now - abandon_window_ms);
  e.loaded_at_ms = now;
  // A rate already over the threshold when first counted (e.g. after a restart) was warned about
  // before: no new warning until it falls under and rises again.
  if (first || !domain::at_warning_level(e.tally, target)) e.warned = domain::at_warning_level(e.tally, target);
  return e;
}

}  // namespace

session_pacing engine::impl::pacing_of(const store::session_record& s, bool may_load) {
  domain::campaign_tally t;
  if (may_load) {
    t = loaded(db_, campaigns_, s.campaign_id, now_ms(), target_of(cfg_)).tally;
  } else if (auto it = campaigns_.find(s.campaign_id); it != campaigns_.end()) {
    t = it->second.tally;
    // Calls settled earlier in the open batch: committed with it, counted in the cache only after.
    if (deferred_ != nullptr)
      for (const auto& fx : *deferred_)
        for (const auto& c : fx.settled_counts)
          if (c.campaign_id == s.campaign_id) t += c.delta;
  } else {
    t = db_.campaign_tally(s.campaign_id, now_ms() - abandon_window_ms);  // shown, not cached
  }
  auto in = inputs_for(cfg_, s, t);
  auto d = domain::decide_lines(in);
  // Fixed pacing is the seed's rule exactly: concurrentLines, at most one per selected number.
  return {t, in.adaptive ? d.lines : in.cap, d.reason};
}

// Inside a transaction (a webhook batch pumps its freed lines before committing) the cached tally is
// used: SQL would count the batch's settled calls, which their settled_counts add again after the commit.
int engine::impl::effective_lines(const store::session_record& s) {
  return pacing_of(s, !db_.in_transaction()).effective_lines;
}

void engine::impl::count_settled_call(const store::session_record& s, const store::call_record& call, effects& fx) {
  if (call.kind != domain::call_kind::customer || call.call_control_id.empty()) return;  // never placed
  domain::campaign_tally delta;
  delta.dials = 1;
  delta.human_answers = call.state.person_answered ? 1 : 0;
  delta.drops = domain::counts_as_drop(call.state.result, call.state.person_answered, call.state.answered_at_ms,
                                       call.state.ended_at_ms) ? 1 : 0;
  fx.settled_counts.push_back({s.campaign_id, s.id, delta});
}

void engine::impl::apply_settled_count(const effects::settled_count& c) {
  auto it = campaigns_.find(c.campaign_id);
  if (it == campaigns_.end()) return;  // not counted yet: the first load's SQL includes this call
  auto& e = it->second;
  e.tally += c.delta;
  const auto target = target_of(cfg_);
  const auto step = domain::next_warning(e.warned, e.tally, target);
  e.warned = step.warned;
  if (!step.fire) return;
  const double rate = domain::abandon_rate_pct(e.tally);
  log::warn("engine", "campaign abandon rate near the target",
            {{"campaign", c.campaign_id}, {"rate_pct", std::to_string(rate)}, {"target_pct", std::to_string(*target)}});
  effects warning;  // compliance.warning is not a CRM push type: emit writes nothing here
  emit(warning, event_types::compliance_warning, c.session_id,
       compliance_warning_json(c.campaign_id, c.session_id, e.tally, *target));
  run(std::move(warning));
}

session_pacing engine::pacing(const store::session_record& s) { return impl_->pacing_of(s, true); }

result<campaign_compliance> engine::compliance_of(const std::string& campaign_id) {
  auto& m = *impl_;
  if (!db_.has_campaign(campaign_id)) return not_found("campaign");
  campaign_compliance out;
  out.campaign_id = campaign_id;
  out.target_pct = target_of(cfg_);
  // Counted by SQL now, the truth; that also refreshes the cached tally (no transaction is open here).
  const auto now = m.now_ms();
  if (auto it = m.campaigns_.find(campaign_id); it != m.campaigns_.end())
    it->second.loaded_at_ms = now - campaign_reload_ms;
  out.tally = loaded(db_, m.campaigns_, campaign_id, now, out.target_pct).tally;
  return out;
}

}  // namespace dialer::engine
