// The recorded-message metric families, counted from the calls table.
#include "dialer/api/message_metrics.hpp"

namespace dialer::api {

void write_message_metrics(exposition& out, store::store& db) {
  const auto c = db.count_messages(drop_message_deadline_ms);
  out.family("dialer_dropped_calls", "gauge",
             "ended calls dropped because no agent was free, by their drop message: played (it started), "
             "not_played (issued, never started), none (a silent drop)");
  out.sample("dialer_dropped_calls", {{"message", "played"}}, static_cast<double>(c.drops_played));
  out.sample("dialer_dropped_calls", {{"message", "not_played"}}, static_cast<double>(c.drops_not_played));
  out.sample("dialer_dropped_calls", {{"message", "none"}}, static_cast<double>(c.drops_silent));
  out.family("dialer_drop_messages_late", "gauge",
             "ended drops whose drop message was issued more than 2 s after call.answered");
  out.sample("dialer_drop_messages_late", {}, static_cast<double>(c.drops_late));
  out.family("dialer_voicemails_left", "gauge", "ended machine calls whose voicemail message started");
  out.sample("dialer_voicemails_left", {}, static_cast<double>(c.voicemails_left));
}

}  // namespace dialer::api
