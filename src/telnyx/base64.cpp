// Standard padded base64 on OpenSSL's EVP_EncodeBlock/EVP_DecodeBlock, with the validation those
// functions skip (they accept whitespace and never report how many bytes were padding).
#include "dialer/telnyx/base64.hpp"

#include <openssl/evp.h>

namespace dialer::telnyx {
namespace {
bool is_alphabet(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/';
}
}  // namespace

std::string base64_encode(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3), '\0');
  if (bytes.empty()) return out;
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

std::optional<std::string> base64_decode(std::string_view text) {
  if (text.size() % 4 != 0) return std::nullopt;
  if (text.empty()) return std::string{};
  std::size_t pad = 0;
  if (text.back() == '=') ++pad;
  if (text.size() >= 2 && text[text.size() - 2] == '=') ++pad;
  // '=' may appear only as the last one or two characters; everything before is the alphabet.
  for (std::size_t i = 0; i < text.size() - pad; ++i) {
    if (!is_alphabet(static_cast<unsigned char>(text[i]))) return std::nullopt;
  }
  std::string out(3 * (text.size() / 4), '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(text.data()), static_cast<int>(text.size()));
  if (n < 0) return std::nullopt;
  // DecodeBlock counts padding as zero bytes; the real length is what the '=' signs took away.
  out.resize(static_cast<std::size_t>(n) - pad);
  return out;
}

}  // namespace dialer::telnyx
