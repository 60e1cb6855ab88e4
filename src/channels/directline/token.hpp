#pragma once
// Direct Line tokens: opaque, signed, bound to one conversation and one user, expiring.
//
// Wire format (then base64url without padding):
//   u8  version (1)
//   u64 expiry, milliseconds since the Unix epoch, big-endian
//   u8  conversation id length, then its bytes
//   u16 user id length (big-endian), then its bytes
//   32  crypto_auth (HMAC-SHA-512-256) tag over everything above
// The MAC key is BLAKE2b("baton.directline.token.v1", secret), so rotating the secret revokes every
// token. Tokens are not JWTs on purpose: Web Chat and DirectLineJS treat an undecodable token as
// "no user in token" (docs/PROTOCOLS.md §1.3), which is what we want.
//
// Thread safety: a TokenSigner is immutable after construction; every method is safe to call
// concurrently.

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/clock.hpp"
#include "core/result.hpp"

namespace baton::directline {

struct TokenClaims {
  std::string conversation_id;  // at most 255 bytes
  std::string user_id;          // at most 65535 bytes
  TimePoint expires{};          // millisecond precision
  friend bool operator==(const TokenClaims&, const TokenClaims&) = default;
};

class TokenSigner {
 public:
  // `secret` is the Direct Line secret (any bytes, non-empty).
  explicit TokenSigner(std::string_view secret);

  // The token for `claims`. Ids longer than the format allows are a caller bug (the channel
  // validates ids first) and are truncated.
  std::string sign(const TokenClaims& claims) const;

  // Checks the tag in constant time, then the expiry against `now`. Errors: kUnauthorized
  // (malformed or forged: "BadToken"), kForbidden (expired: "TokenExpired").
  Result<TokenClaims> verify(std::string_view token, TimePoint now) const;

  // Whether `bearer` is the secret itself (constant time, independent of lengths).
  bool is_secret(std::string_view bearer) const;

 private:
  std::array<unsigned char, 32> key_{};
  std::array<unsigned char, 32> secret_digest_{};
};

// A random identifier of `bytes` random bytes, base64url without padding (URL- and id-safe).
std::string random_id(std::size_t bytes);

// A new random secret for `--data DIR/directline-secret` (32 random bytes, base64url).
std::string generate_secret();

}  // namespace baton::directline
