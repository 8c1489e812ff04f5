// A dialerd API service over the engine fixture: constructed, never served (route-table tests).
#pragma once
#include "dialer/api/service.hpp"
#include "unit/engine/engine_fixture.hpp"

namespace dialer::test {

struct service_fixture : engine_fixture {
  api::service svc{eng, cfg, clk, nullptr};
};

}  // namespace dialer::test
