#include "core/request_signature.hpp"

#include <sodium.h>

#include <array>
#include <charconv>
#include <cstdint>

namespace baton::request_signature {
namespace {

using Mac = std::array<unsigned char, crypto_auth_hmacsha256_BYTES>;

Mac mac_of(std::string_view secret, std::string_view timestamp, std::string_view body) {
  if (sodium_init() < 0) {
    std::abort();  // libsodium cannot run at all: nothing secure can be done
  }
  crypto_auth_hmacsha256_state state;
  crypto_auth_hmacsha256_init(&state, reinterpret_cast<const unsigned char*>(secret.data()),
                              secret.size());
  crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(timestamp.data()),
                                timestamp.size());
  const unsigned char dot = '.';
  crypto_auth_hmacsha256_update(&state, &dot, 1);
  crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(body.data()),
                                body.size());
  Mac mac{};
  crypto_auth_hmacsha256_final(&state, mac.data());
  sodium_memzero(&state, sizeof state);
  return mac;
}

}  // namespace

std::string sign(std::string_view secret, std::string_view timestamp, std::string_view body) {
  const Mac mac = mac_of(secret, timestamp, body);
  std::string hex(mac.size() * 2 + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), mac.data(), mac.size());
  hex.pop_back();
  return std::string(kPrefix) + hex;
}

bool verify(std::string_view secret, std::string_view timestamp, std::string_view body,
            std::string_view signature) {
  if (!signature.starts_with(kPrefix)) {
    return false;
  }
  std::string_view hex = signature.substr(kPrefix.size());
  Mac given{};
  std::size_t length = 0;
  const char* end = nullptr;
  if (hex.size() != given.size() * 2 ||
      sodium_hex2bin(given.data(), given.size(), hex.data(), hex.size(), nullptr, &length, &end) !=
          0 ||
      length != given.size() || end != hex.data() + hex.size()) {
    return false;
  }
  const Mac expected = mac_of(secret, timestamp, body);
  return sodium_memcmp(given.data(), expected.data(), given.size()) == 0;
}

bool fresh(std::string_view timestamp, std::chrono::system_clock::time_point now) {
  std::int64_t seconds = 0;
  if (timestamp.empty() || timestamp.size() > 12) {
    return false;
  }
  auto [end, ec] = std::from_chars(timestamp.data(), timestamp.data() + timestamp.size(), seconds);
  if (ec != std::errc{} || end != timestamp.data() + timestamp.size() || seconds < 0) {
    return false;
  }
  const std::int64_t now_seconds =
      std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  const std::int64_t skew = now_seconds > seconds ? now_seconds - seconds : seconds - now_seconds;
  return skew <= kSignatureWindow.count();
}

}  // namespace baton::request_signature
