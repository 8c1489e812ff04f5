// The audit export's CSV: RFC 4180 quoting of fields, the header row, and one call's row with ISO 8601
// UTC times and empty fields for what is not known.
#include <doctest/doctest.h>

#include "dialer/api/call_export.hpp"
#include "dialer/api/csv.hpp"
#include "dialer/api/request_bodies.hpp"

using namespace dialer;

namespace {
std::string field(std::string_view text) {
  std::string out;
  api::append_csv_field(out, text);
  return out;
}
}  // namespace

TEST_CASE("a CSV field is quoted only when it holds a comma, a quote or a line break, with quotes doubled") {
  struct row {
    std::string in, out;
  };
  for (const auto& r : std::vector<row>{{"plain", "plain"},
                                        {"", ""},
                                        {"+15550100001", "+15550100001"},
                                        {"a,b", "\"a,b\""},
                                        {"say \"hi\"", "\"say \"\"hi\"\"\""},
                                        {"\"", "\"\"\"\""},
                                        {"line\nbreak", "\"line\nbreak\""},
                                        {"cr\rhere", "\"cr\rhere\""},
                                        {" spaced ", " spaced "},
                                        {"naïve", "naïve"}}) {
    CAPTURE(r.in);
    CHECK(field(r.in) == r.out);
  }
}

TEST_CASE("a CSV row joins its fields with commas and ends with CRLF") {
  std::string out;
  api::append_csv_row(out, {"a", "", "b,c"});
  api::append_csv_row(out, {"x"});
  CHECK(out == "a,,\"b,c\"\r\nx\r\n");
}

TEST_CASE("a call's export row has its times in ISO 8601 UTC, whole seconds, and empty unknowns") {
  store::call_record c;
  c.id = "call_1";
  c.session_id = "ses_1";
  c.queue_item_id = "itm_1";
  c.contact_id = "crm, 7";
  c.kind = domain::call_kind::customer;
  c.from = "+15550000001";
  c.to = "+15550100001";
  c.started_at_ms = 1'800'000'000'000;  // 2027-01-15T08:00:00.000Z
  c.state.status = domain::call_status::ended;
  c.state.result = domain::outcome::connected;
  c.state.answered_at_ms = c.started_at_ms + 4'000;
  c.state.bridged_at_ms = c.started_at_ms + 4'500;
  c.state.ended_at_ms = c.started_at_ms + 65'900;
  c.state.hangup_cause = "normal_clearing";
  c.state.message_played = true;
  c.notes = "said \"call back\"\nafter 5";
  std::string out;
  api::append_call_csv(out, c, "spring");
  CHECK(out == "call_1,ses_1,itm_1,\"crm, 7\",customer,outbound,+15550000001,+15550100001,"
               "2027-01-15T08:00:00.000Z,2027-01-15T08:00:04.000Z,2027-01-15T08:00:04.500Z,2027-01-15T08:01:05.900Z,"
               "65,61,connected,normal_clearing,,,true,spring,,\"said \"\"call back\"\"\nafter 5\"\r\n");

  store::call_record ringing;
  ringing.id = "call_2";
  ringing.kind = domain::call_kind::manual;
  ringing.from = "+15550000001";
  ringing.to = "+15550100002";
  ringing.started_at_ms = 1'800'000'000'000;
  std::string live;
  api::append_call_csv(live, ringing);
  CHECK(live == "call_2,,,,manual,outbound,+15550000001,+15550100002,2027-01-15T08:00:00.000Z,,,,,0,,,,,false,,,\r\n");
}

TEST_CASE("the export's header row names every column once, in the order of the rows") {
  const auto header = api::call_csv_header();
  CHECK(header.rfind("call_id,session_id,", 0) == 0);
  CHECK(header.ends_with(",disposition,notes\r\n"));
  std::string row;
  api::append_call_csv(row, store::call_record{});
  auto commas = [](const std::string& s) { return std::count(s.begin(), s.end(), ','); };
  CHECK(commas(header) == commas(row));
}

TEST_CASE("a do-not-call body needs a non-empty array of strings, naming phones[i] for a bad one") {
  auto ok = api::parse_phone_list(R"({"phones": ["+15550100001", "+15550100002"]})");
  REQUIRE(ok);
  CHECK(ok.value() == std::vector<std::string>{"+15550100001", "+15550100002"});
  CHECK(api::parse_phone_list(R"({})").err().field == "phones");
  CHECK(api::parse_phone_list(R"({"phones": "+15550100001"})").err().field == "phones");
  CHECK(api::parse_phone_list(R"({"phones": []})").err().field == "phones");
  CHECK(api::parse_phone_list(R"({"phones": ["+15550100001", 7]})").err().field == "phones[1]");
  CHECK(api::parse_phone_list(R"([1])").err().message.find("object") != std::string::npos);
}
