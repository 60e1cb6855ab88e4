#include "channels/directline/token.hpp"

#include <sodium.h>

#include <chrono>
#include <cstdlib>
#include <vector>

namespace baton::directline {
namespace {

constexpr unsigned char kVersion = 1;
constexpr std::string_view kKeyContext = "baton.directline.token.v1";
constexpr std::size_t kTagBytes = crypto_auth_BYTES;
static_assert(crypto_auth_KEYBYTES == 32);

void ensure_sodium() {
  if (sodium_init() < 0) {
    std::abort();  // no usable randomness or crypto: nothing safe can run
  }
}

std::string to_base64url(const unsigned char* data, std::size_t size) {
  const int variant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
  std::string out(sodium_base64_ENCODED_LEN(size, variant), '\0');
  sodium_bin2base64(out.data(), out.size(), data, size, variant);
  out.resize(std::char_traits<char>::length(out.c_str()));
  return out;
}

void put_u64(std::vector<unsigned char>& out, std::uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8) {
    out.push_back(static_cast<unsigned char>(v >> shift));
  }
}

Error bad_token(const char* why) {
  return make_error(ErrorCode::kUnauthorized, std::string("BadToken: ") + why);
}

}  // namespace

TokenSigner::TokenSigner(std::string_view secret) {
  ensure_sodium();
  crypto_generichash(key_.data(), key_.size(),
                     reinterpret_cast<const unsigned char*>(secret.data()), secret.size(),
                     reinterpret_cast<const unsigned char*>(kKeyContext.data()),
                     kKeyContext.size());
  crypto_generichash(secret_digest_.data(), secret_digest_.size(),
                     reinterpret_cast<const unsigned char*>(secret.data()), secret.size(), nullptr,
                     0);
}

std::string TokenSigner::sign(const TokenClaims& claims) const {
  const std::string_view conversation = std::string_view(claims.conversation_id).substr(0, 255);
  const std::string_view user = std::string_view(claims.user_id).substr(0, 65535);
  std::vector<unsigned char> buf;
  buf.reserve(1 + 8 + 1 + conversation.size() + 2 + user.size() + kTagBytes);
  buf.push_back(kVersion);
  const auto millis =
      std::chrono::duration_cast<std::chrono::milliseconds>(claims.expires.time_since_epoch())
          .count();
  put_u64(buf, static_cast<std::uint64_t>(millis < 0 ? 0 : millis));
  buf.push_back(static_cast<unsigned char>(conversation.size()));
  buf.insert(buf.end(), conversation.begin(), conversation.end());
  buf.push_back(static_cast<unsigned char>(user.size() >> 8));
  buf.push_back(static_cast<unsigned char>(user.size() & 0xff));
  buf.insert(buf.end(), user.begin(), user.end());
  const std::size_t payload = buf.size();
  buf.resize(payload + kTagBytes);
  crypto_auth(buf.data() + payload, buf.data(), payload, key_.data());
  return to_base64url(buf.data(), buf.size());
}

Result<TokenClaims> TokenSigner::verify(std::string_view token, TimePoint now) const {
  if (token.empty() || token.size() > 2048) {
    return bad_token("wrong length");
  }
  std::vector<unsigned char> buf(token.size());
  std::size_t size = 0;
  if (sodium_base642bin(buf.data(), buf.size(), token.data(), token.size(), nullptr, &size, nullptr,
                        sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0) {
    return bad_token("not base64url");
  }
  if (size < 1 + 8 + 1 + 2 + kTagBytes) {
    return bad_token("too short");
  }
  const std::size_t payload = size - kTagBytes;
  if (crypto_auth_verify(buf.data() + payload, buf.data(), payload, key_.data()) != 0) {
    return bad_token("signature mismatch");
  }
  // The tag is ours, so the layout is too; still check every length against the buffer.
  if (buf[0] != kVersion) {
    return bad_token("unknown version");
  }
  std::uint64_t millis = 0;
  for (std::size_t i = 1; i <= 8; ++i) {
    millis = (millis << 8) | buf[i];
  }
  std::size_t at = 9;
  const std::size_t conversation_size = buf[at++];
  if (at + conversation_size + 2 > payload) {
    return bad_token("truncated");
  }
  TokenClaims claims;
  claims.conversation_id.assign(reinterpret_cast<const char*>(buf.data() + at), conversation_size);
  at += conversation_size;
  const std::size_t user_size = (std::size_t{buf[at]} << 8) | buf[at + 1];
  at += 2;
  if (at + user_size != payload) {
    return bad_token("truncated");
  }
  claims.user_id.assign(reinterpret_cast<const char*>(buf.data() + at), user_size);
  claims.expires = TimePoint(std::chrono::milliseconds(static_cast<std::int64_t>(
      std::min<std::uint64_t>(millis, static_cast<std::uint64_t>(INT64_MAX / 1000000)))));
  if (now >= claims.expires) {
    return make_error(ErrorCode::kForbidden, "TokenExpired: the token has expired");
  }
  return claims;
}

bool TokenSigner::is_secret(std::string_view bearer) const {
  std::array<unsigned char, 32> digest{};
  crypto_generichash(digest.data(), digest.size(),
                     reinterpret_cast<const unsigned char*>(bearer.data()), bearer.size(), nullptr,
                     0);
  return sodium_memcmp(digest.data(), secret_digest_.data(), digest.size()) == 0;
}

std::string random_id(std::size_t bytes) {
  ensure_sodium();
  std::vector<unsigned char> buf(bytes);
  randombytes_buf(buf.data(), buf.size());
  return to_base64url(buf.data(), buf.size());
}

std::string generate_secret() { return random_id(32); }

}  // namespace baton::directline
