// Phone numbers and time zones from the API, checked and normalised before anything is written
// (SPEC §10): every phone becomes E.164 through libphonenumber, every timezone must be an IANA zone.
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dialer/config/config.hpp"
#include "dialer/engine/engine.hpp"
#include "dialer/engine/errors.hpp"

namespace dialer::engine {

// The region national numbers are read in: compliance.default_region, "US" without a compliance block.
std::string default_phone_region(const config::config& cfg);

// `text` as E.164, or an invalid_input error naming `field` with libphonenumber's reason.
result<std::string> normalise_phone_field(std::string_view text, const std::string& field, const config::config& cfg);

// Rewrites each contacts[i].phone to E.164 and checks each contacts[i].timezone (empty, or a zone of the
// tzdb). Returns the first error, naming "<field_prefix>[i].phone" or "<field_prefix>[i].timezone";
// on error `contacts` may be partly rewritten (callers write nothing then).
std::optional<error> normalise_contacts(std::vector<contact>& contacts, const std::string& field_prefix,
                                        const config::config& cfg);

}  // namespace dialer::engine
