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

// check_contacts (engine.hpp) is implemented here too.

}  // namespace dialer::engine
