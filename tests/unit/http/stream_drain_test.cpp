// The channel's drained callback: a producer writing page by page hears when the connection has taken
// what was queued, and hears nothing more once the stream has ended.
#include <doctest/doctest.h>

#include "dialer/http/stream.hpp"

using namespace dialer::http;

TEST_CASE("the drained callback runs each time take() empties a non-empty queue, never after the end") {
  stream_channel ch(stream_options{});
  int drained = 0;
  ch.on_drained([&] { ++drained; });
  CHECK(ch.take().empty());
  CHECK(drained == 0);  // nothing was queued: nothing drained
  REQUIRE(ch.write("page 1"));
  CHECK(drained == 0);
  CHECK(ch.take() == "page 1");
  CHECK(drained == 1);
  REQUIRE(ch.write("page 2"));
  ch.end(stream_end::finished);
  CHECK(ch.take() == "page 2");  // a finished stream still flushes what is queued
  CHECK(drained == 1);
  ch.on_drained(nullptr);
}
