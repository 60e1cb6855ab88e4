#include "channels/directline/token.hpp"

#include <sodium.h>

#include <chrono>
#include <vector>

#include "core/signed_token.hpp"

namespace baton::directline {
namespace {

constexpr unsigned char kVersion = 1;
constexpr std::string_view kKeyContext = "baton.directline.token.v1";

using signed_token::bad_token;

}  // namespace

TokenSigner::TokenSigner(std::string_view secret) {
  key_ = signed_token::derive_key(secret, kKeyContext);
  crypto_generichash(secret_digest_.data(), secret_digest_.size(),
                     reinterpret_cast<const unsigned char*>(secret.data()), secret.size(), nullptr,
                     0);
}

std::string TokenSigner::sign(const TokenClaims& claims) const {
  const std::string_view conversation = std::string_view(claims.conversation_id).substr(0, 255);
  const std::string_view user = std::string_view(claims.user_id).substr(0, 65535);
  std::vector<unsigned char> buf;
  buf.reserve(1 + 8 + 1 + conversation.size() + 2 + user.size() + crypto_auth_BYTES);
  buf.push_back(kVersion);
  const auto millis =
      std::chrono::duration_cast<std::chrono::milliseconds>(claims.expires.time_since_epoch())
          .count();
  signed_token::put_u64(buf, static_cast<std::uint64_t>(millis < 0 ? 0 : millis));
  buf.push_back(static_cast<unsigned char>(conversation.size()));
  buf.insert(buf.end(), conversation.begin(), conversation.end());
  buf.push_back(static_cast<unsigned char>(user.size() >> 8));
  buf.push_back(static_cast<unsigned char>(user.size() & 0xff));
  buf.insert(buf.end(), user.begin(), user.end());
  return signed_token::seal(std::move(buf), key_);
}

Result<TokenClaims> TokenSigner::verify(std::string_view token, TimePoint now) const {
  auto opened = signed_token::open(token, key_, 2048, 1 + 8 + 1 + 2);
  if (!opened.ok()) {
    return opened.error();
  }
  const std::vector<unsigned char>& buf = *opened;
  const std::size_t payload = buf.size();
  // The tag is ours, so the layout is too; still check every length against the buffer.
  if (buf[0] != kVersion) {
    return bad_token("unknown version");
  }
  const std::uint64_t millis = signed_token::get_u64(buf.data() + 1);
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
    return make_error(ErrorCode::kForbidden, "TokenExpired", "the token has expired");
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
  const std::vector<unsigned char> buf = signed_token::random_bytes(bytes);
  return signed_token::to_base64url(buf.data(), buf.size());
}

std::string generate_secret() { return random_id(32); }

}  // namespace baton::directline
