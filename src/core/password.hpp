#pragma once
// Password hashing for console logins: Argon2id through libsodium's crypto_pwhash_str, with the
// INTERACTIVE limits (about 64 MiB and a few tens of milliseconds per hash or verify).
//
// The hash string is self-describing ("$argon2id$v=19$m=...,t=...,p=...$salt$hash"): it carries
// its own salt and parameters, so hashes made with other limits still verify. Store only the hash,
// never the password, and never log either.
//
// Both functions are thread-safe (libsodium is initialised once, on first use) and CPU- and
// memory-heavy by design: call them off latency-sensitive threads.

#include <cstddef>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace baton {

// Longest password accepted, in bytes. Hashing cost hardly depends on length, but an unbounded
// input is never a good idea on a login path.
inline constexpr std::size_t kMaxPasswordBytes = 4096;

// Shortest new password accepted, in characters (UTF-8 code points).
inline constexpr std::size_t kMinPasswordChars = 8;

// The rule for a new password (`baton agent add|passwd`, the agent API's agent management):
// at least kMinPasswordChars code points, at most kMaxPasswordBytes bytes. Errors:
// kInvalidArgument "password too short: use at least 8 characters" / "password too long: ...".
Status check_new_password(std::string_view password);

// Hashes `password` (any bytes) with a fresh random salt; two calls give different strings.
// Errors: kInvalidArgument when the password is empty or longer than kMaxPasswordBytes;
// kInternal when libsodium cannot initialise or allocate its working memory.
Result<std::string> hash_password(std::string_view password);

// True when `password` matches `hash` (a hash_password / crypto_pwhash_str string). False for a
// wrong password, an empty or over-long password, and any malformed, truncated or unsupported hash:
// it never fails any other way and never crashes on bad input. Comparison is constant-time.
bool verify_password(std::string_view hash, std::string_view password);

}  // namespace baton
