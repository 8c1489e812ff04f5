// Identifier generators.
#include "dialer/common/ids.hpp"

#include <openssl/rand.h>

#include <array>
#include <cstdio>
#include <stdexcept>

namespace dialer {
namespace {
template <std::size_t N>
std::array<unsigned char, N> random_bytes() {
  std::array<unsigned char, N> bytes{};
  if (RAND_bytes(bytes.data(), static_cast<int>(N)) != 1) throw std::runtime_error("RAND_bytes failed");
  return bytes;
}
}  // namespace

std::string random_id_generator::next(std::string_view prefix) {
  static constexpr char hex[] = "0123456789abcdef";
  auto bytes = random_bytes<16>();
  std::string id(prefix);
  for (unsigned char b : bytes) {
    id.push_back(hex[b >> 4]);
    id.push_back(hex[b & 15]);
  }
  return id;
}

std::string sequential_id_generator::next(std::string_view prefix) {
  return std::string(prefix) + std::to_string(++counter_);
}

std::string random_uuid() {
  auto b = random_bytes<16>();
  b[6] = static_cast<unsigned char>((b[6] & 0x0f) | 0x40);
  b[8] = static_cast<unsigned char>((b[8] & 0x3f) | 0x80);
  char out[37];
  std::snprintf(out, sizeof out, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
                b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13],
                b[14], b[15]);
  return out;
}

}  // namespace dialer
