#include "core/password.hpp"

#include <sodium.h>

#include <string>

namespace baton {
namespace {

// sodium_init is idempotent and thread-safe; it returns 1 when already initialised.
bool sodium_ready() {
  static const bool ready = sodium_init() >= 0;
  return ready;
}

}  // namespace

Status check_new_password(std::string_view password) {
  std::size_t code_points = 0;
  for (char c : password) {
    code_points += (static_cast<unsigned char>(c) & 0xC0) != 0x80 ? 1 : 0;
  }
  if (code_points < kMinPasswordChars) {
    return make_error(
        ErrorCode::kInvalidArgument,
        "password too short: use at least " + std::to_string(kMinPasswordChars) + " characters");
  }
  if (password.size() > kMaxPasswordBytes) {
    return make_error(
        ErrorCode::kInvalidArgument,
        "password too long: use at most " + std::to_string(kMaxPasswordBytes) + " bytes");
  }
  return {};
}

Result<std::string> hash_password(std::string_view password) {
  if (password.empty()) {
    return make_error(ErrorCode::kInvalidArgument, "password must not be empty");
  }
  if (password.size() > kMaxPasswordBytes) {
    return make_error(ErrorCode::kInvalidArgument,
                      "password is longer than " + std::to_string(kMaxPasswordBytes) + " bytes");
  }
  if (!sodium_ready()) {
    return make_error(ErrorCode::kInternal, "libsodium failed to initialise");
  }
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str(out, password.data(), password.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                        crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
    return make_error(ErrorCode::kInternal, "password hashing ran out of memory");
  }
  return std::string(out);
}

bool verify_password(std::string_view hash, std::string_view password) {
  // crypto_pwhash_str_verify reads a NUL-terminated string of less than crypto_pwhash_STRBYTES:
  // anything longer, or with an embedded NUL, is not one of ours.
  if (hash.empty() || hash.size() >= crypto_pwhash_STRBYTES ||
      hash.find('\0') != std::string_view::npos) {
    return false;
  }
  if (password.empty() || password.size() > kMaxPasswordBytes || !sodium_ready()) {
    return false;
  }
  const std::string terminated(hash);
  return crypto_pwhash_str_verify(terminated.c_str(), password.data(), password.size()) == 0;
}

}  // namespace baton
