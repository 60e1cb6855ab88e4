#include "core/signed_token.hpp"

#include <sodium.h>

#include <cstdlib>

namespace baton::signed_token {
namespace {

constexpr std::size_t kTagBytes = crypto_auth_BYTES;
static_assert(crypto_auth_KEYBYTES == std::tuple_size_v<Key>);

void ensure_sodium() {
  if (sodium_init() < 0) {
    std::abort();  // no usable randomness or crypto: nothing safe can run
  }
}

const unsigned char* bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

}  // namespace

Key derive_key(std::string_view secret, std::string_view context) {
  ensure_sodium();
  Key key{};
  crypto_generichash(key.data(), key.size(), bytes(secret), secret.size(), bytes(context),
                     context.size());
  return key;
}

std::string seal(std::vector<unsigned char> payload, const Key& key) {
  const std::size_t size = payload.size();
  payload.resize(size + kTagBytes);
  crypto_auth(payload.data() + size, payload.data(), size, key.data());
  return to_base64url(payload.data(), payload.size());
}

Result<std::vector<unsigned char>> open(std::string_view token, const Key& key,
                                        std::size_t max_chars, std::size_t min_payload) {
  if (token.empty() || token.size() > max_chars) {
    return bad_token("wrong length");
  }
  const auto decoded = from_base64url(token);
  if (!decoded) {
    return bad_token("not base64url");
  }
  if (decoded->size() < min_payload + kTagBytes) {
    return bad_token("too short");
  }
  const std::size_t payload = decoded->size() - kTagBytes;
  const unsigned char* data = bytes(*decoded);
  if (crypto_auth_verify(data + payload, data, payload, key.data()) != 0) {
    return bad_token("signature mismatch");
  }
  return std::vector<unsigned char>(data, data + payload);
}

std::optional<std::string> from_base64url(std::string_view text) {
  std::string out(text.size(), '\0');
  std::size_t size = 0;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(),
                        text.size(), nullptr, &size, nullptr,
                        sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0) {
    return std::nullopt;
  }
  out.resize(size);
  return out;
}

void put_u64(std::vector<unsigned char>& out, std::uint64_t value) {
  for (int shift = 56; shift >= 0; shift -= 8) {
    out.push_back(static_cast<unsigned char>(value >> shift));
  }
}

std::uint64_t get_u64(const unsigned char* in) {
  std::uint64_t value = 0;
  for (int i = 0; i < 8; ++i) {
    value = (value << 8) | in[i];
  }
  return value;
}

std::vector<unsigned char> random_bytes(std::size_t size) {
  ensure_sodium();
  std::vector<unsigned char> out(size);
  randombytes_buf(out.data(), out.size());
  return out;
}

std::string to_base64url(const unsigned char* data, std::size_t size) {
  ensure_sodium();
  const int variant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
  std::string out(sodium_base64_ENCODED_LEN(size, variant), '\0');
  sodium_bin2base64(out.data(), out.size(), data, size, variant);
  out.resize(std::char_traits<char>::length(out.c_str()));
  return out;
}

Error bad_token(const char* why) { return make_error(ErrorCode::kUnauthorized, "BadToken", why); }

}  // namespace baton::signed_token
