// The recorded-message fields of a call (SPEC §10: drop message, voicemail), written the same way in
// the API's call views and in the call.updated / call.ended events.
#pragma once
#include <cstdint>
#include <optional>

#include "dialer/common/json_writer.hpp"
#include "dialer/store/records.hpp"

namespace dialer::engine {

// Milliseconds from call.answered to the drop message's command, for a call that got the drop
// message (never negative); nullopt for any other call.
std::optional<std::int64_t> drop_message_delay_ms(const domain::call_state& s);

// Writes "messagePlayed" (bool: the drop or voicemail message started), "dropMessageDelayMs"
// (integer or null), "voicemailLeft" (bool) and "messageStatus" (how the message ended, or null).
void write_message_fields(json::writer& w, const domain::call_state& s);

}  // namespace dialer::engine
