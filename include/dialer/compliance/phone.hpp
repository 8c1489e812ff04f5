// Phone numbers as the CRM sends them ("(312) 555-0100", "+1 312-555-0100", "tel:+13125550100"),
// parsed with libphonenumber into the E.164 form the store, the engine and Telnyx use.
#pragma once
#include <string>
#include <string_view>

namespace dialer::compliance {

// The outcome of normalise_phone: the E.164 number, or why there is none.
struct normalised_phone {
  std::string e164;   // "+13125550100"; empty on error
  std::string error;  // "not a possible number for US (too short)"; empty on success
  bool ok() const { return error.empty(); }
};

// Parses `text` as a number of `default_region` (ISO 3166-1, "US") unless it carries its own country
// code ("+44 ...", "011 44 ..."), and returns it in E.164. Fails (error set, e164 empty) when the text is
// not a number, its country code is unknown, it has an extension, or its length is not possible for its
// region (libphonenumber's IsPossibleNumber). A possible number in an unassigned range (the fictional
// +1 555 numbers used in tests and demos) is accepted: the carrier refuses it at dial time.
normalised_phone normalise_phone(std::string_view text, std::string_view default_region);

// The ISO 3166-2 subdivision ("US-FL") an E.164 number belongs to, from libphonenumber's offline
// geocoder (English: "Florida" or "Miami, FL") matched against iso-codes' subdivision names; empty when
// the geocoder names no subdivision (unassigned range, non-geographic number, a country it maps to cities).
std::string phone_subdivision(std::string_view e164);

}  // namespace dialer::compliance
