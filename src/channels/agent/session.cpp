#include "channels/agent/session.hpp"

#include <fmt/format.h>
#include <sodium.h>

#include <vector>

#include "core/secret_file.hpp"
#include "core/signed_token.hpp"

namespace baton::agent {
namespace {

constexpr unsigned char kVersion = 1;
constexpr std::string_view kKeyContext = "baton.agent.session.v1";
constexpr std::string_view kFingerprintContext = "baton.agent.fingerprint.v1";
constexpr std::size_t kFixedBytes = 1 + 8 + 1 + kSessionIdBytes + kFingerprintBytes + 1;

using signed_token::bad_token;

const unsigned char* bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
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

}  // namespace

SessionSigner::SessionSigner(std::string_view key) {
  key_ = signed_token::derive_key(key, kKeyContext);
  fingerprint_key_ = signed_token::derive_key(key, kFingerprintContext);
}

std::string SessionSigner::sign(const SessionClaims& claims) const {
  const std::string_view id = std::string_view(claims.agent_id).substr(0, kMaxAgentIdBytes);
  std::vector<unsigned char> buf;
  buf.reserve(kFixedBytes + id.size() + crypto_auth_BYTES);
  buf.push_back(kVersion);
  const auto millis =
      std::chrono::duration_cast<std::chrono::milliseconds>(claims.expires.time_since_epoch())
          .count();
  signed_token::put_u64(buf, static_cast<std::uint64_t>(millis < 0 ? 0 : millis));
  buf.push_back(role_byte(claims.role));
  buf.insert(buf.end(), claims.session.begin(), claims.session.end());
  buf.insert(buf.end(), claims.fingerprint.begin(), claims.fingerprint.end());
  buf.push_back(static_cast<unsigned char>(id.size()));
  buf.insert(buf.end(), id.begin(), id.end());
  return signed_token::seal(std::move(buf), key_);
}

Result<SessionClaims> SessionSigner::verify(std::string_view token, TimePoint now) const {
  auto opened = signed_token::open(token, key_, 512, kFixedBytes + 1);
  if (!opened.ok()) {
    return opened.error();
  }
  const std::vector<unsigned char>& buf = *opened;
  const std::size_t payload = buf.size();
  // The tag is ours, so the layout is too; still check every length against the buffer.
  if (buf[0] != kVersion || buf[9] > 2) {
    return bad_token("unknown version");
  }
  const std::uint64_t millis = signed_token::get_u64(buf.data() + 1);
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
    return make_error(ErrorCode::kUnauthorized, "TokenExpired", "the session has expired");
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
  const std::vector<unsigned char> random = signed_token::random_bytes(kSessionIdBytes);
  SessionId id{};
  std::copy(random.begin(), random.end(), id.begin());
  return id;
}

std::string session_hex(const SessionId& id) {
  std::string out(id.size() * 2 + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), id.data(), id.size());
  out.pop_back();
  return out;
}

Result<std::string> load_or_create_session_key(const std::filesystem::path& file) {
  return read_or_create_secret_file(file, [] {
    const std::vector<unsigned char> raw = signed_token::random_bytes(32);
    return signed_token::to_base64url(raw.data(), raw.size());
  });
}

}  // namespace baton::agent
