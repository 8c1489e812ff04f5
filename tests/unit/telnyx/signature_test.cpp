// Webhook signatures against the vectors in shared/telnyx/signature-vectors.txt (parsed at test time)
// and the negative cases the official SDK tests use.
#include <doctest/doctest.h>

#include <cctype>
#include <fstream>
#include <map>
#include <sstream>
#include <vector>

#include "dialer/telnyx/base64.hpp"
#include "dialer/telnyx/signature.hpp"

using namespace dialer::telnyx;
using namespace std::chrono_literals;

namespace {
struct vector_b {
  std::string name, public_key, timestamp, payload, signature;
};

std::string trim(std::string s) {
  auto b = s.find_first_not_of(" \t\r");
  auto e = s.find_last_not_of(" \t\r");
  return b == std::string::npos ? std::string{} : s.substr(b, e - b + 1);
}

std::string vectors_text() {
  std::ifstream in(std::string(TELNYX_SHARED_DIR) + "/signature-vectors.txt", std::ios::binary);
  REQUIRE(in);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// "B<n>." starts a vector; "label : value" lines fill it. The payload value is taken byte-exact
// after the first " : " (it contains no " : " itself).
std::vector<vector_b> part_b_vectors() {
  std::vector<vector_b> out;
  std::istringstream in(vectors_text());
  std::string line;
  while (std::getline(in, line)) {
    auto t = trim(line);
    if (t.size() > 2 && t[0] == 'B' && std::isdigit(static_cast<unsigned char>(t[1])) && t.find('.') < 4) {
      out.push_back({t.substr(0, t.find('.')), {}, {}, {}, {}});
      continue;
    }
    if (out.empty()) continue;
    auto sep = line.find(" : ");
    if (sep == std::string::npos) continue;
    auto label = trim(line.substr(0, sep));
    auto val = line.substr(sep + 3);
    if (!val.empty() && val.back() == '\r') val.pop_back();
    if (label == "public_key_b64") out.back().public_key = trim(val);
    else if (label == "timestamp") out.back().timestamp = trim(val);
    else if (label == "payload") out.back().payload = val;
    else if (label == "signature_b64") out.back().signature = trim(val);
  }
  return out;
}

dialer::sys_time at(std::int64_t unix_s) { return dialer::sys_time{std::chrono::seconds{unix_s}}; }

constexpr const char* php_public = "+7E99DXiiQXvceNX4nHm3Lbm5mqPWad5RhDr2ufuCik=";
constexpr const char* php_secret =
    "p68GNpDl9oAQohBiK0MEOFIjxnoFnz0uGGeJqxQ5PSb7sT30NeKJBe9x41ficebctubmao9Zp3lGEOva5+4KKQ==";
constexpr const char* java_seed = "i1xxSkIuQOY9H8laaRslIoYGTJ1NwBAFdjsQwiwJH04=";
constexpr const char* java_public = "jrMBoswHlhhVx2W2Www72WU/xn4UMpjreslD0m2u0qs=";
constexpr const char* b1_payload = R"({"data":{"event_type":"message.received","id":"test-123"}})";
}  // namespace

TEST_CASE("every derived vector B1-B7 verifies with its public key at its own timestamp") {
  auto vectors = part_b_vectors();
  REQUIRE(vectors.size() == 7);
  for (const auto& v : vectors) {
    CAPTURE(v.name);
    REQUIRE_FALSE(v.public_key.empty());
    REQUIRE_FALSE(v.payload.empty());
    auto verifier = signature_verifier::from_base64(v.public_key, 300s);
    REQUIRE(verifier);
    auto ts = std::stoll(v.timestamp);
    CHECK(verifier->verify(v.signature, v.timestamp, v.payload, at(ts)) == signature_error::none);
    // One byte changed anywhere in the signed text breaks it.
    CHECK(verifier->verify(v.signature, v.timestamp, v.payload + " ", at(ts)) == signature_error::invalid_signature);
    CHECK(verifier->verify(v.signature, std::to_string(ts + 1), v.payload, at(ts)) ==
          signature_error::invalid_signature);
  }
}

TEST_CASE("B7 with call_rejected replaced by normal_clearing fails verification") {
  auto vectors = part_b_vectors();
  REQUIRE(vectors.size() == 7);
  const auto& b7 = vectors[6];
  REQUIRE(b7.name == "B7");
  auto tampered = b7.payload;
  auto pos = tampered.find("call_rejected");
  REQUIRE(pos != std::string::npos);
  tampered.replace(pos, std::string("call_rejected").size(), "normal_clearing");
  auto verifier = signature_verifier::from_base64(b7.public_key, 300s);
  REQUIRE(verifier);
  CHECK(verifier->verify(b7.signature, b7.timestamp, tampered, at(1700000123)) == signature_error::invalid_signature);
}

TEST_CASE("the PHP secret key's seed derives the published public key and re-signs B1 identically") {
  auto secret = base64_decode(php_secret);
  REQUIRE(secret);
  REQUIRE(secret->size() == 64);
  auto signer = signature_signer::from_seed_base64(base64_encode(secret->substr(0, 32)));
  REQUIRE(signer);
  CHECK(signer->public_key_base64() == php_public);
  CHECK(base64_encode(secret->substr(32)) == php_public);
  auto vectors = part_b_vectors();
  REQUIRE(vectors.size() == 7);
  CHECK(signer->sign("1700000000", b1_payload) == vectors[0].signature);
}

TEST_CASE("the Java seed derives the published Java public key") {
  auto signer = signature_signer::from_seed_base64(java_seed);
  REQUIRE(signer);
  CHECK(signer->public_key_base64() == java_public);
  CHECK(signer->seed_base64() == java_seed);
}

TEST_CASE("a generated signer's signatures verify with its public key and not with another") {
  auto signer = signature_signer::generate();
  REQUIRE(signer);
  auto verifier = signature_verifier::from_base64(signer->public_key_base64(), 300s);
  REQUIRE(verifier);
  std::string body = R"({"data":{"id":"x","event_type":"call.answered"}})";
  auto sig = signer->sign("1800000000", body);
  CHECK(verifier->verify(sig, "1800000000", body, at(1800000000)) == signature_error::none);
  auto restored = signature_signer::from_seed_base64(signer->seed_base64());
  REQUIRE(restored);
  CHECK(restored->sign("1800000000", body) == sig);
  auto other = signature_verifier::from_base64(php_public, 300s);
  REQUIRE(other);
  CHECK(other->verify(sig, "1800000000", body, at(1800000000)) == signature_error::invalid_signature);
}

TEST_CASE("the negative cases of the official SDK tests are rejected with the right reason") {
  auto verifier = signature_verifier::from_base64(php_public, 300s);
  REQUIRE(verifier);
  auto signer = signature_signer::from_seed_base64(base64_encode(base64_decode(php_secret)->substr(0, 32)));
  REQUIRE(signer);
  const std::string ts = "1700000000";
  const auto now = at(1700000000);
  const std::string good = signer->sign(ts, b1_payload);

  SUBCASE("a signature of 64 zero bytes") {
    CHECK(verifier->verify(base64_encode(std::string(64, '\0')), ts, b1_payload, now) ==
          signature_error::invalid_signature);
    CHECK(base64_encode(std::string(64, '\0')) ==
          "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==");
  }
  SUBCASE("a timestamp 600 s in the past or the future, even correctly signed") {
    auto past = std::to_string(1700000000 - 600);
    auto future = std::to_string(1700000000 + 600);
    CHECK(verifier->verify(signer->sign(past, b1_payload), past, b1_payload, now) ==
          signature_error::timestamp_outside);
    CHECK(verifier->verify(signer->sign(future, b1_payload), future, b1_payload, now) ==
          signature_error::timestamp_outside);
  }
  SUBCASE("the tolerance edge: exactly 300 s away is accepted, 301 s is not") {
    auto edge = std::to_string(1700000000 - 300);
    auto beyond = std::to_string(1700000000 + 301);
    CHECK(verifier->verify(signer->sign(edge, b1_payload), edge, b1_payload, now) == signature_error::none);
    CHECK(verifier->verify(signer->sign(beyond, b1_payload), beyond, b1_payload, now) ==
          signature_error::timestamp_outside);
  }
  SUBCASE("timestamp \"5\"") {
    CHECK(verifier->verify(signer->sign("5", b1_payload), "5", b1_payload, now) == signature_error::timestamp_outside);
  }
  SUBCASE("non-decimal timestamps") {
    for (const char* bad : {"abc", "17e8", "-1700000000", "+1700000000", " 1700000000", "1700000000.5"}) {
      CAPTURE(bad);
      CHECK(verifier->verify(good, bad, b1_payload, now) == signature_error::bad_timestamp);
    }
  }
  SUBCASE("missing signature or timestamp header") {
    CHECK(verifier->verify("", ts, b1_payload, now) == signature_error::missing_header);
    CHECK(verifier->verify(good, "", b1_payload, now) == signature_error::missing_header);
    CHECK(verifier->verify("", "", b1_payload, now) == signature_error::missing_header);
  }
  SUBCASE("a missing header is reported before a bad timestamp") {
    CHECK(verifier->verify("", "abc", b1_payload, now) == signature_error::missing_header);
  }
  SUBCASE("a stale timestamp is reported before a malformed signature") {
    CHECK(verifier->verify("not-valid-base64!!!", "5", b1_payload, now) == signature_error::timestamp_outside);
  }
  SUBCASE("a non-base64 signature") {
    CHECK(verifier->verify("not-valid-base64!!!", ts, b1_payload, now) == signature_error::bad_signature_encoding);
  }
  SUBCASE("a 4-byte signature") {
    CHECK(verifier->verify("dGVzdA==", ts, b1_payload, now) == signature_error::bad_signature_encoding);
  }
  SUBCASE("the correct signature verifies, as a control") {
    CHECK(verifier->verify(good, ts, b1_payload, now) == signature_error::none);
  }
}

TEST_CASE("public keys that are not 32 base64-encoded bytes are refused at construction") {
  CHECK(signature_verifier::from_base64("dGVzdA==", 300s) == nullptr);
  CHECK(signature_verifier::from_base64("dGVzdGtleQ==", 300s) == nullptr);
  CHECK(signature_verifier::from_base64("", 300s) == nullptr);
  CHECK(signature_verifier::from_base64("not base64 at all", 300s) == nullptr);
  CHECK(signature_verifier::from_base64(php_secret, 300s) == nullptr);  // 64 bytes
  CHECK(signature_signer::from_seed_base64("dGVzdA==") == nullptr);
}

TEST_CASE("every signature_error has a name") {
  CHECK(std::string(to_string(signature_error::none)) == "none");
  CHECK(std::string(to_string(signature_error::invalid_signature)) == "invalid_signature");
  CHECK(std::string(to_string(signature_error::timestamp_outside)) == "timestamp_outside");
}
