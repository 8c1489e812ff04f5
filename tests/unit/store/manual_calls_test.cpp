// The manual_calls table: a manual call is found from either of its legs, and only from those.
#include "store_test_support.hpp"

using namespace dialer;
using dialer::store::test::temp_dir;

TEST_CASE("a manual call is found by its customer leg and by its agent leg, with every field") {
  temp_dir dir;
  store::store st(dir.db());
  store::manual_call_record m{"call_cust", "alice", "call_agent", "Ann Example"};
  {
    auto tx = st.begin();
    st.insert_manual_call(m);
    st.insert_manual_call({"call_cust2", "bob", "call_agent2", ""});
    tx.commit();
  }
  for (const char* leg : {"call_cust", "call_agent"}) {
    CAPTURE(leg);
    auto found = st.find_manual_call(leg);
    REQUIRE(found);
    CHECK(found->call_id == "call_cust");
    CHECK(found->agent_id == "alice");
    CHECK(found->agent_call_id == "call_agent");
    CHECK(found->name == "Ann Example");
  }
  auto other = st.find_manual_call("call_agent2");
  REQUIRE(other);
  CHECK(other->agent_id == "bob");
  CHECK(other->name.empty());
  CHECK_FALSE(st.find_manual_call("call_unknown"));
  CHECK_FALSE(st.find_manual_call(""));
}

TEST_CASE("a manual call written in a rolled-back transaction is not there") {
  temp_dir dir;
  store::store st(dir.db());
  {
    auto tx = st.begin();
    st.insert_manual_call({"call_cust", "alice", "call_agent", ""});
  }
  CHECK_FALSE(st.find_manual_call("call_cust"));
}
