#pragma once
// Bot Framework authentication for Baton's own channel, when an external bot has an app id
// (docs/EXTERNAL_BOTS.md, "Authentication"). Baton plays both Microsoft services the SDK trusts:
//
// - Baton → bot: every delivery carries `Authorization: Bearer <JWT>`, RS256-signed with Baton's
//   channel key; claims `iss` = the issuer (Baton's service URL), `aud` = the bot's app id,
//   `serviceurl` = the service URL, `iat`/`nbf`/`exp` (one hour). The SDK checks it against the
//   keys it reads from the OpenID metadata below (ToBotFromChannelOpenIdMetadataUrl) and the issuer
//   it is configured with (ToBotFromChannelTokenIssuer).
// - bot → Baton: the bot gets a token from Baton's token endpoint (OAuth 2.0 client credentials,
//   client_secret_basic: app id and password in the Authorization header) and sends it on every
//   Connector API call; Baton checks signature, `iss`, `aud` (= the issuer: the OAuth scope the bot
//   asks for), `appid` and the times.
//
// Wire (paths under the service URL):
//   GET  /botframework/v1/.well-known/openidconfiguration  {"issuer","jwks_uri","token_endpoint",…}
//   GET  /botframework/v1/.well-known/keys {"keys":[{kty,use,alg,kid,n,e,endorsements}]} POST
//   /botframework/v1/token                            {"token_type":"Bearer","expires_in",
//                                                           "access_token"} or an RFC 6749 error
//
// The signing key is RSA-2048, kept as PEM in a file of the data directory (created 0600 on first
// use); its `kid` is derived from the public key, so every process reading the file agrees.
//
// Thread safety: all members may be called from any thread (the issuer and the cached outbound
// token are behind a mutex; the key is immutable once loaded).
#include <chrono>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "core/public_url.hpp"
#include "core/result.hpp"

namespace baton::botframework {

struct ChannelCredentials {
  std::string app_id;        // the bot's MicrosoftAppId
  std::string app_password;  // its MicrosoftAppPassword
};

// An RSA signing key for RS256 JWTs.
class SigningKey {
 public:
  // Reads the PEM private key in `file`, or creates it (RSA-2048, mode 0600, not following a
  // symlink) when it does not exist. Errors: kIo (cannot read or create), kInvalidArgument (not
  // an RSA private key).
  static Result<std::shared_ptr<const SigningKey>> load_or_create(
      const std::filesystem::path& file);
  // A fresh key that lives only in memory (tests).
  static std::shared_ptr<const SigningKey> generate();

  ~SigningKey();
  SigningKey(const SigningKey&) = delete;
  SigningKey& operator=(const SigningKey&) = delete;

  const std::string& kid() const { return kid_; }
  // The public key as a JWK: {"kty":"RSA","use":"sig","alg":"RS256","kid","n","e"}, serialized.
  std::string public_jwk() const;
  // The RS256 signature (raw bytes) of `data`.
  std::string sign(std::string_view data) const;
  // Whether `signature` is this key's RS256 signature of `data`.
  bool verify(std::string_view data, std::string_view signature) const;

  struct Impl;

 private:
  explicit SigningKey(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
  std::string kid_;
};

class ChannelAuth {
 public:
  static constexpr std::chrono::seconds kTokenLifetime{3600};
  // Accepted difference between clocks when checking `nbf` and `exp`.
  static constexpr std::chrono::seconds kClockSkew{300};

  // `issuer` is Baton's public base URL: the tokens' issuer, the bot's OAuth scope, the
  // `serviceurl` claim. Tokens made before it changes are no longer accepted.
  ChannelAuth(std::shared_ptr<const SigningKey> key, ChannelCredentials credentials,
              std::shared_ptr<const PublicUrl> issuer);

  std::string issuer() const { return issuer_->get(); }
  const std::string& app_id() const { return credentials_.app_id; }

  // The bearer token for a delivery to the bot at `now`: cached, renewed when less than half of
  // its lifetime is left or the issuer changed.
  std::string token_for_bot(std::chrono::system_clock::time_point now);

  // Whether `client_id`/`client_secret` are the bot's (constant-time in the secret).
  bool is_bot(std::string_view client_id, std::string_view client_secret) const;
  // A token for the bot to call the Connector API with, valid for kTokenLifetime from `now`.
  std::string token_for_channel(std::chrono::system_clock::time_point now) const;
  // Checks a Connector API call's `Authorization` header value ("Bearer <token>" made by
  // token_for_channel). Errors: kUnauthorized with the reason.
  Status check_bearer(std::string_view authorization,
                      std::chrono::system_clock::time_point now) const;

  // GET .../openidconfiguration and .../keys bodies.
  std::string openid_configuration() const;
  std::string keys() const;

 private:
  std::string sign_claims(const std::string& claims_json) const;

  std::shared_ptr<const SigningKey> key_;
  ChannelCredentials credentials_;
  std::string keys_;  // the keys document: fixed with the key
  std::shared_ptr<const PublicUrl> issuer_;
  std::mutex mutex_;  // guards the cached token below
  std::string bot_token_;
  std::string bot_token_issuer_;
  std::chrono::system_clock::time_point bot_token_renew_at_{};
};

// Paths under the service URL.
inline constexpr std::string_view kOpenIdConfigurationPath =
    "/botframework/v1/.well-known/openidconfiguration";
inline constexpr std::string_view kKeysPath = "/botframework/v1/.well-known/keys";
inline constexpr std::string_view kTokenPath = "/botframework/v1/token";

}  // namespace baton::botframework
