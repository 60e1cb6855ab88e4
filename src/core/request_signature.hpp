#pragma once
// The signature of a request exchanged with an external hub (docs/EXTERNAL_HUBS.md): an
// HMAC-SHA-256 (libsodium's crypto_auth_hmacsha256) under the shared secret of
//   <timestamp> "." <the exact body bytes>
// as lower-case hex, sent as `X-Baton-Signature: sha256=<hex>` beside
// `X-Baton-Timestamp: <unix seconds>`. The timestamp is inside the MAC, so a captured request
// cannot be replayed outside the receiver's window (kSignatureWindow).
//
// Thread safety: pure functions (libsodium is initialised on first use).

#include <chrono>
#include <string>
#include <string_view>

namespace baton::request_signature {

inline constexpr std::string_view kSignatureHeader = "X-Baton-Signature";
inline constexpr std::string_view kTimestampHeader = "X-Baton-Timestamp";
inline constexpr std::string_view kPrefix = "sha256=";
// How far a request's timestamp may be from the receiver's clock, either way.
inline constexpr std::chrono::seconds kSignatureWindow{300};

// "sha256=" followed by 64 lower-case hex digits.
std::string sign(std::string_view secret, std::string_view timestamp, std::string_view body);

// Whether `signature` (the header's value) is sign(secret, timestamp, body), compared in constant
// time (sodium_memcmp over the MAC); false for anything malformed.
bool verify(std::string_view secret, std::string_view timestamp, std::string_view body,
            std::string_view signature);

// Whether `timestamp` is decimal unix seconds within kSignatureWindow of `now`.
bool fresh(std::string_view timestamp, std::chrono::system_clock::time_point now);

}  // namespace baton::request_signature
