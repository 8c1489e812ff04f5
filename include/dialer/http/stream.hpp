// A streamed response body (Server-Sent Events and the like): a producer writes bytes into a channel
// whenever it likes; the connection sends them as they come. The channel is bounded, so a client that
// does not read can never make the producer wait or grow memory without limit: it is cut off.
#pragma once
#include <chrono>
#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

namespace dialer::http {

// Why a stream ended.
enum class stream_end {
  open,         // not ended yet
  finished,     // the producer ended it (what is queued is still sent)
  client_left,  // the client closed the connection, or a write failed or timed out
  too_slow,     // more than the buffer limit was waiting unsent: the client fell behind
  server_stop,  // the server is stopping
};

std::string_view to_string(stream_end e);

struct stream_options {
  std::size_t max_buffered = 1024 * 1024;  // unsent bytes allowed to wait for the client
  std::string keepalive;                   // sent when nothing was sent for keepalive_every (empty: never)
  std::chrono::milliseconds keepalive_every{15000};
};

// Shared by the producer and the connection (single-threaded, like the server).
class stream_channel {
 public:
  explicit stream_channel(stream_options options);
  stream_channel(const stream_channel&) = delete;
  stream_channel& operator=(const stream_channel&) = delete;

  // Producer side.
  // Queues `bytes` and wakes the connection. Returns false, queueing nothing, when the stream has
  // ended, or when the unsent bytes would exceed max_buffered: the stream then ends with too_slow.
  bool write(std::string_view bytes);
  // Ends the stream; the first reason stays (later calls do nothing). Runs the on_end callback once.
  void end(stream_end why);
  stream_end state() const { return state_; }
  bool is_open() const { return state_ == stream_end::open; }
  // `f` runs once when the stream ends, with the reason (e.g. to forget the client). Replaces any
  // earlier callback; nullptr clears it.
  void on_end(std::function<void(stream_end)> f) { on_end_ = std::move(f); }
  // `f` runs when take() has emptied the queue, so a producer that writes page by page (the CSV
  // export) can write the next page as the client reads; nullptr clears it.
  void on_drained(std::function<void()> f) { on_drained_ = std::move(f); }

  // Connection side.
  // Takes every queued byte (empty when none).
  std::string take();
  std::size_t buffered() const { return queued_.size(); }
  const stream_options& options() const { return options_; }
  // `f` runs after every write() and end(), so the connection can wake its sender; nullptr clears it.
  void on_activity(std::function<void()> f) { on_activity_ = std::move(f); }

 private:
  stream_options options_;
  std::string queued_;
  stream_end state_ = stream_end::open;
  std::function<void(stream_end)> on_end_;
  std::function<void()> on_activity_;
  std::function<void()> on_drained_;
};

}  // namespace dialer::http
