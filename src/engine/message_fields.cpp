// The recorded-message fields of a call view and of call events.
#include "dialer/engine/message_fields.hpp"

#include <algorithm>

namespace dialer::engine {

std::optional<std::int64_t> drop_message_delay_ms(const domain::call_state& s) {
  if (s.message != domain::message_kind::drop || !s.message_at_ms || !s.answered_at_ms) return std::nullopt;
  return std::max<std::int64_t>(0, *s.message_at_ms - *s.answered_at_ms);
}

void write_message_fields(json::writer& w, const domain::call_state& s) {
  w.Key("messagePlayed");
  w.Bool(s.message_played);
  w.Key("dropMessageDelayMs");
  if (auto d = drop_message_delay_ms(s)) w.Int64(*d); else w.Null();
  w.Key("voicemailLeft");
  w.Bool(s.message == domain::message_kind::voicemail && s.message_played);
  json::str_or_null(w, "messageStatus", s.message_status);
}

}  // namespace dialer::engine
