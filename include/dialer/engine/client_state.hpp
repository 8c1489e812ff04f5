// Reading back the client_state the engine puts on every dial (base64 of {"s","q","c","a","k"}), as it
// returns on that call's webhooks.
#pragma once
#include <string>
#include <string_view>

namespace dialer::engine {

// The call id ("c") inside a client_state the engine wrote, or empty when `client_state` is empty, not
// base64, not a JSON object or has no string "c" (someone else's state). Never throws.
std::string call_id_from_client_state(std::string_view client_state);

}  // namespace dialer::engine
