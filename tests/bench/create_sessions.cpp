// bench_sessions: creates many dialing sessions through dialerd's CRM API (one per agent
// <prefix>1..N, each with its own contacts) and starts them, several requests at a time. Prints
// {"created":N,"started":N,"seconds":S,"ids":[...]}; exits 1 when any request fails.
#include <cstdio>
#include <iostream>

#include "dialer/common/json.hpp"
#include "lib/args.hpp"
#include "lib/blocking_http.hpp"

namespace {

using namespace dialer;

constexpr const char* usage =
    "usage: bench_sessions --port P --token T --sessions N [--lines 4] [--contacts 10] [--agent-prefix bench-agent-]\n"
    "                      [--max-attempts 3] [--start 1] [--parallel 16]\n"
    "  Contact phones are +1 followed by 10 digits, distinct across all sessions.\n";

std::string session_body(const std::string& agent, std::int64_t session_index, std::int64_t contacts,
                         std::int64_t lines, std::int64_t max_attempts) {
  std::string body = "{\"agentId\":\"" + agent + "\",\"concurrentLines\":" + std::to_string(lines) +
                     ",\"maxAttempts\":" + std::to_string(max_attempts) + ",\"contacts\":[";
  for (std::int64_t j = 0; j < contacts; ++j) {
    auto n = std::to_string(2000000000LL + session_index * contacts + j);
    if (j) body += ',';
    body += "{\"id\":\"c" + n + "\",\"name\":\"Contact " + n + "\",\"phone\":\"+1" + n + "\"}";
  }
  return body + "]}";
}

}  // namespace

int main(int argc, char** argv) {
  bench::args a(argc, argv, usage);
  const auto port = a.required("port");
  const auto sessions = a.num("sessions", 1);
  const auto contacts = a.num("contacts", 10);
  const auto prefix = a.str("agent-prefix", "bench-agent-");
  const auto parallel = static_cast<std::size_t>(a.num("parallel", 16));
  bench::blocking_http api("http://127.0.0.1:" + port, a.required("token"));
  const auto start = std::chrono::steady_clock::now();

  std::vector<http::client_request> creates;
  for (std::int64_t i = 1; i <= sessions; ++i)
    creates.emplace_back(http::verb::post, "/api/power-dialer/sessions",
                         session_body(prefix + std::to_string(i), i, contacts, a.num("lines", 4),
                                      a.num("max-attempts", 3)));
  auto created = api.send_all(creates, parallel, std::chrono::seconds(600));
  std::vector<std::string> ids;
  for (auto& r : created) {
    rapidjson::Document d;
    d.Parse(r.body.c_str());
    if (r.status != 201 || d.HasParseError() || !d.IsObject() || !d.HasMember("id")) {
      std::cerr << "bench_sessions: create failed: " << r.status << " " << r.error << " " << r.body.substr(0, 300) << "\n";
      return 1;
    }
    ids.emplace_back(d["id"].GetString());
  }
  std::size_t started = 0;
  if (a.num("start", 1)) {
    std::vector<http::client_request> starts;
    for (auto& id : ids)
      starts.emplace_back(http::verb::patch, "/api/power-dialer/sessions/" + id, R"({"action":"start"})");
    for (auto& r : api.send_all(starts, parallel, std::chrono::seconds(600))) {
      if (r.status != 200) {
        std::cerr << "bench_sessions: start failed: " << r.status << " " << r.error << " " << r.body.substr(0, 300) << "\n";
        return 1;
      }
      ++started;
    }
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("{\"created\":%zu,\"started\":%zu,\"seconds\":%.3f,\"ids\":[", ids.size(), started, seconds);
  for (std::size_t i = 0; i < ids.size(); ++i) std::printf("%s\"%s\"", i ? "," : "", ids[i].c_str());
  std::printf("]}\n");
  return 0;
}
