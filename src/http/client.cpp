// The pooled HTTP/1.1 client: one origin, up to max_connections keep-alive connections, waiters queue
// for a free slot, every request bounded by one deadline, one retry only for a stale pooled connection.
#include "dialer/http/client.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <deque>
#include <stdexcept>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <openssl/err.h>
#include <openssl/ssl.h>

namespace dialer::http {
namespace {

using tcp = net::ip::tcp;
using clock_type = std::chrono::steady_clock;
using error_code = boost::system::error_code;
constexpr auto use_tuple = net::as_tuple(net::use_awaitable);
constexpr std::size_t response_body_limit = 64 * 1024 * 1024;

struct origin {
  bool tls = false;
  std::string host;       // without brackets
  std::string port;
  std::string base_path;  // "" or "/v2" (no trailing slash)
  std::string host_header;
};

origin parse_base_url(const std::string& url) {
  auto fail = [&](std::string_view why) -> origin {
    throw std::invalid_argument("bad base URL \"" + url + "\": " + std::string(why));
  };
  origin o;
  std::string_view rest = url;
  auto starts_with_nocase = [](std::string_view s, std::string_view prefix) {
    return s.size() >= prefix.size() && beast::iequals(s.substr(0, prefix.size()), prefix);
  };
  if (starts_with_nocase(rest, "https://")) {
    o.tls = true;
    rest.remove_prefix(8);
  } else if (starts_with_nocase(rest, "http://")) {
    rest.remove_prefix(7);
  } else {
    return fail("expected http:// or https://");
  }
  const auto slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  std::string_view path = slash == std::string_view::npos ? std::string_view{} : rest.substr(slash);
  std::string_view port_text;
  if (!authority.empty() && authority.front() == '[') {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) return fail("unbalanced brackets");
    o.host = std::string(authority.substr(1, close - 1));
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return fail("unexpected text after ]");
      port_text = after.substr(1);
    }
  } else {
    const auto colon = authority.find(':');
    o.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) port_text = authority.substr(colon + 1);
  }
  if (o.host.empty()) return fail("missing host");
  if (o.host.find_first_of("@?# ") != std::string::npos) return fail("unsupported characters in host");
  if (path.find_first_of("?#") != std::string_view::npos) return fail("query or fragment in base URL");
  if (!port_text.empty() || authority.find(':') != std::string_view::npos) {
    unsigned port = 0;
    const auto [end, err] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (port_text.empty() || err != std::errc{} || end != port_text.data() + port_text.size() || port == 0 ||
        port > 65535)
      return fail("port must be a number 1-65535");
    o.port = std::string(port_text);
  }
  const bool default_port = o.port.empty();
  if (default_port) o.port = o.tls ? "443" : "80";
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);
  o.base_path = std::string(path);
  const bool v6 = o.host.find(':') != std::string::npos;
  o.host_header = v6 ? "[" + o.host + "]" : o.host;
  if (!default_port) o.host_header += ":" + o.port;
  return o;
}

bool is_ip_literal(const std::string& host) {
  error_code ec;
  net::ip::make_address(host, ec);
  return !ec;
}

// Beast reports its own stream timeouts as beast::error::timeout; callers see one value for all.
error_code normalize(const error_code& ec) {
  if (ec == beast::error::timeout) return net::error::timed_out;
  return ec;
}

// Errors that mean the peer had closed an idle keep-alive connection before we used it.
bool is_stale_error(const error_code& ec) {
  return ec == bhttp::error::end_of_stream || ec == net::error::eof || ec == net::error::connection_reset ||
         ec == net::error::broken_pipe || ec == net::error::connection_aborted || ec == ssl::error::stream_truncated;
}

struct connection {
  std::unique_ptr<beast::tcp_stream> plain;
  std::unique_ptr<beast::ssl_stream<beast::tcp_stream>> secure;
  beast::flat_buffer buffer;

  beast::tcp_stream& lowest() { return secure ? beast::get_lowest_layer(*secure) : *plain; }
  void close() {
    error_code ec;
    lowest().socket().shutdown(tcp::socket::shutdown_both, ec);
    lowest().socket().close(ec);
  }
};

struct exchange_result {
  error_code ec;
  client_response response;
  bool got_response_bytes = false;  // false: nothing of a response arrived (stale-connection retry is safe)
  bool keep_alive = false;
};

template <class Stream>
awaitable<exchange_result> exchange(Stream& stream, connection& conn, bhttp::request<bhttp::string_body>& msg,
                                    clock_type::time_point deadline) {
  exchange_result out;
  conn.lowest().expires_at(deadline);
  auto [wec, wn] = co_await bhttp::async_write(stream, msg, use_tuple);
  if (wec) {
    out.ec = normalize(wec);
    co_return out;
  }
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(response_body_limit);
  if (msg.method() == verb::head) parser.skip(true);
  auto [rec, rn] = co_await bhttp::async_read(stream, conn.buffer, parser, use_tuple);
  if (rec) {
    out.ec = normalize(rec);
    out.got_response_bytes = parser.got_some() || conn.buffer.size() > 0;
    co_return out;
  }
  conn.lowest().expires_never();
  auto& res = parser.get();
  out.response.status = res.result_int();
  out.keep_alive = res.keep_alive();
  for (const auto& f : res) {
    std::string name(f.name_string());
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
    out.response.headers.emplace_back(std::move(name), std::string(f.value()));
  }
  out.response.body = std::move(res.body());
  co_return out;
}

}  // namespace

std::string client_response::header(std::string_view name) const {
  for (const auto& [k, v] : headers)
    if (beast::iequals(k, name)) return v;
  return {};
}

struct client::impl : std::enable_shared_from_this<client::impl> {
  impl(net::any_io_executor ex, std::string base_url, client_options options)
      : ex_(ex), origin_(parse_base_url(base_url)), options_(options) {
    if (options_.max_connections == 0) options_.max_connections = 1;
    if (origin_.tls) {
      tls_.emplace(ssl::context::tls_client);
      SSL_CTX_set_min_proto_version(tls_->native_handle(), TLS1_2_VERSION);
      if (options_.verify_peer) {
        tls_->set_default_verify_paths();
        tls_->set_verify_mode(ssl::verify_peer);
      } else {
        tls_->set_verify_mode(ssl::verify_none);
      }
    }
  }

  void wake_one() {
    if (waiters_.empty()) return;
    auto timer = waiters_.front();
    waiters_.pop_front();
    timer->cancel();
  }

  void release(std::unique_ptr<connection> conn, bool reusable) {
    if (reusable) {
      idle_.push_back(std::move(conn));
    } else {
      conn->close();
      --open_;
    }
    wake_one();
  }

  void close_idle() {
    for (auto& c : idle_) c->close();
    open_ -= idle_.size();
    idle_.clear();
    while (!waiters_.empty()) wake_one();
  }

  awaitable<std::pair<error_code, std::unique_ptr<connection>>> connect(clock_type::time_point deadline) {
    using namespace net::experimental::awaitable_operators;
    tcp::resolver resolver(ex_);
    net::steady_timer timer(ex_, deadline);
    auto resolved = co_await (resolver.async_resolve(origin_.host, origin_.port, use_tuple) ||
                              timer.async_wait(use_tuple));
    if (resolved.index() == 1) co_return std::pair{error_code(net::error::timed_out), nullptr};
    auto [rec, endpoints] = std::get<0>(std::move(resolved));
    if (rec) co_return std::pair{rec, nullptr};

    auto conn = std::make_unique<connection>();
    if (tls_)
      conn->secure = std::make_unique<beast::ssl_stream<beast::tcp_stream>>(ex_, *tls_);
    else
      conn->plain = std::make_unique<beast::tcp_stream>(ex_);
    conn->lowest().expires_at(deadline);
    auto [cec, ep] = co_await conn->lowest().async_connect(endpoints, use_tuple);
    if (cec) co_return std::pair{normalize(cec), nullptr};
    if (conn->secure) {
      // SNI carries host names only (RFC 6066), never IP literals.
      if (!is_ip_literal(origin_.host) && !SSL_set_tlsext_host_name(conn->secure->native_handle(), origin_.host.c_str()))
        co_return std::pair{error_code(static_cast<int>(::ERR_get_error()), net::error::get_ssl_category()), nullptr};
      if (options_.verify_peer) conn->secure->set_verify_callback(ssl::host_name_verification(origin_.host));
      auto [hec] = co_await conn->secure->async_handshake(ssl::stream_base::client, use_tuple);
      if (hec) co_return std::pair{normalize(hec), nullptr};
    }
    conn->lowest().expires_never();
    co_return std::pair{error_code{}, std::move(conn)};
  }

  // A connection for one request: an idle one (reused=true) unless `fresh`, else a new one while
  // under the cap, else wait for a release until the deadline.
  struct acquired {
    error_code ec;
    std::unique_ptr<connection> conn;
    bool reused = false;
  };
  awaitable<acquired> acquire(clock_type::time_point deadline, bool fresh) {
    for (;;) {
      if (!fresh && !idle_.empty()) {
        auto conn = std::move(idle_.back());
        idle_.pop_back();
        co_return acquired{error_code{}, std::move(conn), true};
      }
      if (fresh && open_ >= options_.max_connections && !idle_.empty()) {
        idle_.front()->close();
        idle_.erase(idle_.begin());
        --open_;
      }
      if (open_ < options_.max_connections) {
        ++open_;
        auto connected = co_await connect(deadline);
        if (connected.first) {
          --open_;
          wake_one();
          co_return acquired{connected.first, nullptr, false};
        }
        co_return acquired{error_code{}, std::move(connected.second), false};
      }
      if (clock_type::now() >= deadline) co_return acquired{error_code(net::error::timed_out), nullptr, false};
      auto timer = std::make_shared<net::steady_timer>(ex_, deadline);
      waiters_.push_back(timer);
      co_await timer->async_wait(use_tuple);
      std::erase(waiters_, timer);
    }
  }

  // The wire request for `req` (its body is moved out): base path + target, default headers, then the
  // caller's headers, which may override them.
  void build(client_request& req, bhttp::request<bhttp::string_body>& msg) const {
    std::string target = origin_.base_path;
    if (req.target.empty() || req.target.front() != '/') target += '/';
    target += req.target;
    msg.method(req.method);
    msg.target(target);
    msg.version(11);
    msg.set(bhttp::field::host, origin_.host_header);
    msg.set(bhttp::field::user_agent, "dialer/0.1");
    if (!req.body.empty()) msg.set(bhttp::field::content_type, "application/json");
    for (const auto& [name, value] : req.headers) msg.set(name, value);
    msg.body() = std::move(req.body);
    msg.keep_alive(true);
    msg.prepare_payload();
  }

  // `self` keeps the pool alive for the whole request even if the client object goes away.
  awaitable<std::pair<error_code, client_response>> send(std::shared_ptr<impl> self, client_request req) {
    const auto deadline = clock_type::now() + options_.timeout;
    bhttp::request<bhttp::string_body> msg;
    build(req, msg);
    std::pair<error_code, client_response> out;
    for (int attempt = 0; attempt < 2; ++attempt) {
      acquired got = co_await acquire(deadline, attempt > 0);
      if (got.ec) {
        out.first = got.ec;
        break;
      }
      exchange_result result;
      if (got.conn->secure)
        result = co_await exchange(*got.conn->secure, *got.conn, msg, deadline);
      else
        result = co_await exchange(*got.conn->plain, *got.conn, msg, deadline);
      if (!result.ec) {
        release(std::move(got.conn), result.keep_alive);
        out.first = {};
        out.second = std::move(result.response);
        break;
      }
      release(std::move(got.conn), false);
      out.first = result.ec;
      if (!(got.reused && !result.got_response_bytes && is_stale_error(result.ec))) break;
    }
    co_return out;
  }

  net::any_io_executor ex_;
  origin origin_;
  client_options options_;
  std::optional<ssl::context> tls_;
  std::vector<std::unique_ptr<connection>> idle_;
  std::size_t open_ = 0;  // idle + in use + connecting
  std::deque<std::shared_ptr<net::steady_timer>> waiters_;
};

client::client(net::any_io_executor ex, std::string base_url, client_options options)
    : impl_(std::make_shared<impl>(ex, std::move(base_url), options)) {}

client::~client() { impl_->close_idle(); }

awaitable<std::pair<boost::system::error_code, client_response>> client::send(client_request req) {
  // Not a coroutine: impl_ is captured now, not when the caller first resumes the awaitable.
  return impl_->send(impl_, std::move(req));
}

void client::close() { impl_->close_idle(); }

}  // namespace dialer::http
