// Which call event a recorded-message webhook is (engine-internal; drop_messages.cpp).
#pragma once
#include <cstdint>
#include <optional>

#include "dialer/domain/call_machine.hpp"
#include "dialer/telnyx/webhook_event.hpp"

namespace dialer::engine {

// call.speak.* / call.playback.* (message_started, message_ended with payload.status) and
// call.machine[.premium].greeting.ended (greeting_ended); nullopt for any other kind.
std::optional<domain::call_event> message_call_event(const telnyx::webhook_event& ev, std::int64_t at_ms);

}  // namespace dialer::engine
