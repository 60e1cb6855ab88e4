#include "channels/agent/session.hpp"

#include <fmt/format.h>
#include <sodium.h>
#include <sys/stat.h>

#include <cstdlib>
#include <fstream>
#include <vector>

namespace baton::agentapi {
namespace {

constexpr unsigned char kVersion = 1;
constexpr std::string_view kKeyContext = "baton.agent.session.v1";
constexpr std::string_view kFingerprintContext = "baton.agent.fingerprint.v1";
constexpr std::size_t kTagBytes = crypto_auth_BYTES;
constexpr std::size_t kFixedBytes = 1 + 8 + 1 + kSessionIdBytes + kFingerprintBytes + 1;
static_assert(crypto_auth_KEYBYTES == 32);

void ensure_sodium() {
  if (sodium_init() < 0) {
    std::abort();  // no usable randomness or crypto: nothing safe can run
  }
}

const unsigned char* bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

std::string to_base64url(const unsigned char* data, std::size_t size) {
  const int variant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
  std::string out(sodium_base64_ENCODED_LEN(size, variant), '\0');
  sodium_bin2base64(out.data(), out.size(), data, size, variant);
  out.resize(std::char_traits<char>::length(out.c_str()));
  return out;
}

Error bad_token(const char* why) {
  return make_error(ErrorCode::kUnauthorized, std::string("BadToken: ") + why);
}

unsigned char role_byte(hub::Role role) {
  switch (role) {
    case hub::Role::kAgent:
      return 0;
    case hub::Role::kSupervisor:
      return 1;
    case hub::Role::kAdmin:
      return 2;
  }
  return 0;
}

std::array<unsigned char, 32> derive(std::string_view key, std::string_view context) {
  std::array<unsigned char, 32> out{};
  crypto_generichash(out.data(), out.size(), bytes(key), key.size(), bytes(context),
                     context.size());
  return out;
}

}  // namespace

SessionSigner::SessionSigner(std::string_view key) {
  ensure_sodium();
  key_ = derive(key, kKeyContext);
  fingerprint_key_ = derive(key, kFingerprintContext);
}

std::string SessionSigner::sign(const SessionClaims& claims) const {
  const std::string_view id = std::string_view(claims.agent_id).substr(0, kMaxAgentIdBytes);
  std::vector<unsigned char> buf;
  buf.reserve(kFixedBytes + id.size() + kTagBytes);
  buf.push_back(kVersion);
  const auto millis =
      std::chrono::duration_cast<std::chrono::milliseconds>(claims.expires.time_since_epoch())
          .count();
  const auto expiry = static_cast<std::uint64_t>(millis < 0 ? 0 : millis);
  for (int shift = 56; shift >= 0; shift -= 8) {
    buf.push_back(static_cast<unsigned char>(expiry >> shift));
  }
  buf.push_back(role_byte(claims.role));
  buf.insert(buf.end(), claims.session.begin(), claims.session.end());
  buf.insert(buf.end(), claims.fingerprint.begin(), claims.fingerprint.end());
  buf.push_back(static_cast<unsigned char>(id.size()));
  buf.insert(buf.end(), id.begin(), id.end());
  const std::size_t payload = buf.size();
  buf.resize(payload + kTagBytes);
  crypto_auth(buf.data() + payload, buf.data(), payload, key_.data());
  return to_base64url(buf.data(), buf.size());
}

Result<SessionClaims> SessionSigner::verify(std::string_view token, TimePoint now) const {
  if (token.empty() || token.size() > 512) {
    return bad_token("wrong length");
  }
  std::vector<unsigned char> buf(token.size());
  std::size_t size = 0;
  if (sodium_base642bin(buf.data(), buf.size(), token.data(), token.size(), nullptr, &size, nullptr,
                        sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0) {
    return bad_token("not base64url");
  }
  if (size < kFixedBytes + 1 + kTagBytes) {
    return bad_token("too short");
  }
  const std::size_t payload = size - kTagBytes;
  if (crypto_auth_verify(buf.data() + payload, buf.data(), payload, key_.data()) != 0) {
    return bad_token("signature mismatch");
  }
  // The tag is ours, so the layout is too; still check every length against the buffer.
  if (buf[0] != kVersion || buf[9] > 2) {
    return bad_token("unknown version");
  }
  std::uint64_t millis = 0;
  for (std::size_t i = 1; i <= 8; ++i) {
    millis = (millis << 8) | buf[i];
  }
  SessionClaims claims;
  claims.role = buf[9] == 0   ? hub::Role::kAgent
                : buf[9] == 1 ? hub::Role::kSupervisor
                              : hub::Role::kAdmin;
  std::size_t at = 10;
  std::copy_n(buf.begin() + static_cast<std::ptrdiff_t>(at), kSessionIdBytes,
              claims.session.begin());
  at += kSessionIdBytes;
  std::copy_n(buf.begin() + static_cast<std::ptrdiff_t>(at), kFingerprintBytes,
              claims.fingerprint.begin());
  at += kFingerprintBytes;
  const std::size_t id_size = buf[at++];
  if (id_size == 0 || id_size > kMaxAgentIdBytes || at + id_size != payload) {
    return bad_token("truncated");
  }
  claims.agent_id.assign(reinterpret_cast<const char*>(buf.data() + at), id_size);
  claims.expires = TimePoint(std::chrono::milliseconds(static_cast<std::int64_t>(
      std::min<std::uint64_t>(millis, static_cast<std::uint64_t>(INT64_MAX / 1000000)))));
  if (now >= claims.expires) {
    return make_error(ErrorCode::kUnauthorized, "TokenExpired: the session has expired");
  }
  return claims;
}

Fingerprint SessionSigner::fingerprint(std::string_view password_hash) const {
  Fingerprint out{};
  crypto_generichash(out.data(), out.size(), bytes(password_hash), password_hash.size(),
                     fingerprint_key_.data(), fingerprint_key_.size());
  return out;
}

SessionId new_session_id() {
  ensure_sodium();
  SessionId id{};
  randombytes_buf(id.data(), id.size());
  return id;
}

std::string session_hex(const SessionId& id) {
  std::string out(id.size() * 2 + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), id.data(), id.size());
  out.pop_back();
  return out;
}

Result<std::string> load_or_create_session_key(const std::filesystem::path& file) {
  std::error_code ec;
  if (std::filesystem::exists(file, ec)) {
    std::ifstream in(file);
    std::string key;
    if (!in) {
      return make_error(ErrorCode::kIo, fmt::format("cannot read {}", file.string()));
    }
    std::getline(in, key);
    if (key.empty()) {
      return make_error(ErrorCode::kInvalidArgument, fmt::format("{} is empty", file.string()));
    }
    return key;
  }
  ensure_sodium();
  std::array<unsigned char, 32> raw{};
  randombytes_buf(raw.data(), raw.size());
  const std::string key = to_base64url(raw.data(), raw.size());
  {
    // Created 0600 from the start: the key must never be readable by others, even briefly.
    const mode_t old = ::umask(077);
    std::ofstream out(file, std::ios::trunc);
    out << key << '\n';
    out.close();
    ::umask(old);
    if (!out) {
      return make_error(ErrorCode::kIo, fmt::format("cannot write {}", file.string()));
    }
  }
  ::chmod(file.c_str(), S_IRUSR | S_IWUSR);
  return key;
}

}  // namespace baton::agentapi
