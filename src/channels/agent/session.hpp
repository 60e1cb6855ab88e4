#pragma once
// Agent session tokens: opaque, signed, expiring, bound to one agent, one session and the agent's
// current password hash (so `baton agent passwd` and `baton agent remove` invalidate them).
//
// Wire format (then base64url without padding):
//   u8  version (1)
//   u64 expiry, milliseconds since the Unix epoch, big-endian
//   u8  role (0 agent, 1 supervisor, 2 admin)
//   16  session id (random; logout revokes it)
//   16  fingerprint of the agent's password_hash (keyed BLAKE2b, see fingerprint())
//   u8  agent id length (1..64), then its bytes
//   32  crypto_auth (HMAC-SHA-512-256) tag over everything above
// The MAC key is BLAKE2b("baton.agent.session.v1", key file bytes); replacing the key file
// (DATA/agent-session-key) revokes every token.
//
// Thread safety: a SessionSigner is immutable after construction; every method is safe to call
// concurrently.

#include <array>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "core/clock.hpp"
#include "core/result.hpp"
#include "hub/config.hpp"

namespace baton::agent {

inline constexpr std::size_t kSessionIdBytes = 16;
inline constexpr std::size_t kFingerprintBytes = 16;
inline constexpr std::size_t kMaxAgentIdBytes = 64;

using SessionId = std::array<unsigned char, kSessionIdBytes>;
using Fingerprint = std::array<unsigned char, kFingerprintBytes>;

struct SessionClaims {
  std::string agent_id;  // 1..64 bytes
  hub::Role role = hub::Role::kAgent;
  SessionId session{};
  Fingerprint fingerprint{};
  TimePoint expires{};  // millisecond precision
  friend bool operator==(const SessionClaims&, const SessionClaims&) = default;
};

class SessionSigner {
 public:
  // `key` is the content of the key file (any bytes, non-empty).
  explicit SessionSigner(std::string_view key);

  // The token for `claims`. An agent id outside 1..64 bytes is a caller bug (ids are validated
  // by the store) and is truncated.
  std::string sign(const SessionClaims& claims) const;

  // Checks the tag in constant time, then the expiry against `now`. Errors: kUnauthorized with
  // "BadToken: ..." (malformed, forged) or "TokenExpired: ..." (expired).
  Result<SessionClaims> verify(std::string_view token, TimePoint now) const;

  // The keyed fingerprint of an agent's stored password hash: tokens carry it, and a token whose
  // fingerprint differs from the agent's current hash is refused.
  Fingerprint fingerprint(std::string_view password_hash) const;

 private:
  std::array<unsigned char, 32> key_{};
  std::array<unsigned char, 32> fingerprint_key_{};
};

// A fresh random session id.
SessionId new_session_id();

// Lower-case hex of a session id (for the revocation list and logs).
std::string session_hex(const SessionId& id);

// Reads the key file, or creates it (32 random bytes, base64url, mode 0600) when missing.
// Errors: kIo (cannot read or write; the message names the file), kInvalidArgument (an empty
// file).
Result<std::string> load_or_create_session_key(const std::filesystem::path& file);

}  // namespace baton::agent
