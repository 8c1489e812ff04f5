// The /metrics families of the recorded messages (SPEC §10: drop message, voicemail), from the database.
#pragma once
#include "dialer/api/metrics.hpp"
#include "dialer/store/store.hpp"

namespace dialer::api {

// A drop message issued later than this after call.answered is late (16 CFR 310.4: 2 s).
inline constexpr std::int64_t drop_message_deadline_ms = 2000;

// Appends dialer_dropped_calls{message="played|not_played|none"}, dialer_drop_messages_late and
// dialer_voicemails_left (ended calls in the database). Throws SQLite::Exception like the store.
void write_message_metrics(exposition& out, store::store& db);

}  // namespace dialer::api
