#pragma once
// The envelope shared by Baton's signed bearer tokens (Direct Line tokens, agent sessions):
// base64url(payload ‖ HMAC-SHA-512-256 tag) with a key derived from a secret and a context
// string. Each token kind owns its payload layout; this file owns the MAC, the encoding and the
// checks every kind needs before it reads its payload.
//
// Thread safety: pure functions (libsodium is initialised on first use).

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace baton::signed_token {

using Key = std::array<unsigned char, 32>;

// BLAKE2b(secret, key = context): one key per token kind from the same secret.
Key derive_key(std::string_view secret, std::string_view context);

// base64url (no padding) of `payload` followed by its tag under `key`.
std::string seal(std::vector<unsigned char> payload, const Key& key);

// The payload of a token made by seal(), checked: at most `max_chars` characters, base64url, at
// least `min_payload` bytes before the tag, tag valid. Errors: kUnauthorized "BadToken: <why>".
Result<std::vector<unsigned char>> open(std::string_view token, const Key& key,
                                        std::size_t max_chars, std::size_t min_payload);

// Big-endian 64-bit fields of payloads.
void put_u64(std::vector<unsigned char>& out, std::uint64_t value);
std::uint64_t get_u64(const unsigned char* in);

// `size` bytes from the system's CSPRNG (session ids, secrets).
std::vector<unsigned char> random_bytes(std::size_t size);

// base64url without padding.
std::string to_base64url(const unsigned char* data, std::size_t size);
// The bytes of base64url text without padding; nullopt when it is not that.
std::optional<std::string> from_base64url(std::string_view text);

// "BadToken: <why>" as kUnauthorized, for payload checks after open().
Error bad_token(const char* why);

}  // namespace baton::signed_token
