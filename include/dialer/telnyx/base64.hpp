// Standard (RFC 4648, padded) base64, used by webhook signatures and client_state.
#pragma once
#include <optional>
#include <string>
#include <string_view>

namespace dialer::telnyx {

std::string base64_encode(std::string_view bytes);
// nullopt when `text` is not valid padded standard base64.
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace dialer::telnyx
