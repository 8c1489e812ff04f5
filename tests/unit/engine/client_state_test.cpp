// Reading our client_state back from a webhook: ours gives the call id, anything else gives nothing.
#include "dialer/engine/client_state.hpp"

#include <doctest/doctest.h>

#include <string>

#include "dialer/telnyx/base64.hpp"

using dialer::engine::call_id_from_client_state;
using dialer::telnyx::base64_encode;

TEST_CASE("our client_state gives its call id, someone else's gives none") {
  CHECK(call_id_from_client_state(base64_encode(R"({"s":"ses_1","q":"itm_1","c":"call_1","a":1,"k":"customer"})")) ==
        "call_1");
  CHECK(call_id_from_client_state("").empty());
  CHECK(call_id_from_client_state("not base64!").empty());
  CHECK(call_id_from_client_state(base64_encode("[1,2]")).empty());
  CHECK(call_id_from_client_state(base64_encode(R"({"c":7})")).empty());
}

// Any signed webhook can carry any client_state; decoded, a deeply nested one overflowed the stack of
// RapidJSON's recursive parser (the same bug fuzz_api_body found in the API bodies).
TEST_CASE("a client_state nested a million levels deep is not ours, not a crash") {
  CHECK(call_id_from_client_state(base64_encode(std::string(1 << 20, '['))).empty());
  CHECK(call_id_from_client_state(base64_encode(R"({"c":"call_2","x":)" + std::string(1 << 20, '{'))).empty());
}
