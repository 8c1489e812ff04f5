// Wire names of the domain enums, and the hangup-cause table of SPEC §4.
#include "dialer/domain/types.hpp"

#include <array>
#include <utility>

namespace dialer::domain {
namespace {
template <class E, std::size_t N>
std::string_view name_of(const std::array<std::pair<E, std::string_view>, N>& table, E value) {
  for (const auto& [e, name] : table)
    if (e == value) return name;
  return "unknown";
}
template <class E, std::size_t N>
std::optional<E> value_of(const std::array<std::pair<E, std::string_view>, N>& table, std::string_view s) {
  for (const auto& [e, name] : table)
    if (name == s) return e;
  return std::nullopt;
}

constexpr std::array<std::pair<call_status, std::string_view>, 5> call_status_names{{
    {call_status::dialing, "dialing"}, {call_status::ringing, "ringing"}, {call_status::answered, "answered"},
    {call_status::bridged, "bridged"}, {call_status::ended, "ended"}}};
constexpr std::array<std::pair<outcome, std::string_view>, 12> outcome_names{{
    {outcome::none, ""}, {outcome::connected, "connected"}, {outcome::no_answer, "no_answer"},
    {outcome::busy, "busy"}, {outcome::rejected, "rejected"}, {outcome::invalid_number, "invalid_number"},
    {outcome::dropped_agent_busy, "dropped_agent_busy"}, {outcome::machine, "machine"},
    {outcome::abandoned, "abandoned"}, {outcome::failed, "failed"}, {outcome::cancelled, "cancelled"},
    {outcome::dnc, "dnc"}}};
constexpr std::array<std::pair<item_status, std::string_view>, 5> item_status_names{{
    {item_status::pending, "pending"}, {item_status::calling, "calling"}, {item_status::completed, "completed"},
    {item_status::failed, "failed"}, {item_status::cancelled, "cancelled"}}};
constexpr std::array<std::pair<call_kind, std::string_view>, 3> call_kind_names{{
    {call_kind::customer, "customer"}, {call_kind::agent, "agent"}, {call_kind::manual, "manual"}}};
constexpr std::array<std::pair<session_status, std::string_view>, 5> session_status_names{{
    {session_status::created, "created"}, {session_status::running, "running"},
    {session_status::paused, "paused"}, {session_status::stopped, "stopped"},
    {session_status::completed, "completed"}}};
constexpr std::array<std::pair<agent_state, std::string_view>, 5> agent_state_names{{
    {agent_state::offline, "offline"}, {agent_state::connecting, "connecting"}, {agent_state::ready, "ready"},
    {agent_state::talking, "talking"}, {agent_state::wrap_up, "wrap_up"}}};
constexpr std::array<std::pair<amd_result, std::string_view>, 4> amd_names{{
    {amd_result::none, ""}, {amd_result::human, "human"}, {amd_result::machine, "machine"},
    {amd_result::not_sure, "not_sure"}}};
constexpr std::array<std::pair<hold_reason, std::string_view>, 3> hold_reason_names{{
    {hold_reason::none, ""}, {hold_reason::calling_hours, "calling_hours"}, {hold_reason::daily_cap, "daily_cap"}}};
}  // namespace

std::string_view to_string(call_status s) { return name_of(call_status_names, s); }
std::string_view to_string(outcome o) { return name_of(outcome_names, o); }
std::string_view to_string(item_status s) { return name_of(item_status_names, s); }
std::string_view to_string(call_kind k) { return name_of(call_kind_names, k); }
std::string_view to_string(session_status s) { return name_of(session_status_names, s); }
std::string_view to_string(agent_state s) { return name_of(agent_state_names, s); }
std::string_view to_string(amd_result r) { return name_of(amd_names, r); }
std::string_view to_string(hold_reason r) { return name_of(hold_reason_names, r); }

std::optional<call_status> call_status_from(std::string_view s) { return value_of(call_status_names, s); }
std::optional<outcome> outcome_from(std::string_view s) { return value_of(outcome_names, s); }
std::optional<item_status> item_status_from(std::string_view s) { return value_of(item_status_names, s); }
std::optional<call_kind> call_kind_from(std::string_view s) { return value_of(call_kind_names, s); }
std::optional<session_status> session_status_from(std::string_view s) { return value_of(session_status_names, s); }
std::optional<agent_state> agent_state_from(std::string_view s) { return value_of(agent_state_names, s); }
std::optional<amd_result> amd_result_from(std::string_view s) { return value_of(amd_names, s); }
std::optional<hold_reason> hold_reason_from(std::string_view s) { return value_of(hold_reason_names, s); }

bool counts_as_no_answer(outcome o) {
  return o == outcome::no_answer || o == outcome::busy || o == outcome::rejected ||
         o == outcome::invalid_number || o == outcome::failed;
}

outcome outcome_from_hangup_cause(std::string_view cause, std::string_view sip) {
  if (cause == "timeout" || cause == "no_answer" || cause == "originator_cancel") return outcome::no_answer;
  if (cause == "user_busy") return outcome::busy;
  if (cause == "call_rejected") return outcome::rejected;
  if (cause == "not_found") return outcome::invalid_number;
  if (sip == "404" || sip == "484" || sip == "604") return outcome::invalid_number;
  if (sip == "486" || sip == "600") return outcome::busy;
  if (sip == "480" || sip == "408" || sip == "487") return outcome::no_answer;
  if (sip == "603") return outcome::rejected;
  // normal_clearing before an answer was seen: the far end never spoke to anyone we know of.
  if (cause == "normal_clearing") return outcome::no_answer;
  return outcome::failed;
}

}  // namespace dialer::domain
