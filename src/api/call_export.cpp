// The audit export: CSV rows of the calls table written into a streamed response a page at a time.
// The next page is read only when the connection has taken the previous one, so a slow client makes
// the export wait (never the engine, whose thread this runs on between pages) and memory stays at
// about one page whatever the number of calls.
#include "dialer/api/call_export.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http/field.hpp>

#include <memory>

#include "dialer/api/csv.hpp"
#include "dialer/api/errors.hpp"
#include "dialer/api/query_params.hpp"
#include <map>

#include "dialer/common/log.hpp"
#include "dialer/common/time_format.hpp"
#include "dialer/http/stream.hpp"

namespace dialer::api {
namespace {

constexpr int page_rows = 200;
// A row is at most ~20 KB (notes of 10,000 characters, quotes doubled), so a page always fits.
constexpr std::size_t export_buffer_bytes = 8 * 1024 * 1024;

std::string iso_or_empty(const std::optional<std::int64_t>& ms) {
  return ms ? format_iso8601(from_unix_ms(*ms)) : std::string();
}

// The rows of one page; each session's campaign is read once per page.
std::string csv_page(store::store& db, const std::vector<store::call_record>& calls) {
  std::map<std::string, std::string> campaigns;
  std::string out;
  for (const auto& c : calls) {
    auto it = campaigns.find(c.session_id);
    if (it == campaigns.end()) {
      auto s = c.session_id.empty() ? std::nullopt : db.get_session(c.session_id);
      it = campaigns.emplace(c.session_id, s ? s->campaign_id : std::string()).first;
    }
    append_call_csv(out, c, it->second);
  }
  return out;
}

// Writes the pages after `range.after` to `channel` as the connection takes them, then finishes it.
awaitable<void> stream_pages(store::store& db, store::call_range range, std::shared_ptr<http::stream_channel> channel) {
  auto wake = std::make_shared<net::steady_timer>(co_await net::this_coro::executor);
  // The callbacks hold the timer weakly: the channel may outlive this frame.
  std::weak_ptr<net::steady_timer> weak = wake;
  channel->on_drained([weak] { if (auto t = weak.lock()) t->cancel(); });
  channel->on_end([weak](http::stream_end) { if (auto t = weak.lock()) t->cancel(); });
  std::int64_t rows = 0;
  try {
    for (;;) {
      while (channel->is_open() && channel->buffered() > 0) {
        wake->expires_after(std::chrono::seconds(30));
        co_await wake->async_wait(net::as_tuple(net::use_awaitable));
      }
      if (!channel->is_open()) break;
      auto page = db.calls_in_range(range, page_rows);
      rows += static_cast<std::int64_t>(page.calls.size());
      if (!channel->write(csv_page(db, page.calls))) break;
      if (!page.next) {
        channel->end(http::stream_end::finished);
        break;
      }
      range.after = *page.next;
    }
  } catch (const std::exception& e) {
    // Headers and rows have gone out already: all that is left is to cut the response short.
    log::error("api", "call export failed", {{"rows", std::to_string(rows)}, {"error", e.what()}});
    channel->end(http::stream_end::server_stop);
  }
  channel->on_drained(nullptr);
  channel->on_end(nullptr);
  log::info("api", "call export ended", {{"rows", std::to_string(rows)},
                                         {"reason", std::string(http::to_string(channel->state()))}});
}

}  // namespace

std::string call_csv_header() {
  std::string out;
  append_csv_row(out, {"call_id", "session_id", "queue_item_id", "contact_id", "kind", "direction", "from", "to",
                       "started_at", "answered_at", "bridged_at", "ended_at", "duration_seconds", "talk_seconds",
                       "outcome", "hangup_cause", "sip_hangup_cause", "amd_result", "message_played", "campaign",
                       "disposition", "notes"});
  return out;
}

void append_call_csv(std::string& out, const store::call_record& c, const std::string& campaign_id) {
  const auto& s = c.state;
  const std::string duration = s.ended_at_ms ? std::to_string((*s.ended_at_ms - c.started_at_ms) / 1000) : "";
  append_csv_row(out, {c.id, c.session_id, c.queue_item_id, c.contact_id, domain::to_string(c.kind), c.direction,
                       c.from, c.to, format_iso8601(from_unix_ms(c.started_at_ms)), iso_or_empty(s.answered_at_ms),
                       iso_or_empty(s.bridged_at_ms), iso_or_empty(s.ended_at_ms), duration,
                       std::to_string(s.talk_ms() / 1000), domain::to_string(s.result), s.hangup_cause,
                       s.sip_hangup_cause, domain::to_string(s.amd), s.message_played ? "true" : "false", campaign_id,
                       c.disposition, c.notes});
}

void add_call_export_routes(http::router& router, engine::engine& eng, const clock& clk) {
  router.add(http::verb::get, "/api/calls/export",
             [&eng, &clk](http::request& req, const http::route_params&) -> awaitable<http::response> {
               auto q = http::parse_query(req.target());
               auto from = time_param(q, "from");
               if (!from) co_return error_reply(req, from.err());
               auto to = time_param(q, "to");
               if (!to) co_return error_reply(req, to.err());
               if (from.value() && to.value() && *to.value() < *from.value())
                 co_return error_reply(req, {engine::errc::invalid_input, "must not be before from", "to"});
               store::call_range range;
               range.from_ms = from.value();
               // Without `to`, the calls dialed up to this request: a fixed set however long it streams.
               range.to_ms = to.value() ? to.value() : std::optional<std::int64_t>(to_unix_ms(clk.now()) + 1);
               // The first page is read now, so a database that cannot answer is a 503 before any row.
               auto first = eng.db().calls_in_range(range, page_rows);

               http::stream_options so;
               so.max_buffered = export_buffer_bytes;
               auto channel = std::make_shared<http::stream_channel>(so);
               channel->write(call_csv_header() + csv_page(eng.db(), first.calls));
               if (first.next) {
                 range.after = *first.next;
                 net::co_spawn(co_await net::this_coro::executor, stream_pages(eng.db(), range, channel), net::detached);
               } else {
                 channel->end(http::stream_end::finished);
               }
               http::response res{http::status::ok, req.version()};
               res.set(http::bhttp::field::content_type, "text/csv; charset=utf-8; header=present");
               res.set(http::bhttp::field::content_disposition, "attachment; filename=\"calls.csv\"");
               res.set(http::bhttp::field::cache_control, "no-store");
               res.stream = std::move(channel);
               co_return res;
             });
}

}  // namespace dialer::api
