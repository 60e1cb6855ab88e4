#include "channels/agent/session.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "core/testing/temp_dir.hpp"

namespace baton::agent {
namespace {

using std::chrono::hours;
using std::chrono::seconds;

constexpr TimePoint kNow{seconds(1'800'000'000)};

SessionClaims claims(const SessionSigner& signer, std::string id = "alice",
                     hub::Role role = hub::Role::kAgent) {
  SessionClaims c;
  c.agent_id = std::move(id);
  c.role = role;
  c.session = new_session_id();
  c.fingerprint = signer.fingerprint("$argon2id$v=19$m=65536,t=2,p=1$hash-of-alice");
  c.expires = kNow + hours(12);
  return c;
}

TEST(Session, SignThenVerifyRoundTripsEveryClaim) {
  SessionSigner signer("key-1");
  for (auto role : {hub::Role::kAgent, hub::Role::kSupervisor, hub::Role::kAdmin}) {
    const SessionClaims c = claims(signer, "bob.smith@example-1_x", role);
    const std::string token = signer.sign(c);
    auto verified = signer.verify(token, kNow);
    ASSERT_TRUE(verified.ok()) << verified.error().message;
    EXPECT_EQ(*verified, c);
    for (char ch : token) {
      EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(ch)) || ch == '-' || ch == '_') << token;
    }
  }
}

TEST(Session, ExpiredIsUnauthorizedWithTokenExpired) {
  SessionSigner signer("key-1");
  const std::string token = signer.sign(claims(signer));
  EXPECT_TRUE(signer.verify(token, kNow + hours(12) - seconds(1)).ok());
  auto expired = signer.verify(token, kNow + hours(12));
  ASSERT_FALSE(expired.ok());
  EXPECT_EQ(expired.error().code, ErrorCode::kUnauthorized);
  EXPECT_EQ(expired.error().protocol_code, "TokenExpired");
}

TEST(Session, EveryFlippedCharacterIsRejected) {
  SessionSigner signer("key-1");
  const std::string token = signer.sign(claims(signer));
  for (std::size_t i = 0; i < token.size(); ++i) {
    std::string forged = token;
    forged[i] = forged[i] == 'A' ? 'B' : 'A';
    auto r = signer.verify(forged, kNow);
    ASSERT_FALSE(r.ok()) << "position " << i;
    EXPECT_EQ(r.error().code, ErrorCode::kUnauthorized);
  }
}

TEST(Session, AnotherKeysTokenIsRejected) {
  SessionSigner ours("key-1");
  SessionSigner theirs("key-2");
  auto r = ours.verify(theirs.sign(claims(theirs)), kNow);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kUnauthorized);
}

TEST(Session, GarbageIsRejectedNotCrashing) {
  SessionSigner signer("key-1");
  for (std::string_view bad : {"", "x", "!!!!", "AAAA", "undefined", "null", "Bearer",
                               "eyJhbGciOiJIUzI1NiJ9.eyJ1c2VyIjoiYSJ9.sig"}) {
    auto r = signer.verify(bad, kNow);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().code, ErrorCode::kUnauthorized) << bad;
  }
  EXPECT_FALSE(signer.verify(std::string(5000, 'A'), kNow).ok());
}

TEST(Session, FingerprintTracksThePasswordHashAndTheKey) {
  SessionSigner a("key-1");
  SessionSigner b("key-2");
  EXPECT_EQ(a.fingerprint("hash-1"), a.fingerprint("hash-1"));
  EXPECT_NE(a.fingerprint("hash-1"), a.fingerprint("hash-2"));
  EXPECT_NE(a.fingerprint("hash-1"), b.fingerprint("hash-1"));
}

TEST(Session, SessionIdsAreRandomAndHexIsStable) {
  const SessionId x = new_session_id();
  const SessionId y = new_session_id();
  EXPECT_NE(x, y);
  EXPECT_EQ(session_hex(x).size(), 32u);
  EXPECT_EQ(session_hex(x), session_hex(x));
  SessionId zero{};
  zero[15] = 0xab;
  EXPECT_EQ(session_hex(zero), "000000000000000000000000000000ab");
}

TEST(SessionKey, CreatedOnceWithMode0600ThenReadBack) {
  testing::TempDir dir;
  const auto file = dir.path() / "agent-session-key";
  auto created = load_or_create_session_key(file);
  ASSERT_TRUE(created.ok()) << created.error().message;
  EXPECT_GE(created->size(), 40u);
  struct stat st {};
  ASSERT_EQ(::stat(file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600);
  auto again = load_or_create_session_key(file);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, *created);
}

TEST(SessionKey, EmptyFileAndUnwritableDirAreErrors) {
  testing::TempDir dir;
  const auto file = dir.path() / "agent-session-key";
  std::ofstream(file) << "";
  auto empty = load_or_create_session_key(file);
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.error().code, ErrorCode::kInvalidArgument);
  auto missing_dir = load_or_create_session_key(dir.path() / "no" / "such" / "key");
  ASSERT_FALSE(missing_dir.ok());
  EXPECT_EQ(missing_dir.error().code, ErrorCode::kIo);
}

}  // namespace
}  // namespace baton::agent
