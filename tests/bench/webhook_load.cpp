// bench_load: the webhook load generator. Builds one signed Telnyx v2 webhook per request for the live
// customer calls listed in a /sim/calls dump (real call_control_ids and client_states, so the dialer
// matches them to its attempts), each with a fresh data.id, signs them all BEFORE the clock starts,
// then sends them over N keep-alive connections as fast as replies come back. Prints one JSON line:
// {"requests","ok","non_2xx","errors","seconds","req_per_s","target_cpu_us_per_req",
// "target_main_thread_cpu_us_per_req","loadgen_cpu_us_per_req"}.
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>

#include "dialer/common/ids.hpp"
#include "dialer/common/json.hpp"
#include "dialer/sim/webhook_dispatcher.hpp"
#include "dialer/telnyx/signature.hpp"
#include "lib/args.hpp"
#include "lib/proc_stats.hpp"

namespace {

using namespace dialer;
using tcp = net::ip::tcp;
namespace bhttp = boost::beast::http;
constexpr auto token = net::as_tuple(net::use_awaitable);

constexpr const char* usage =
    "usage: bench_load --port P --key-seed-file FILE --calls FILE [--requests 20000] [--connections 64]\n"
    "                  [--target /webhooks/telnyx] [--event call.initiated] [--pid PID] [--timeout-s 10]\n"
    "  --calls: a GET /sim/calls reply; its live customer calls are the calls the webhooks are about.\n"
    "  --pid: the server's process id, for its CPU time per request.\n";

struct live_call {
  std::string call_control_id, call_leg_id, call_session_id, client_state, from, to, start_time;
};

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<live_call> load_calls(const std::string& path) {
  rapidjson::Document d;
  auto text = read_file(path);
  d.Parse(text.c_str());
  if (d.HasParseError() || !d.IsObject() || !d.HasMember("data") || !d["data"].IsArray())
    throw std::runtime_error(path + ": not a /sim/calls reply");
  auto s = [](const rapidjson::Value& o, const char* k) {
    auto it = o.FindMember(k);
    return it != o.MemberEnd() && it->value.IsString() ? std::string(it->value.GetString()) : std::string();
  };
  std::vector<live_call> out;
  for (auto& c : d["data"].GetArray()) {
    if (s(c, "kind") != "customer" || !c["is_alive"].GetBool()) continue;
    out.push_back({s(c, "call_control_id"), s(c, "call_leg_id"), s(c, "call_session_id"), s(c, "client_state"),
                   s(c, "from"), s(c, "to"), s(c, "start_time")});
  }
  return out;
}

// The payload telnyx-sim (and Telnyx) sends for `event` on this call; keys in Telnyx's order.
std::string payload_json(const live_call& c, const std::string& event) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  auto kv = [&](const char* k, const std::string& v) {
    w.Key(k);
    w.String(v.data(), static_cast<rapidjson::SizeType>(v.size()));
  };
  w.StartObject();
  kv("call_control_id", c.call_control_id);
  kv("call_leg_id", c.call_leg_id);
  kv("call_session_id", c.call_session_id);
  kv("caller_id_name", c.from);
  kv("calling_party_type", "pstn");
  w.Key("client_state");
  if (c.client_state.empty()) w.Null(); else w.String(c.client_state.c_str());
  kv("connection_id", "bench-connection");
  if (event == "call.initiated") kv("direction", "outgoing");
  kv("from", c.from);
  kv("start_time", c.start_time);
  kv("state", event == "call.initiated" ? "bridging" : "answered");
  kv("to", c.to);
  w.EndObject();
  return buf.GetString();
}

struct load_state {
  std::vector<std::string> wire;  // complete HTTP requests, ready to write
  std::size_t next = 0;
  std::uint64_t ok = 0, non_2xx = 0, errors = 0;
  std::chrono::seconds timeout{10};  // per connect and per request
};

awaitable<void> connection(tcp::endpoint ep, load_state& st) {
  while (st.next < st.wire.size()) {
    beast::tcp_stream stream(co_await net::this_coro::executor);
    stream.expires_after(st.timeout);
    auto connected = co_await stream.async_connect(ep, token);
    if (std::get<0>(connected)) {
      ++st.next;  // that request is lost: the server is gone or refusing
      ++st.errors;
      continue;
    }
    stream.socket().set_option(tcp::no_delay(true));
    beast::flat_buffer buffer;
    bool broken = false;
    while (!broken && st.next < st.wire.size()) {
      const std::string& request = st.wire[st.next++];
      stream.expires_after(st.timeout);
      auto written = co_await net::async_write(stream, net::buffer(request), token);
      bhttp::response<bhttp::string_body> res;
      if (!std::get<0>(written)) {
        auto read = co_await bhttp::async_read(stream, buffer, res, token);
        broken = static_cast<bool>(std::get<0>(read));
      } else {
        broken = true;
      }
      if (broken) {
        ++st.errors;
      } else if (res.result_int() >= 200 && res.result_int() < 300) {
        ++st.ok;
      } else {
        ++st.non_2xx;
        if (st.non_2xx <= 3) std::cerr << "bench_load: " << res.result_int() << " " << res.body() << "\n";
      }
      if (!broken && !res.keep_alive()) broken = true;
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  bench::args a(argc, argv, usage);
  auto port = static_cast<unsigned short>(std::stoi(a.required("port")));
  auto signer = telnyx::signature_signer::from_seed_base64([&] {
    auto s = read_file(a.required("key-seed-file"));
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
    return s;
  }());
  if (!signer) {
    std::cerr << "bench_load: --key-seed-file does not hold a base64 Ed25519 seed\n";
    return 2;
  }
  std::vector<live_call> calls;
  try {
    calls = load_calls(a.required("calls"));
  } catch (const std::exception& e) {
    std::cerr << "bench_load: " << e.what() << "\n";
    return 2;
  }
  if (calls.empty()) {
    std::cerr << "bench_load: --calls lists no live customer call\n";
    return 2;
  }
  const auto requests = static_cast<std::size_t>(a.num("requests", 20000));
  const auto connections = static_cast<std::size_t>(a.num("connections", 64));
  const auto target = a.str("target", "/webhooks/telnyx");
  const auto event = a.str("event", "call.initiated");
  const int pid = static_cast<int>(a.num("pid", 0));

  load_state st;
  st.timeout = std::chrono::seconds(a.num("timeout-s", 10));
  st.wire.reserve(requests);
  const auto url = "http://127.0.0.1:" + std::to_string(port) + target;
  for (std::size_t i = 0; i < requests; ++i) {
    const live_call& c = calls[i % calls.size()];
    sim::webhook_out ev{c.call_control_id, url, event, payload_json(c, event), std::chrono::system_clock::now()};
    auto body = sim::webhook_dispatcher::envelope(ev, random_uuid(), 1);
    auto ts = std::to_string(
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count());
    std::string r = "POST " + target + " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) +
                    "\r\nUser-Agent: bench_load\r\nContent-Type: application/json\r\ntelnyx-signature-ed25519: " +
                    signer->sign(ts, body) + "\r\ntelnyx-timestamp: " + ts +
                    "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
    st.wire.push_back(std::move(r));
  }

  net::io_context io(1);
  tcp::endpoint ep(net::ip::make_address("127.0.0.1"), port);
  const auto cpu_before = pid > 0 ? bench::process_cpu_us(pid) : 0;
  const auto main_before = pid > 0 ? bench::main_thread_cpu_us(pid) : 0;
  const auto self_before = bench::self_cpu_us();
  const auto start = std::chrono::steady_clock::now();
  for (std::size_t i = 0; i < std::min(connections, requests); ++i) net::co_spawn(io, connection(ep, st), net::detached);
  io.run();
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const auto cpu_after = pid > 0 ? bench::process_cpu_us(pid) : 0;
  const auto main_after = pid > 0 ? bench::main_thread_cpu_us(pid) : 0;
  const auto self_after = bench::self_cpu_us();
  const double n = static_cast<double>(requests);
  std::printf(
      "{\"requests\":%zu,\"ok\":%llu,\"non_2xx\":%llu,\"errors\":%llu,\"calls\":%zu,\"connections\":%zu,"
      "\"event\":\"%s\",\"request_bytes\":%zu,\"seconds\":%.4f,\"req_per_s\":%.1f,\"target_cpu_us_per_req\":%.2f,"
      "\"target_main_thread_cpu_us_per_req\":%.2f,\"loadgen_cpu_us_per_req\":%.2f}\n",
      requests, static_cast<unsigned long long>(st.ok), static_cast<unsigned long long>(st.non_2xx),
      static_cast<unsigned long long>(st.errors), calls.size(), connections, event.c_str(),
      st.wire.empty() ? std::size_t{0} : st.wire.front().size(), seconds, n / seconds,
      pid > 0 ? static_cast<double>(cpu_after - cpu_before) / n : -1.0,
      pid > 0 ? static_cast<double>(main_after - main_before) / n : -1.0,
      static_cast<double>(self_after - self_before) / n);
  return st.ok == requests ? 0 : 1;
}
