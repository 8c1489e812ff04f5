// The Beast HTTP/1.1 server: an accept loop plus one coroutine per connection (plain or TLS) with
// header/body limits, a read timeout before every read, a connection cap and a graceful stop.
#include "dialer/http/server.hpp"

#include <algorithm>
#include <charconv>
#include <list>
#include <stdexcept>
#include <string_view>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/serializer.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <openssl/ssl.h>

#include "dialer/common/log.hpp"
#include "dialer/http/stream.hpp"

namespace dialer::http {
namespace {

using tcp = net::ip::tcp;
constexpr auto use_tuple = net::as_tuple(net::use_awaitable);
using tls_stream = beast::ssl_stream<beast::tcp_stream>;

// Bounds the extra work done for a client that is being dropped (lingering close, TLS shutdown).
constexpr std::chrono::milliseconds close_grace{1000};
constexpr std::size_t drain_limit = 1024 * 1024;

tcp::endpoint parse_listen(const std::string& listen) {
  auto fail = [&](std::string_view why) -> tcp::endpoint {
    throw std::runtime_error("bad listen address \"" + listen + "\": " + std::string(why));
  };
  const auto colon = listen.rfind(':');
  if (colon == std::string::npos) return fail("expected host:port");
  std::string host = listen.substr(0, colon);
  const std::string port_text = listen.substr(colon + 1);
  if (!host.empty() && host.front() == '[') {
    if (host.size() < 2 || host.back() != ']') return fail("unbalanced brackets");
    host = host.substr(1, host.size() - 2);
  } else if (host.find(':') != std::string::npos) {
    return fail("IPv6 addresses need brackets, e.g. [::1]:8080");
  }
  unsigned port = 0;
  const auto [end, perr] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (port_text.empty() || perr != std::errc{} || end != port_text.data() + port_text.size() || port > 65535)
    return fail("port must be a number 0-65535");
  if (host.empty() || host == "*") return {net::ip::address_v4::any(), static_cast<unsigned short>(port)};
  if (host == "localhost") return {net::ip::address_v4::loopback(), static_cast<unsigned short>(port)};
  boost::system::error_code ec;
  const auto address = net::ip::make_address(host, ec);
  if (ec) return fail("host must be an IP address or localhost");
  return {address, static_cast<unsigned short>(port)};
}

// The reply owed to a client whose request could not be read, or none when the connection should
// simply close (timeouts, resets, a clean end of stream).
struct read_failure {
  status code;
  std::string_view error_code;
  std::string_view message;
};
std::optional<read_failure> failure_reply(const boost::system::error_code& ec) {
  if (ec == bhttp::error::body_limit) return read_failure{status::payload_too_large, "body_too_large", "request body too large"};
  if (ec == bhttp::error::header_limit)
    return read_failure{status::request_header_fields_too_large, "headers_too_large", "request headers too large"};
  if (ec == bhttp::error::end_of_stream || ec == bhttp::error::partial_message) return std::nullopt;
  if (ec.category() == bhttp::make_error_code(bhttp::error::bad_method).category())
    return read_failure{status::bad_request, "bad_request", "malformed HTTP request"};
  return std::nullopt;
}

}  // namespace

// Per-connection bookkeeping the server needs for stop(): whether the connection may be closed now.
struct server_connection_state {
  bool idle = true;             // waiting for a new request: closing it loses nothing
  std::function<void()> abort;  // cancels the pending I/O of the connection
};

struct server::impl : std::enable_shared_from_this<server::impl> {
  impl(net::any_io_executor ex, server_options options, handler h)
      : ex_(ex), options_(std::move(options)), handler_(std::move(h)), endpoint_(parse_listen(options_.listen)), acceptor_(ex) {
    if (options_.tls) tls_.emplace(make_tls_context(*options_.tls));
  }

  static ssl::context make_tls_context(const tls_files& files) {
    ssl::context ctx{ssl::context::tls_server};
    ctx.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                    ssl::context::single_dh_use);
    SSL_CTX_set_min_proto_version(ctx.native_handle(), TLS1_2_VERSION);
    boost::system::error_code ec;
    ctx.use_certificate_chain_file(files.cert_chain_file, ec);
    if (ec) throw std::runtime_error("cannot load TLS certificate chain \"" + files.cert_chain_file + "\": " + ec.message());
    ctx.use_private_key_file(files.private_key_file, ssl::context::pem, ec);
    if (ec) throw std::runtime_error("cannot load TLS private key \"" + files.private_key_file + "\": " + ec.message());
    return ctx;
  }

  // Holds a connection's place in connections_ for exactly as long as its coroutine frame lives,
  // even when the coroutine never gets to run (io_context destroyed first).
  struct slot {
    std::shared_ptr<impl> owner;
    std::list<server_connection_state>::iterator it;
    slot(std::shared_ptr<impl> o, std::list<server_connection_state>::iterator i) : owner(std::move(o)), it(i) {}
    slot(slot&& other) noexcept : owner(std::move(other.owner)), it(other.it) {}
    slot(const slot&) = delete;
    ~slot() {
      if (owner) owner->connections_.erase(it);
    }
  };

  void start() {
    acceptor_.open(endpoint_.protocol());
    acceptor_.set_option(net::socket_base::reuse_address(true));
    acceptor_.bind(endpoint_);
    acceptor_.listen(net::socket_base::max_listen_connections);
    port_ = acceptor_.local_endpoint().port();
    stopping_ = false;
    net::co_spawn(ex_, accept_loop(shared_from_this()), [](std::exception_ptr e) {
      if (e) log::error("http", "accept loop failed");
    });
    log::info("http", "listening", {{"address", options_.listen}, {"port", std::to_string(port_)},
                                    {"tls", options_.tls ? "true" : "false"}});
  }

  void stop() {
    if (stopping_) return;
    stopping_ = true;
    boost::system::error_code ignored;
    acceptor_.close(ignored);
    for (auto& c : connections_)
      if (c.idle && c.abort) c.abort();
  }

  static awaitable<void> accept_loop(std::shared_ptr<impl> self) {
    while (!self->stopping_) {
      auto [ec, socket] = co_await self->acceptor_.async_accept(use_tuple);
      if (self->stopping_ || ec == net::error::operation_aborted) co_return;
      if (ec) {
        // Typically EMFILE: back off briefly instead of spinning on the same error.
        log::warn("http", "accept failed", {{"error", ec.message()}});
        net::steady_timer pause(self->ex_, std::chrono::milliseconds(50));
        co_await pause.async_wait(use_tuple);
        continue;
      }
      ++self->accepted_;
      if (self->connections_.size() >= self->options_.max_connections) {
        log::warn("http", "connection cap reached, closing new connection",
                  {{"max_connections", std::to_string(self->options_.max_connections)}});
        socket.close(ec);
        continue;
      }
      slot s{self, self->connections_.emplace(self->connections_.end())};
      auto completion = [](std::exception_ptr e) {
        if (!e) return;
        try {
          std::rethrow_exception(e);
        } catch (const std::exception& ex) {
          log::error("http", "connection failed", {{"error", ex.what()}});
        } catch (...) {
          log::error("http", "connection failed");
        }
      };
      if (self->tls_)
        net::co_spawn(self->ex_, run_tls(self, std::move(socket), std::move(s)), completion);
      else
        net::co_spawn(self->ex_, run_plain(self, std::move(socket), std::move(s)), completion);
    }
  }

  static awaitable<void> run_plain(std::shared_ptr<impl> self, tcp::socket socket, slot s) {
    beast::tcp_stream stream(std::move(socket));
    s.it->abort = [&stream] { stream.cancel(); };
    const bool lingering = co_await self->serve(stream, *s.it);
    boost::system::error_code ec;
    stream.socket().shutdown(tcp::socket::shutdown_send, ec);
    if (lingering) co_await drain(stream);
    s.it->abort = nullptr;
    stream.socket().close(ec);
  }

  static awaitable<void> run_tls(std::shared_ptr<impl> self, tcp::socket socket, slot s) {
    tls_stream stream(std::move(socket), *self->tls_);
    s.it->abort = [&stream] { beast::get_lowest_layer(stream).cancel(); };
    beast::get_lowest_layer(stream).expires_after(self->options_.read_timeout);
    auto [hec] = co_await stream.async_handshake(ssl::stream_base::server, use_tuple);
    if (!hec) {
      const bool lingering = co_await self->serve(stream, *s.it);
      if (lingering) co_await drain(stream);
      // Clients often close without close_notify (stream_truncated): benign, so errors are ignored.
      beast::get_lowest_layer(stream).expires_after(close_grace);
      co_await stream.async_shutdown(use_tuple);
    }
    s.it->abort = nullptr;
    boost::system::error_code ec;
    beast::get_lowest_layer(stream).socket().close(ec);
  }

  // Reads and discards what the client is still sending after an error reply, so closing does not
  // reset the connection before the client has read that reply.
  template <class Stream>
  static awaitable<void> drain(Stream& stream) {
    beast::get_lowest_layer(stream).expires_after(close_grace);
    char scratch[4096];
    std::size_t total = 0;
    while (total < drain_limit) {
      auto [ec, n] = co_await stream.async_read_some(net::buffer(scratch), use_tuple);
      if (ec) break;
      total += n;
    }
  }

  awaitable<response> call_handler(request& req) {
    try {
      response res = co_await handler_(req);
      if (!res.stream) res.prepare_payload();
      co_return res;
    } catch (const std::exception& e) {
      log::error("http", "handler failed", {{"method", std::string(req.method_string())},
                                            {"path", std::string(req.target().substr(0, req.target().find('?')))},
                                            {"error", e.what()}});
    } catch (...) {
      log::error("http", "handler failed", {{"method", std::string(req.method_string())}});
    }
    co_return error_response(req, status::internal_server_error, "internal", "internal error");
  }

  // Serves requests until the client or the server ends the connection. Returns true when an error
  // reply was sent and the client may still be sending (the caller drains before closing).
  template <class Stream>
  awaitable<bool> serve(Stream& stream, server_connection_state& state) {
    beast::flat_buffer buffer;
    for (;;) {
      if (stopping_ && buffer.size() == 0) co_return false;
      bhttp::request_parser<bhttp::string_body> parser;
      parser.header_limit(static_cast<std::uint32_t>(std::min<std::size_t>(options_.header_limit, UINT32_MAX)));
      parser.body_limit(options_.body_limit);
      state.idle = buffer.size() == 0;
      beast::get_lowest_layer(stream).expires_after(options_.read_timeout);
      auto [ec, n] = co_await bhttp::async_read(stream, buffer, parser, use_tuple);
      state.idle = false;
      if (ec) {
        const auto failure = failure_reply(ec);
        if (!failure) co_return false;
        request blank{verb::get, "/", 11};
        blank.keep_alive(false);
        response res = error_response(blank, failure->code, failure->error_code, failure->message);
        beast::get_lowest_layer(stream).expires_after(options_.read_timeout);
        co_await bhttp::async_write(stream, res, use_tuple);
        co_return true;
      }
      request req = parser.release();
      response res = co_await call_handler(req);
      if (res.stream) {
        co_await send_stream(stream, res, state);
        co_return false;
      }
      const bool keep = req.keep_alive() && res.keep_alive() && !stopping_;
      res.keep_alive(keep);
      beast::get_lowest_layer(stream).expires_after(options_.read_timeout);
      auto [wec, wn] = co_await bhttp::async_write(stream, res, use_tuple);
      if (wec || !keep) co_return false;
    }
  }

  // Sends a streamed response: the headers, then what the producer writes, until the channel ends,
  // the client leaves (a read watches for its EOF), a write times out or the server stops.
  template <class Stream>
  awaitable<void> send_stream(Stream& stream, response& res, server_connection_state& state) {
    auto channel = res.stream;
    auto& lowest = beast::get_lowest_layer(stream);
    if (stopping_) {
      channel->end(stream_end::server_stop);
      co_return;
    }
    res.keep_alive(false);
    res.body().clear();
    bhttp::response_serializer<bhttp::string_body> header(res);
    lowest.expires_after(options_.read_timeout);
    auto wrote_header = co_await bhttp::async_write_header(stream, header, use_tuple);
    if (std::get<0>(wrote_header)) {
      channel->end(stream_end::client_left);
      co_return;
    }
    ++streams_;
    net::steady_timer wake(ex_);
    // A stream ended by the producer's side (too slow, server stop) is cut off at once, even while a
    // write to a client that does not read is pending.
    channel->on_activity([&wake, &lowest, ch = channel.get()] {
      wake.cancel();
      if (ch->state() != stream_end::open && ch->state() != stream_end::finished) lowest.cancel();
    });
    // The client sends nothing on a stream: a completed read means it left (or the server stopped,
    // whose abort cancels the read). Either way the channel ends.
    bool reading = true;
    char scratch[512];
    lowest.expires_never();
    stream.async_read_some(net::buffer(scratch), [this, &reading, &wake, channel](boost::system::error_code, std::size_t) {
      reading = false;
      channel->end(stopping_ ? stream_end::server_stop : stream_end::client_left);
      wake.cancel();
    });
    state.idle = true;  // stop() may cut it off at once: nothing is owed to a stream's client
    const auto keepalive_every = channel->options().keepalive.empty() ? std::chrono::milliseconds(std::chrono::hours(24))
                                                                      : channel->options().keepalive_every;
    for (;;) {
      if (stopping_) channel->end(stream_end::server_stop);
      const auto st = channel->state();
      if (st != stream_end::open && st != stream_end::finished) break;
      std::string out = channel->take();
      if (out.empty()) {
        if (st == stream_end::finished) break;
        wake.expires_after(keepalive_every);
        auto waited = co_await wake.async_wait(use_tuple);
        if (std::get<0>(waited)) continue;  // woken: something was written, or the stream ended
        out = channel->options().keepalive;
      }
      lowest.expires_after(options_.read_timeout);
      auto wrote = co_await net::async_write(stream, net::buffer(out), use_tuple);
      if (std::get<0>(wrote)) channel->end(stream_end::client_left);
    }
    state.idle = false;
    lowest.cancel();
    while (reading) {  // the read's handler refers to this frame: wait for it
      wake.expires_after(close_grace);
      co_await wake.async_wait(use_tuple);
    }
    channel->on_activity(nullptr);
    --streams_;
  }

  net::any_io_executor ex_;
  server_options options_;
  handler handler_;
  tcp::endpoint endpoint_;
  std::optional<ssl::context> tls_;
  tcp::acceptor acceptor_;
  unsigned short port_ = 0;
  bool stopping_ = false;
  std::size_t accepted_ = 0;
  std::size_t streams_ = 0;
  std::list<server_connection_state> connections_;
};

server::server(net::any_io_executor ex, server_options options, handler h)
    : impl_(std::make_shared<impl>(ex, std::move(options), std::move(h))) {}

server::~server() { impl_->stop(); }

void server::start() { impl_->start(); }
unsigned short server::port() const { return impl_->port_; }
void server::stop() { impl_->stop(); }
std::size_t server::open_connections() const { return impl_->connections_.size(); }
std::size_t server::accepted_connections() const { return impl_->accepted_; }
std::size_t server::open_streams() const { return impl_->streams_; }

}  // namespace dialer::http
