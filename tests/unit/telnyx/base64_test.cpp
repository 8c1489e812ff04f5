// base64: RFC 4648 vectors and rejection of everything that is not padded standard base64.
#include <doctest/doctest.h>

#include "dialer/telnyx/base64.hpp"

using dialer::telnyx::base64_decode;
using dialer::telnyx::base64_encode;

TEST_CASE("base64 encodes and decodes the RFC 4648 vectors") {
  const std::pair<const char*, const char*> vectors[] = {
      {"", ""}, {"f", "Zg=="}, {"fo", "Zm8="}, {"foo", "Zm9v"},
      {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="}, {"foobar", "Zm9vYmFy"}};
  for (auto [plain, encoded] : vectors) {
    CAPTURE(plain);
    CHECK(base64_encode(plain) == encoded);
    auto d = base64_decode(encoded);
    REQUIRE(d);
    CHECK(*d == plain);
  }
}

TEST_CASE("base64 decode keeps binary bytes and returns the exact length") {
  std::string bin("\x00\xff\x10\x00\x80", 5);
  auto d = base64_decode(base64_encode(bin));
  REQUIRE(d);
  CHECK(d->size() == 5);
  CHECK(*d == bin);
  std::string zeros(64, '\0');
  auto z = base64_decode(base64_encode(zeros));
  REQUIRE(z);
  CHECK(z->size() == 64);
}

TEST_CASE("base64 decode rejects bad length, alphabet and padding") {
  CHECK_FALSE(base64_decode("Zm9"));
  CHECK_FALSE(base64_decode("not-valid-base64!!!"));
  CHECK_FALSE(base64_decode("Zm9v YmFy"));
  CHECK_FALSE(base64_decode("Zm9v\nYmFy"));
  CHECK_FALSE(base64_decode("Zm=v"));
  CHECK_FALSE(base64_decode("Z==="));
  CHECK_FALSE(base64_decode("===="));
  CHECK_FALSE(base64_decode("Zg==Zm9v"));
  CHECK_FALSE(base64_decode("Zm9v_-_-"));  // URL-safe alphabet is not accepted
}
