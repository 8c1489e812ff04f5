// normalise_phone and phone_subdivision over libphonenumber (PhoneNumberUtil, PhoneNumberOfflineGeocoder).
#include "dialer/compliance/phone.hpp"

#include <phonenumbers/geocoding/phonenumber_offline_geocoder.h>
#include <phonenumbers/phonenumberutil.h>
#include <unicode/locid.h>

#include <algorithm>

#include "tables.hpp"

namespace dialer::compliance {
namespace {
using i18n::phonenumbers::PhoneNumber;
using i18n::phonenumbers::PhoneNumberUtil;

std::string parse_error_text(PhoneNumberUtil::ErrorType e) {
  switch (e) {
    case PhoneNumberUtil::INVALID_COUNTRY_CODE_ERROR:
      return "unknown country calling code (write the number as +<country code> <number>)";
    case PhoneNumberUtil::NOT_A_NUMBER: return "not a phone number";
    case PhoneNumberUtil::TOO_SHORT_AFTER_IDD:
    case PhoneNumberUtil::TOO_SHORT_NSN: return "too short to be a phone number";
    case PhoneNumberUtil::TOO_LONG_NSN: return "too long to be a phone number";
    default: return "not a phone number";
  }
}

std::string possible_error_text(PhoneNumberUtil::ValidationResult r) {
  switch (r) {
    case PhoneNumberUtil::IS_POSSIBLE_LOCAL_ONLY: return "a local number without its area code";
    case PhoneNumberUtil::INVALID_COUNTRY_CODE: return "unknown country calling code";
    case PhoneNumberUtil::TOO_SHORT: return "too short";
    case PhoneNumberUtil::TOO_LONG: return "too long";
    default: return "no number of that length exists";
  }
}

const i18n::phonenumbers::PhoneNumberOfflineGeocoder& geocoder() {
  static const i18n::phonenumbers::PhoneNumberOfflineGeocoder g;  // loads its tables once
  return g;
}

// iso-codes' subdivision of `country` named `name` ("US", "Florida" -> "US-FL"), or empty.
std::string subdivision_named(std::string_view country, std::string_view name) {
  const auto* begin = tables::subdivision_rows;
  const auto* end = begin + tables::subdivision_row_count;
  auto key = [](const tables::subdivision_row& r) { return std::pair{r.country, r.name}; };
  auto it = std::lower_bound(begin, end, std::pair{country, name},
                             [&](const tables::subdivision_row& r, const auto& k) { return key(r) < k; });
  return it != end && key(*it) == std::pair{country, name} ? std::string(it->code) : std::string();
}
}  // namespace

normalised_phone normalise_phone(std::string_view text, std::string_view default_region) {
  const auto& util = *PhoneNumberUtil::GetInstance();
  if (text.empty()) return {{}, "not a phone number"};
  PhoneNumber n;
  auto parsed = util.Parse(std::string(text), std::string(default_region), &n);
  if (parsed != PhoneNumberUtil::NO_PARSING_ERROR) return {{}, parse_error_text(parsed)};
  if (n.has_extension()) return {{}, "has an extension, which cannot be dialed"};
  std::string region;
  util.GetRegionCodeForCountryCode(n.country_code(), &region);
  auto possible = util.IsPossibleNumberWithReason(n);
  if (possible != PhoneNumberUtil::IS_POSSIBLE)
    return {{}, "not a possible number for " + region + " (" + possible_error_text(possible) + ")"};
  normalised_phone out;
  util.Format(n, PhoneNumberUtil::E164, &out.e164);
  return out;
}

std::string phone_subdivision(std::string_view e164) {
  const auto& util = *PhoneNumberUtil::GetInstance();
  PhoneNumber n;
  if (util.Parse(std::string(e164), "ZZ", &n) != PhoneNumberUtil::NO_PARSING_ERROR) return {};
  std::string region;
  util.GetRegionCodeForNumber(n, &region);
  if (region.empty() || region == "ZZ") return {};
  std::string where = geocoder().GetDescriptionForNumber(n, icu::Locale("en"));
  // "Miami, FL": North American descriptions end in the postal code of the state or province, which
  // is the ISO 3166-2 code's suffix.
  if (auto comma = where.rfind(", "); comma != std::string::npos && where.size() - comma == 4) {
    std::string code = region + "-" + where.substr(comma + 2);
    if (auto known = std::find_if(tables::subdivision_rows, tables::subdivision_rows + tables::subdivision_row_count,
                                     [&](const tables::subdivision_row& r) { return r.code == code; });
        known != tables::subdivision_rows + tables::subdivision_row_count)
      return code;
    return {};
  }
  return subdivision_named(region, where);  // "Florida"
}

}  // namespace dialer::compliance
