// Wiring for telnyx-sim. Construction order matters: the dispatcher exists before the world emits,
// and the server is torn down first so no request reaches a half-destroyed model.
#include "dialer/sim/app.hpp"

#include <stdexcept>

#include "dialer/http/server.hpp"
#include "dialer/sim/asio_scheduler.hpp"
#include "dialer/sim/call_world.hpp"
#include "dialer/sim/report.hpp"
#include "dialer/sim/webhook_dispatcher.hpp"
#include "dialer/telnyx/signature.hpp"

namespace dialer::sim {

struct app::impl {
  std::shared_ptr<const telnyx::signature_signer> signer;
  asio_scheduler sched;
  std::unique_ptr<webhook_dispatcher> webhooks;
  std::unique_ptr<call_world> world;
  std::unique_ptr<rest_api> rest;
  std::unique_ptr<http::server> server;
  bool stopped = false;

  impl(net::any_io_executor ex, app_options o) : signer(o.signer), sched(ex, o.time_scale) {
    if (!signer) throw std::invalid_argument("telnyx-sim: a signing key is required");
    // The world emits through `webhooks`, which counts into the world's stats: the lambda reads the
    // member at call time, and the world never emits before a dial arrives.
    world = std::make_unique<call_world>(o.scene, sched, o.seed, o.webhook_url,
                                         [this](webhook_out ev) { webhooks->enqueue(std::move(ev)); });
    webhooks = std::make_unique<webhook_dispatcher>(ex, signer, o.scene.faults, world->stats(), o.seed + 1);
    webhooks->on_post([w = world.get()](const webhook_out& ev, int attempt) {
      w->probe().webhook_posted(ev.call_control_id, ev.event_type, attempt, latency_probe::clock::now());
    });
    rest = std::make_unique<rest_api>(ex, *world, o.rest, o.seed + 2);
    http::server_options so;
    so.listen = o.listen;
    so.max_connections = 4096;
    server = std::make_unique<http::server>(ex, so, [r = rest.get()](http::request& req) { return r->handle(req); });
  }
};

app::app(net::any_io_executor ex, app_options options) : impl_(std::make_unique<impl>(std::move(ex), std::move(options))) {}

app::~app() { stop(); }

void app::start() { impl_->server->start(); }
unsigned short app::port() const { return impl_->server->port(); }
std::string app::public_key_base64() const { return impl_->signer->public_key_base64(); }

void app::stop() {
  if (impl_->stopped) return;
  impl_->stopped = true;
  impl_->server->stop();
  impl_->sched.cancel_all();
  impl_->webhooks->stop();
}

std::string app::report_json() const { return sim::report_json(*impl_->world); }
call_world& app::world() { return *impl_->world; }

}  // namespace dialer::sim
