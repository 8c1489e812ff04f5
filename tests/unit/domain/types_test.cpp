// Domain vocabulary: wire names of every enum round-trip, unknown names are refused, the hangup-cause
// table of SPEC §4 and the "no answer" statistic of SPEC §5.
#include <doctest/doctest.h>

#include <string>
#include <utility>
#include <vector>

#include "domain_printers.hpp"

using namespace dialer::domain;

namespace {
// Every value of an enum with its wire name; to_string and *_from must agree with this table.
template <class E>
using names = std::vector<std::pair<E, std::string_view>>;

template <class E, class From>
void check_round_trip(const names<E>& table, From from) {
  for (const auto& [value, name] : table) {
    CAPTURE(name);
    CHECK(to_string(value) == name);
    auto back = from(name);
    REQUIRE(back.has_value());
    CHECK(*back == value);
  }
  CHECK_FALSE(from("no-such-name").has_value());
  CHECK_FALSE(from("DIALING").has_value());  // names are case-sensitive
}
}  // namespace

TEST_CASE("every call status has a wire name that parses back to it") {
  check_round_trip<call_status>({{call_status::dialing, "dialing"},
                                 {call_status::ringing, "ringing"},
                                 {call_status::answered, "answered"},
                                 {call_status::bridged, "bridged"},
                                 {call_status::ended, "ended"}},
                                call_status_from);
  CHECK_FALSE(call_status_from("").has_value());
}

TEST_CASE("every outcome has the wire name of the SPEC outcome table and parses back to it") {
  check_round_trip<outcome>({{outcome::connected, "connected"},
                             {outcome::no_answer, "no_answer"},
                             {outcome::busy, "busy"},
                             {outcome::rejected, "rejected"},
                             {outcome::invalid_number, "invalid_number"},
                             {outcome::dropped_agent_busy, "dropped_agent_busy"},
                             {outcome::machine, "machine"},
                             {outcome::abandoned, "abandoned"},
                             {outcome::failed, "failed"},
                             {outcome::cancelled, "cancelled"},
                             {outcome::dnc, "dnc"}},
                            outcome_from);
}

TEST_CASE("the outcome of a call not ended yet is the empty name") {
  CHECK(to_string(outcome::none) == "");
  CHECK(outcome_from("") == outcome::none);
}

TEST_CASE("every queue item status has a wire name that parses back to it") {
  check_round_trip<item_status>({{item_status::pending, "pending"},
                                 {item_status::calling, "calling"},
                                 {item_status::completed, "completed"},
                                 {item_status::failed, "failed"},
                                 {item_status::cancelled, "cancelled"}},
                                item_status_from);
}

TEST_CASE("every call kind has a wire name that parses back to it") {
  check_round_trip<call_kind>(
      {{call_kind::customer, "customer"}, {call_kind::agent, "agent"}, {call_kind::manual, "manual"}},
      call_kind_from);
}

TEST_CASE("every session status has a wire name that parses back to it") {
  check_round_trip<session_status>({{session_status::created, "created"},
                                    {session_status::running, "running"},
                                    {session_status::paused, "paused"},
                                    {session_status::stopped, "stopped"},
                                    {session_status::completed, "completed"}},
                                   session_status_from);
}

TEST_CASE("every agent state has a wire name that parses back to it") {
  check_round_trip<agent_state>({{agent_state::offline, "offline"},
                                 {agent_state::connecting, "connecting"},
                                 {agent_state::ready, "ready"},
                                 {agent_state::talking, "talking"},
                                 {agent_state::wrap_up, "wrap_up"}},
                                agent_state_from);
}

TEST_CASE("every AMD result has a wire name that parses back to it, and none is the empty name") {
  check_round_trip<amd_result>(
      {{amd_result::human, "human"}, {amd_result::machine, "machine"}, {amd_result::not_sure, "not_sure"}},
      amd_result_from);
  CHECK(to_string(amd_result::none) == "");
  CHECK(amd_result_from("") == amd_result::none);
}

TEST_CASE("every hold reason has a wire name that parses back to it, and none is the empty name") {
  check_round_trip<hold_reason>(
      {{hold_reason::calling_hours, "calling_hours"}, {hold_reason::daily_cap, "daily_cap"}}, hold_reason_from);
  CHECK(to_string(hold_reason::none) == "");
}

TEST_CASE("a value outside an enum prints as unknown instead of crashing") {
  CHECK(to_string(static_cast<call_status>(99)) == "unknown");
  CHECK(to_string(static_cast<outcome>(99)) == "unknown");
  CHECK(to_string(static_cast<item_status>(99)) == "unknown");
  CHECK(to_string(static_cast<agent_state>(99)) == "unknown");
}

TEST_CASE("no_answer busy rejected invalid_number and failed count as no answer, nothing else does") {
  const std::vector<std::pair<outcome, bool>> table{
      {outcome::none, false},           {outcome::connected, false},        {outcome::no_answer, true},
      {outcome::busy, true},            {outcome::rejected, true},          {outcome::invalid_number, true},
      {outcome::dropped_agent_busy, false}, {outcome::machine, false},      {outcome::abandoned, false},
      {outcome::failed, true},          {outcome::cancelled, false},
      {outcome::dnc, false}};
  for (const auto& [o, counts] : table) {
    CAPTURE(o);
    CHECK(counts_as_no_answer(o) == counts);
  }
}

TEST_CASE("hangup causes before an answer map to the outcomes of the SPEC table") {
  struct row {
    std::string cause;
    std::string sip;
    outcome expected;
  };
  const std::vector<row> rows{
      {"timeout", "", outcome::no_answer},
      {"no_answer", "", outcome::no_answer},
      {"originator_cancel", "", outcome::no_answer},
      {"user_busy", "", outcome::busy},
      {"call_rejected", "", outcome::rejected},
      {"not_found", "", outcome::invalid_number},
      {"unspecified", "404", outcome::invalid_number},
      {"unspecified", "484", outcome::invalid_number},
      {"unspecified", "604", outcome::invalid_number},
      {"", "404", outcome::invalid_number},
      {"unspecified", "486", outcome::busy},
      {"unspecified", "600", outcome::busy},
      {"unspecified", "480", outcome::no_answer},
      {"unspecified", "408", outcome::no_answer},
      {"unspecified", "487", outcome::no_answer},
      {"unspecified", "603", outcome::rejected},
      {"normal_clearing", "", outcome::no_answer},
      // The cause, when it says something, wins over the SIP code.
      {"user_busy", "404", outcome::busy},
      {"timeout", "604", outcome::no_answer},
      // Unknown causes are accepted and mapped to failed.
      {"destination_out_of_order", "", outcome::failed},
      {"unspecified", "", outcome::failed},
      {"unspecified", "500", outcome::failed},
      {"", "", outcome::failed},
      {"TIMEOUT", "", outcome::failed},
  };
  for (const auto& r : rows) {
    CAPTURE(r.cause);
    CAPTURE(r.sip);
    CHECK(outcome_from_hangup_cause(r.cause, r.sip) == r.expected);
  }
}
