// normalise_phone: numbers as CRMs send them, in several formats and regions, become E.164 or an error
// saying why; phone_subdivision finds the state a number belongs to (for region overrides).
#include <doctest/doctest.h>

#include <string>

#include "dialer/compliance/phone.hpp"

namespace cp = dialer::compliance;

TEST_CASE("numbers in national, international and tel: formats normalise to E.164") {
  struct row {
    std::string text;
    std::string region;
    std::string e164;
  };
  const row rows[] = {
      {"(312) 555-0100", "US", "+13125550100"},
      {"312.555.0100", "US", "+13125550100"},
      {"1-312-555-0100", "US", "+13125550100"},
      {"+1 312 555 0100", "US", "+13125550100"},
      {"+13125550100", "GB", "+13125550100"},      // its own country code wins over the default region
      {"011 44 20 7946 0958", "US", "+442079460958"},  // US international dialling prefix
      {"020 7946 0958", "GB", "+442079460958"},
      {"+44 (0)20 7946 0958", "US", "+442079460958"},
      {"01 960 5860", "IE", "+35319605860"},
      {"090-1234-5678", "JP", "+819012345678"},
      {"tel:+1-305-555-0100", "US", "+13055550100"},
      {"+15550000001", "US", "+15550000001"},  // possible but unassigned (the tests' fictional numbers)
      {"1-800-FLOWERS", "US", "+18003569377"},  // letters as on a keypad
  };
  for (const auto& r : rows) {
    CAPTURE(r.text);
    auto n = cp::normalise_phone(r.text, r.region);
    CHECK(n.error == "");
    CHECK(n.e164 == r.e164);
  }
}

TEST_CASE("impossible numbers are refused with the reason and the region") {
  struct row {
    std::string text;
    std::string region;
    std::string error;
  };
  const row rows[] = {
      {"", "US", "not a phone number"},
      {"hello", "US", "not a phone number"},
      {"555-0100", "US", "not a possible number for US (a local number without its area code)"},
      {"312 555 010", "US", "not a possible number for US (too short)"},
      {"+1 312 555 01000", "US", "not a possible number for US (too long)"},
      {"+44 20 7946 0958 12", "US", "not a possible number for GB (too long)"},
      {"+999 1234 5678", "US", "unknown country calling code (write the number as +<country code> <number>)"},
      {"312 555 0100", "ZZ", "unknown country calling code (write the number as +<country code> <number>)"},
      {"+1 312 555 0100 ext. 12", "US", "has an extension, which cannot be dialed"},
  };
  for (const auto& r : rows) {
    CAPTURE(r.text);
    auto n = cp::normalise_phone(r.text, r.region);
    CHECK_FALSE(n.ok());
    CHECK(n.error == r.error);
    CHECK(n.e164 == "");
  }
}

TEST_CASE("a number's state comes from the offline geocoder as an ISO 3166-2 code") {
  CHECK(cp::phone_subdivision("+13055550100") == "US-FL");  // Miami
  CHECK(cp::phone_subdivision("+14055550100") == "US-OK");  // Oklahoma City
  CHECK(cp::phone_subdivision("+13125550100") == "US-IL");  // Chicago
  CHECK(cp::phone_subdivision("+14165550100") == "CA-ON");  // Toronto
  CHECK(cp::phone_subdivision("+15550000001") == "");       // no such area code
  CHECK(cp::phone_subdivision("+18005550100") == "");       // toll free: nowhere
  CHECK(cp::phone_subdivision("not a number") == "");
}
