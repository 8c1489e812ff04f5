// The bounded channel between a streamed response's producer and its connection.
#include "dialer/http/stream.hpp"

namespace dialer::http {

std::string_view to_string(stream_end e) {
  switch (e) {
    case stream_end::open: return "open";
    case stream_end::finished: return "finished";
    case stream_end::client_left: return "client_left";
    case stream_end::too_slow: return "too_slow";
    case stream_end::server_stop: return "server_stop";
  }
  return "unknown";
}

stream_channel::stream_channel(stream_options options) : options_(std::move(options)) {}

bool stream_channel::write(std::string_view bytes) {
  if (state_ != stream_end::open) return false;
  if (queued_.size() + bytes.size() > options_.max_buffered) {
    end(stream_end::too_slow);
    return false;
  }
  queued_.append(bytes);
  if (on_activity_) on_activity_();
  return true;
}

void stream_channel::end(stream_end why) {
  if (state_ != stream_end::open || why == stream_end::open) return;
  state_ = why;
  if (why != stream_end::finished) queued_.clear();  // nobody will read it
  // Callbacks may drop the last other reference to this channel: run copies.
  auto ended = std::move(on_end_);
  on_end_ = nullptr;
  auto activity = on_activity_;
  on_drained_ = nullptr;
  if (ended) ended(why);
  if (activity) activity();
}

std::string stream_channel::take() {
  std::string out;
  out.swap(queued_);
  if (!out.empty() && on_drained_) on_drained_();
  return out;
}

}  // namespace dialer::http
