// The simulated network driven by hand: a manual scheduler, scripted numbers, captured webhooks.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "dialer/common/json.hpp"
#include "dialer/sim/call_world.hpp"
#include "dialer/telnyx/base64.hpp"

using namespace dialer::sim;
using namespace std::chrono_literals;

namespace {

constexpr const char* busy_number = "+15551230001";
constexpr const char* answer_number = "+15551230002";
constexpr const char* silent_number = "+15551230003";
constexpr const char* invalid_number = "+15551230004";
constexpr const char* agent_uri = "sip:alice@example.sip.telnyx.com";

scenario scripted() {
  scenario s;
  s.busy_after_s = 3;
  s.invalid_after_s = 1;
  s.unbridged_patience_s = 5;
  s.agent.answer_after_s = 2;
  s.numbers[busy_number] = {outcome::busy, std::nullopt, std::nullopt};
  s.numbers[answer_number] = {outcome::answer, seconds_range{2, 2}, seconds_range{30, 30}};
  s.numbers[silent_number] = {outcome::no_answer, std::nullopt, std::nullopt};
  s.numbers[invalid_number] = {outcome::invalid, std::nullopt, std::nullopt};
  return s;
}

std::string client_state(const std::string& session, const std::string& kind, int attempt = 1) {
  return dialer::telnyx::base64_encode(R"({"s":")" + session + R"(","q":"q1","c":"c1","a":)" +
                                       std::to_string(attempt) + R"(,"k":")" + kind + R"("})");
}

struct fixture {
  manual_scheduler clock;
  std::vector<webhook_out> events;
  call_world world{scripted(), clock, 42, "http://127.0.0.1:9/webhooks",
                   [this](webhook_out e) { events.push_back(std::move(e)); }};

  std::string dial(const std::string& to, std::string state = {}, std::string command_id = {}, int timeout = 30,
                   std::string from = "+15550000001") {
    dial_params p;
    p.to = to;
    p.from = std::move(from);
    p.connection_id = "conn1";
    p.timeout_secs = timeout;
    p.client_state = std::move(state);
    p.command_id = std::move(command_id);
    auto r = world.dial(p);
    REQUIRE_FALSE(r.error);
    REQUIRE(r.call);
    return r.call->call_control_id;
  }

  // Event types of one call, in emission order.
  std::vector<std::string> types(const std::string& id) const {
    std::vector<std::string> out;
    for (auto& e : events) {
      if (e.call_control_id == id) out.push_back(e.event_type);
    }
    return out;
  }

  // A payload field of the last event of `type` for call `id`; "<none>" when no such event.
  std::string field(const std::string& id, const std::string& type, const char* name) const {
    for (auto it = events.rbegin(); it != events.rend(); ++it) {
      if (it->call_control_id != id || it->event_type != type) continue;
      rapidjson::Document d;
      d.Parse(it->payload_json.c_str());
      REQUIRE(d.IsObject());
      auto m = d.FindMember(name);
      if (m == d.MemberEnd()) return "<absent>";
      if (m->value.IsNull()) return "<null>";
      return m->value.IsString() ? m->value.GetString() : "<non-string>";
    }
    return "<none>";
  }

  std::optional<api_error> act(const std::string& id, const char* action, action_params p = {}) {
    return world.action(id, action, p);
  }
};

using types_t = std::vector<std::string>;

}  // namespace

TEST_CASE("a busy number sends call.initiated then call.hangup user_busy with SIP 486") {
  fixture f;
  auto id = f.dial(busy_number);
  CHECK(f.types(id) == types_t{"call.initiated"});
  CHECK(f.field(id, "call.initiated", "direction") == "outgoing");
  CHECK(f.field(id, "call.initiated", "client_state") == "<null>");
  f.clock.advance(2999ms);
  CHECK(f.types(id).size() == 1);
  f.clock.advance(1ms);
  CHECK(f.types(id) == types_t{"call.initiated", "call.hangup"});
  CHECK(f.field(id, "call.hangup", "hangup_cause") == "user_busy");
  CHECK(f.field(id, "call.hangup", "sip_hangup_cause") == "486");
  CHECK(f.world.live_calls() == 0);
}

TEST_CASE("an unanswered call hangs up with timeout after the dial's timeout_secs, not the ring time") {
  fixture f;
  auto id = f.dial(silent_number, {}, {}, 20);
  f.clock.advance(19s);
  CHECK(f.types(id) == types_t{"call.initiated"});
  f.clock.advance(1s);
  CHECK(f.types(id) == types_t{"call.initiated", "call.hangup"});
  CHECK(f.field(id, "call.hangup", "hangup_cause") == "timeout");
}

TEST_CASE("an invalid number hangs up with not_found and SIP 404") {
  fixture f;
  auto id = f.dial(invalid_number);
  f.clock.advance(1s);
  CHECK(f.field(id, "call.hangup", "hangup_cause") == "not_found");
  CHECK(f.field(id, "call.hangup", "sip_hangup_cause") == "404");
}

TEST_CASE("a person answers after the ring time and hangs up when nobody bridges them") {
  fixture f;
  auto id = f.dial(answer_number);
  f.clock.advance(2s);
  CHECK(f.types(id) == types_t{"call.initiated", "call.answered"});
  CHECK(f.field(id, "call.answered", "state") == "answered");
  f.clock.advance(5s);
  CHECK(f.field(id, "call.hangup", "hangup_cause") == "normal_clearing");
  CHECK(f.field(id, "call.hangup", "hangup_source") == "callee");
}

TEST_CASE("a bridged customer talks for talk_s, hangs up, and the agent leg parked with park_after_unbridge self stays up") {
  fixture f;
  auto agent = f.dial(agent_uri, client_state("ses1", "agent"));
  auto customer = f.dial(answer_number, client_state("ses1", "customer"));
  f.clock.advance(2s);
  action_params p;
  p.other_call_control_id = customer;
  p.park_after_unbridge = "self";
  REQUIRE_FALSE(f.act(agent, "bridge", p));
  CHECK(f.types(agent).back() == "call.bridged");
  CHECK(f.types(customer).back() == "call.bridged");
  f.clock.advance(29s);  // well past patience: bridged people are not impatient
  CHECK(f.world.find_call(customer)->alive());
  f.clock.advance(1s);
  CHECK_FALSE(f.world.find_call(customer)->alive());
  CHECK(f.field(customer, "call.hangup", "hangup_source") == "callee");
  CHECK(f.world.find_call(agent)->alive());
  CHECK(f.world.find_call(agent)->state == call_state::answered);
  CHECK(f.types(agent).back() == "call.bridged");
}

TEST_CASE("without park_after_unbridge the agent leg is hung up when the customer leaves") {
  fixture f;
  auto agent = f.dial(agent_uri);
  auto customer = f.dial(answer_number);
  f.clock.advance(2s);
  action_params p;
  p.other_call_control_id = customer;
  REQUIRE_FALSE(f.act(agent, "bridge", p));
  f.clock.advance(30s);
  CHECK_FALSE(f.world.find_call(agent)->alive());
  CHECK(f.types(agent).back() == "call.hangup");
}

TEST_CASE("hanging up the agent leg ends the bridged customer too") {
  fixture f;
  auto agent = f.dial(agent_uri);
  auto customer = f.dial(answer_number);
  f.clock.advance(2s);
  action_params p;
  p.other_call_control_id = customer;
  p.park_after_unbridge = "self";
  REQUIRE_FALSE(f.act(agent, "bridge", p));
  REQUIRE_FALSE(f.world.far_end_hangup(agent));
  CHECK_FALSE(f.world.find_call(customer)->alive());
  CHECK(f.field(agent, "call.hangup", "hangup_source") == "callee");
}

TEST_CASE("a hangup on an ended call is 422 90018 and an unknown id is 404 90015") {
  fixture f;
  auto id = f.dial(busy_number);
  f.clock.advance(3s);
  auto e = f.act(id, "hangup");
  REQUIRE(e);
  CHECK(e->status == 422);
  CHECK(e->code == "90018");
  auto u = f.act("v3:nope", "hangup");
  REQUIRE(u);
  CHECK(u->status == 404);
  CHECK(u->code == "90015");
}

TEST_CASE("a hangup action on a ringing call is originator_cancel from the caller") {
  fixture f;
  auto id = f.dial(silent_number);
  REQUIRE_FALSE(f.act(id, "hangup"));
  CHECK(f.field(id, "call.hangup", "hangup_cause") == "originator_cancel");
  CHECK(f.field(id, "call.hangup", "hangup_source") == "caller");
}

TEST_CASE("a bridge before the customer answers is 422 90034") {
  fixture f;
  auto agent = f.dial(agent_uri);
  auto customer = f.dial(silent_number);
  f.clock.advance(2s);
  action_params p;
  p.other_call_control_id = customer;
  auto e = f.act(agent, "bridge", p);
  REQUIRE(e);
  CHECK(e->code == "90034");
  CHECK(f.types(agent).back() == "call.answered");
}

TEST_CASE("a repeated dial command_id returns the same call and is counted, not dialed again") {
  fixture f;
  auto first = f.dial(silent_number, {}, "cmd-1");
  auto second = f.dial(silent_number, {}, "cmd-1");
  CHECK(first == second);
  CHECK(f.world.stats().dials == 1);
  CHECK(f.world.stats().duplicate_commands_ignored == 1);
  f.clock.advance(61s);  // the window is over: same command_id now dials anew
  CHECK(f.dial(silent_number, {}, "cmd-1", 120) != first);
}

TEST_CASE("a repeated action command_id on a call is ignored") {
  fixture f;
  auto id = f.dial(answer_number);
  f.clock.advance(2s);
  action_params p;
  p.command_id = "hang-1";
  REQUIRE_FALSE(f.act(id, "hangup", p));
  REQUIRE_FALSE(f.act(id, "hangup", p));  // retry of the same command: ok, not 90018
  CHECK(f.world.stats().duplicate_commands_ignored == 1);
  CHECK(f.act(id, "hangup"));             // a different command on the ended call: 90018
}

TEST_CASE("a second dial with a call's client_state and a new command_id counts as a double dial") {
  fixture f;
  auto cs = client_state("ses1", "customer");
  f.dial(silent_number, cs, "a");
  f.dial(silent_number, cs, "b");
  CHECK(f.world.stats().double_dials == 1);
  // Both ended: the same attempt (client_state names session, item, call and attempt) dialed yet
  // again is still a double dial; the contact gets a call the dialer does not know about.
  f.clock.advance(30s);
  f.dial(silent_number, cs, "c");
  CHECK(f.world.stats().double_dials == 2);
  f.dial(silent_number, client_state("ses1", "customer", 2), "d");  // the next attempt is not
  CHECK(f.world.stats().double_dials == 2);
}

TEST_CASE("customer calls are counted per session and per caller number at their peak") {
  fixture f;
  f.dial(silent_number, client_state("ses1", "customer"), {}, 30, "+15550000001");
  f.dial(silent_number, client_state("ses1", "customer", 2), {}, 30, "+15550000002");
  f.dial(busy_number, client_state("ses2", "customer"), {}, 30, "+15550000002");
  f.dial(agent_uri, client_state("ses1", "agent"), {}, 30, "+15550000001");
  f.clock.advance(60s);
  f.dial(silent_number, client_state("ses1", "customer", 3));
  const auto& s = f.world.stats();
  CHECK(s.max_concurrent_customer_calls_by_session.at("ses1") == 2);
  CHECK(s.max_concurrent_customer_calls_by_session.at("ses2") == 1);
  CHECK(s.max_concurrent_calls_per_from_number.at("+15550000002") == 2);
  CHECK(s.max_concurrent_calls_per_from_number.at("+15550000001") == 1);
}

TEST_CASE("speak sends speak.started then speak.ended completed, or call_hangup when the call ends first") {
  fixture f;
  auto id = f.dial(answer_number);
  f.clock.advance(2s);
  action_params p;
  p.text = "Hello";  // short text: one second minimum
  REQUIRE_FALSE(f.act(id, "speak", p));
  CHECK(f.types(id).back() == "call.speak.started");
  f.clock.advance(1s);
  CHECK(f.types(id).back() == "call.speak.ended");
  CHECK(f.field(id, "call.speak.ended", "status") == "completed");

  p.text = std::string(200, 'x');
  REQUIRE_FALSE(f.act(id, "speak", p));
  REQUIRE_FALSE(f.act(id, "hangup"));
  auto t = f.types(id);
  REQUIRE(t.size() >= 2);
  CHECK(t[t.size() - 2] == "call.speak.ended");
  CHECK(t.back() == "call.hangup");
  CHECK(f.field(id, "call.speak.ended", "status") == "call_hangup");
}

TEST_CASE("answering machine detection reports human or machine a moment after answer") {
  fixture f;
  dial_params p;
  p.to = answer_number;
  p.from = "+15550000001";
  p.answering_machine_detection = "detect";
  auto r = f.world.dial(p);
  REQUIRE(r.call);
  std::string id = r.call->call_control_id;
  f.clock.advance(2s);
  f.clock.advance(3s);
  CHECK(f.field(id, "call.machine.detection.ended", "result") == "human");
}

TEST_CASE("a dial to a number that is not E.164 is refused with 10016 naming the field") {
  fixture f;
  dial_params p;
  p.to = "555-1234";
  p.from = "+15550000001";
  auto r = f.world.dial(p);
  REQUIRE(r.error);
  CHECK(r.error->code == "10016");
  CHECK(r.error->pointer == "/to");
  CHECK(f.events.empty());
}

TEST_CASE("an ended call is still readable for ten simulated minutes, then unknown") {
  fixture f;
  auto id = f.dial(busy_number);
  f.clock.advance(3s);
  REQUIRE(f.world.find_call(id));
  CHECK_FALSE(f.world.find_call(id)->alive());
  f.clock.advance(10min + 1s);
  CHECK(f.world.find_call(id) == nullptr);
  CHECK(f.act(id, "hangup")->status == 404);
}

// Incoming calls (POST /sim/inbound), answer, transfer and reject.
namespace {
std::string ring_in(fixture& f, std::optional<double> talk_s = 20, double give_up_s = 60) {
  incoming_params p;
  p.from = "+13125550100";
  p.to = "+15550000001";
  p.connection_id = "conn1";
  p.talk_s = talk_s;
  p.give_up_s = give_up_s;
  return f.world.incoming(p).call_control_id;
}

// The new leg created by a transfer of `from`, or empty.
std::string transfer_leg_of(const fixture& f, const std::string& from) {
  for (const auto* c : f.world.all_calls())
    if (c->transfer_from == from) return c->call_control_id;
  return {};
}
}  // namespace

TEST_CASE("an incoming call sends call.initiated with direction incoming and state parked, then rings") {
  fixture f;
  auto id = ring_in(f);
  CHECK(f.types(id) == types_t{"call.initiated"});
  CHECK(f.field(id, "call.initiated", "direction") == "incoming");
  CHECK(f.field(id, "call.initiated", "state") == "parked");
  CHECK(f.field(id, "call.initiated", "from") == "+13125550100");
  CHECK(f.field(id, "call.initiated", "to") == "+15550000001");
  CHECK(f.field(id, "call.initiated", "client_state") == "<null>");
  CHECK(f.world.find_call(id)->state == call_state::ringing);
  CHECK(f.world.find_call(id)->kind == "inbound");
  CHECK(f.world.live_calls() == 1);
}

TEST_CASE("an unanswered incoming call is given up by the caller with originator_cancel") {
  fixture f;
  auto id = ring_in(f, 20, 10);
  f.clock.advance(9999ms);
  CHECK(f.world.find_call(id)->alive());
  f.clock.advance(1ms);
  CHECK(f.field(id, "call.hangup", "hangup_cause") == "originator_cancel");
  CHECK(f.field(id, "call.hangup", "hangup_source") == "caller");
  CHECK(f.world.live_calls() == 0);
}

TEST_CASE("reject ends a ringing incoming call with the cause asked for, and a dialed leg's answer changes nothing") {
  fixture f;
  auto busy = ring_in(f);
  action_params p;
  p.cause = "USER_BUSY";
  REQUIRE_FALSE(f.act(busy, "reject", p));
  CHECK(f.field(busy, "call.hangup", "hangup_cause") == "user_busy");
  CHECK(f.field(busy, "call.hangup", "sip_hangup_cause") == "486");
  auto rejected = ring_in(f);
  p.cause = "CALL_REJECTED";
  REQUIRE_FALSE(f.act(rejected, "reject", p));
  CHECK(f.field(rejected, "call.hangup", "hangup_cause") == "call_rejected");

  auto answered = ring_in(f);
  REQUIRE_FALSE(f.act(answered, "answer"));
  auto late = f.act(answered, "reject", p);
  REQUIRE(late);
  CHECK(late->code == "90035");

  auto dialed = f.dial(silent_number);
  REQUIRE_FALSE(f.act(dialed, "answer"));
  CHECK(f.types(dialed) == types_t{"call.initiated"});
}

TEST_CASE("a transferred incoming call is bridged to the new leg when it answers, and both end when the caller leaves") {
  fixture f;
  auto a = ring_in(f, 20);
  REQUIRE_FALSE(f.act(a, "answer"));
  CHECK(f.types(a) == types_t{"call.initiated", "call.answered"});
  action_params p;
  p.to = agent_uri;
  p.timeout_secs = 30;
  p.target_leg_client_state = client_state("", "transfer");
  REQUIRE_FALSE(f.act(a, "transfer", p));
  auto b = transfer_leg_of(f, a);
  REQUIRE_FALSE(b.empty());
  CHECK(f.world.find_call(b)->kind == "transfer");
  CHECK(f.world.find_call(b)->to == agent_uri);
  CHECK(f.world.find_call(b)->from == "+13125550100");  // the caller's number by default
  CHECK(f.field(b, "call.initiated", "direction") == "outgoing");
  CHECK(f.field(b, "call.initiated", "client_state") == p.target_leg_client_state);
  f.clock.advance(10s);  // longer than the unbridged patience: the caller hears ringback meanwhile
  CHECK(f.types(b) == types_t{"call.initiated", "call.answered", "call.bridged"});
  CHECK(f.types(a).back() == "call.bridged");
  CHECK(f.world.find_call(a)->bridged_with == b);
  f.clock.advance(20s);
  CHECK(f.field(a, "call.hangup", "hangup_source") == "callee");
  CHECK_FALSE(f.world.find_call(b)->alive());
  CHECK(f.world.live_calls() == 0);
}

TEST_CASE("a transfer whose destination does not answer leaves the caller up, who then loses patience") {
  fixture f;
  auto a = ring_in(f);
  REQUIRE_FALSE(f.act(a, "answer"));
  action_params p;
  p.to = silent_number;
  p.timeout_secs = 15;
  REQUIRE_FALSE(f.act(a, "transfer", p));
  auto b = transfer_leg_of(f, a);
  REQUIRE_FALSE(b.empty());
  f.clock.advance(15s);
  CHECK(f.field(b, "call.hangup", "hangup_cause") == "timeout");
  CHECK(f.world.find_call(a)->alive());
  f.clock.advance(5s);  // unbridged_patience_s
  CHECK_FALSE(f.world.find_call(a)->alive());
}

TEST_CASE("transfer of a ringing call is 422 90034 and a bad destination is 422 10016") {
  fixture f;
  auto a = ring_in(f);
  action_params p;
  p.to = agent_uri;
  auto ringing = f.act(a, "transfer", p);
  REQUIRE(ringing);
  CHECK(ringing->code == "90034");
  REQUIRE_FALSE(f.act(a, "answer"));
  p.to = "5550000001";
  auto bad = f.act(a, "transfer", p);
  REQUIRE(bad);
  CHECK(bad->code == "10016");
  CHECK(transfer_leg_of(f, a).empty());
}
