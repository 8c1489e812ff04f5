// bench_restart: starts dialerd on an existing database and times, from the spawn, its "dialerd ready"
// line, the first 200 from /healthz, the first dial telnyx-sim receives and (optionally) the moment
// the sim has received --expect-dials dials. Then stops dialerd (SIGTERM). Prints one JSON line.
#include <csignal>
#include <cstdio>
#include <iostream>
#include <thread>

#include "dialer/common/json.hpp"
#include "lib/args.hpp"
#include "lib/blocking_http.hpp"
#include "support/child_process.hpp"
#include "lib/proc_stats.hpp"

namespace {

using namespace dialer;

constexpr const char* usage =
    "usage: bench_restart --dialerd PATH --config FILE --port P --sim-port S [--expect-dials 0]\n"
    "                     [--timeout-s 300] [--stderr FILE] [--env NAME=value]\n";

std::int64_t sim_dials(bench::blocking_http& sim) {
  auto r = sim.send(http::verb::get, "/sim/report", {}, std::chrono::seconds(5));
  rapidjson::Document d;
  d.Parse(r.body.c_str());
  if (r.status != 200 || d.HasParseError() || !d.IsObject() || !d.HasMember("dials")) return -1;
  return d["dials"].GetInt64();
}

}  // namespace

int main(int argc, char** argv) {
  bench::args a(argc, argv, usage);
  const auto port = a.required("port");
  bench::blocking_http health("http://127.0.0.1:" + port);
  bench::blocking_http sim("http://127.0.0.1:" + a.required("sim-port"));
  const auto expect = a.num("expect-dials", 0);
  const auto baseline = sim_dials(sim);
  if (baseline < 0) {
    std::cerr << "bench_restart: telnyx-sim does not answer /sim/report\n";
    return 2;
  }
  std::vector<std::string> env;
  if (auto e = a.str("env", ""); !e.empty()) env.push_back(e);

  using clock = std::chrono::steady_clock;
  const auto t0 = clock::now();
  test::child_process dialerd({a.required("dialerd"), "--config", a.required("config")}, env,
                              a.str("stderr", "/dev/null"));
  const auto deadline = t0 + std::chrono::seconds(a.num("timeout-s", 300));
  auto ms = [&](clock::time_point t) { return std::chrono::duration<double, std::milli>(t - t0).count(); };
  double ready_ms = -1, healthz_ms = -1, first_dial_ms = -1, all_dials_ms = -1;
  std::int64_t dials = 0;
  // dialerd prints its ready line before its event loop runs, so nothing below can happen earlier.
  if (dialerd.wait_for_line("dialerd ready", std::chrono::duration_cast<std::chrono::milliseconds>(deadline - t0)))
    ready_ms = ms(clock::now());
  while (ready_ms >= 0 && clock::now() < deadline) {
    if (healthz_ms < 0 && health.send(http::verb::get, "/healthz", {}, std::chrono::seconds(2)).status == 200)
      healthz_ms = ms(clock::now());
    dials = sim_dials(sim) - baseline;
    if (first_dial_ms < 0 && dials > 0) first_dial_ms = ms(clock::now());
    if (all_dials_ms < 0 && expect > 0 && dials >= expect) all_dials_ms = ms(clock::now());
    if (healthz_ms >= 0 && first_dial_ms >= 0 && (expect == 0 || all_dials_ms >= 0)) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));  // polling another process, bounded by deadline
  }
  const auto rss = bench::peak_rss_kib(dialerd.pid());
  const auto cpu = bench::process_cpu_us(dialerd.pid());
  const int status = dialerd.stop(SIGTERM, std::chrono::seconds(30));
  std::printf("{\"ready_line_ms\":%.1f,\"healthz_ms\":%.1f,\"first_dial_ms\":%.1f,\"expected_dials\":%lld,"
              "\"all_dials_ms\":%.1f,\"dials\":%lld,\"peak_rss_kib\":%lld,\"cpu_ms\":%.1f,\"exit_status\":%d}\n",
              ready_ms, healthz_ms, first_dial_ms, static_cast<long long>(expect), all_dials_ms,
              static_cast<long long>(dials), static_cast<long long>(rss), static_cast<double>(cpu) / 1000.0, status);
  return healthz_ms >= 0 && first_dial_ms >= 0 ? 0 : 1;
}
