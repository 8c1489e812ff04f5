// Checks shared by the fault-injection integration tests: a finished session must have statistics
// equal to a recount (in the database and through the API), no line still held, every item terminal,
// and no contact with two calls live at once.
#pragma once
#include <string>
#include <vector>

#include "dialer/store/store.hpp"
#include "stack.hpp"

namespace dialer::test {

// `count` contacts {"phone": "+1555<prefix><nnnn>"} as a JSON array; prefix is 3 digits.
std::string numbered_contacts(const std::string& prefix, int count);

// Creates a session for `agent_id` with `body_extra` (e.g. `, "concurrentLines": 4`) and starts it;
// returns its id. Fails the test (REQUIRE) when the API refuses.
std::string create_and_start(stack& s, const std::string& agent_id, const std::string& body_extra);

// The session's status through the API ("completed", "running", ...).
std::string session_status(stack& s, const std::string& id);

// CHECKs that session `id` is consistent: stats == recount (database and API), linesInUse == 0, every
// item terminal with attempts <= max_attempts, and no two calls of one queue item overlapping in time.
void check_finished_session(stack& s, store::store& db, const std::string& id, int max_attempts);

// CHECKs the sim's report: no double dial, no contact called twice at once, no customer call live,
// at most `lines` customer calls at once in each session and at most one call per caller number.
// Two sessions dialed to their end on one stack with 8 numbers: alice on numbers 1-4 and bob on 5-8,
// `lines` lines and `contacts` numbered contacts each (phones from prefix_alice / prefix_bob). Waits up
// to 280 s for both to complete, checks each with check_finished_session and that every contact was
// dialed, checks the sim's report against `lines`, and waits until the sim holds no live call.
// Returns {alice's session id, bob's}.
std::vector<std::string> run_two_sessions(stack& s, int lines, int contacts, int max_attempts,
                                          const std::string& prefix_alice, const std::string& prefix_bob);

void check_sim_report(const rapidjson::Value& report, const std::vector<std::string>& session_ids, int lines);

}  // namespace dialer::test
