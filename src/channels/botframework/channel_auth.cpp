#include "channels/botframework/channel_auth.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <sodium.h>
#include <unistd.h>

#include <array>
#include <boost/json.hpp>
#include <cerrno>
#include <fstream>
#include <optional>
#include <system_error>
#include <vector>

#include "core/secret_file.hpp"
#include "core/signed_token.hpp"

namespace baton::botframework {

namespace bj = boost::json;

namespace {

constexpr std::size_t kMaxTokenChars = 4096;
constexpr std::size_t kMaxKeyFileBytes = 16384;

struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct MdCtxFree {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
struct BnFree {
  void operator()(BIGNUM* b) const { BN_free(b); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;

std::string b64url(std::string_view bytes) {
  return signed_token::to_base64url(reinterpret_cast<const unsigned char*>(bytes.data()),
                                    bytes.size());
}

std::string bignum_param(const EVP_PKEY* key, const char* name) {
  BIGNUM* raw = nullptr;
  if (EVP_PKEY_get_bn_param(key, name, &raw) != 1) {
    return {};
  }
  std::unique_ptr<BIGNUM, BnFree> bn(raw);
  std::string bytes(static_cast<std::size_t>(BN_num_bytes(bn.get())), '\0');
  BN_bn2bin(bn.get(), reinterpret_cast<unsigned char*>(bytes.data()));
  return bytes;
}

std::string pem_of(const EVP_PKEY* key) {
  std::unique_ptr<BIO, BioFree> bio(BIO_new(BIO_s_mem()));
  if (!bio ||
      PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    return {};
  }
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  return size > 0 ? std::string(data, static_cast<std::size_t>(size)) : std::string{};
}

Pkey parse_pem(std::string_view pem) {
  std::unique_ptr<BIO, BioFree> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) {
    return nullptr;
  }
  Pkey key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  if (key && EVP_PKEY_is_a(key.get(), "RSA") != 1) {
    return nullptr;
  }
  return key;
}

Pkey generate_rsa() { return Pkey(EVP_RSA_gen(2048)); }

std::int64_t seconds(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

Error unauthorized(std::string_view why) {
  return make_error(ErrorCode::kUnauthorized, std::string(why));
}

}  // namespace

struct SigningKey::Impl {
  Pkey key;
  std::string n;  // modulus, big-endian bytes
  std::string e;  // public exponent
};

SigningKey::SigningKey(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {
  impl_->n = bignum_param(impl_->key.get(), OSSL_PKEY_PARAM_RSA_N);
  impl_->e = bignum_param(impl_->key.get(), OSSL_PKEY_PARAM_RSA_E);
  // The kid names the public key: the first 16 bytes of SHA-256 over n and e.
  std::array<unsigned char, crypto_hash_sha256_BYTES> digest{};
  const std::string material = impl_->n + "." + impl_->e;
  crypto_hash_sha256(digest.data(), reinterpret_cast<const unsigned char*>(material.data()),
                     material.size());
  kid_ = signed_token::to_base64url(digest.data(), 16);
}

SigningKey::~SigningKey() = default;

std::shared_ptr<const SigningKey> SigningKey::generate() {
  auto impl = std::make_unique<Impl>();
  impl->key = generate_rsa();
  return std::shared_ptr<const SigningKey>(new SigningKey(std::move(impl)));
}

Result<std::shared_ptr<const SigningKey>> SigningKey::load_or_create(
    const std::filesystem::path& file) {
  auto impl = std::make_unique<Impl>();
  const int fd =
      ::open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, S_IRUSR | S_IWUSR);
  if (fd >= 0) {
    impl->key = generate_rsa();
    const std::string pem = impl->key ? pem_of(impl->key.get()) : std::string{};
    const int err = pem.empty() ? EIO : write_all_and_sync(fd, pem);
    ::close(fd);
    if (err != 0) {
      ::unlink(file.c_str());
      return make_error(ErrorCode::kIo, fmt::format("cannot write {}: {}", file.string(),
                                                    std::generic_category().message(err)));
    }
  } else if (errno == EEXIST) {
    std::ifstream in(file, std::ios::binary);
    std::string pem(kMaxKeyFileBytes + 1, '\0');
    in.read(pem.data(), static_cast<std::streamsize>(pem.size()));
    pem.resize(static_cast<std::size_t>(in.gcount()));
    if (!in.eof() && !in) {
      return make_error(ErrorCode::kIo, fmt::format("cannot read {}", file.string()));
    }
    impl->key = pem.size() <= kMaxKeyFileBytes ? parse_pem(pem) : nullptr;
    if (!impl->key) {
      return make_error(ErrorCode::kInvalidArgument,
                        fmt::format("{} does not hold an RSA private key in PEM", file.string()));
    }
  } else {
    return make_error(ErrorCode::kIo, fmt::format("cannot create {}: {}", file.string(),
                                                  std::generic_category().message(errno)));
  }
  return std::shared_ptr<const SigningKey>(new SigningKey(std::move(impl)));
}

std::string SigningKey::public_jwk() const {
  return bj::serialize(bj::object{{"kty", "RSA"},
                                  {"use", "sig"},
                                  {"alg", "RS256"},
                                  {"kid", kid_},
                                  {"n", b64url(impl_->n)},
                                  {"e", b64url(impl_->e)}});
}

std::string SigningKey::sign(std::string_view data) const {
  std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
  std::size_t size = 0;
  if (!ctx ||
      EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, impl_->key.get()) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &size, reinterpret_cast<const unsigned char*>(data.data()),
                     data.size()) != 1) {
    return {};
  }
  std::string signature(size, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &size,
                     reinterpret_cast<const unsigned char*>(data.data()), data.size()) != 1) {
    return {};
  }
  signature.resize(size);
  return signature;
}

bool SigningKey::verify(std::string_view data, std::string_view signature) const {
  std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
  return ctx &&
         EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, impl_->key.get()) == 1 &&
         EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()),
                          signature.size(), reinterpret_cast<const unsigned char*>(data.data()),
                          data.size()) == 1;
}

namespace {

// The keys document of `key`: its JWK with the channel ids it may sign for (the SDK refuses a
// token for another channel).
std::string keys_document(const SigningKey& key) {
  bj::value jwk = bj::parse(key.public_jwk());
  jwk.as_object()["endorsements"] = bj::array{"directline", "webchat"};
  return bj::serialize(bj::object{{"keys", bj::array{jwk}}});
}

}  // namespace

ChannelAuth::ChannelAuth(std::shared_ptr<const SigningKey> key, ChannelCredentials credentials,
                         std::shared_ptr<const PublicUrl> issuer)
    : key_(std::move(key)),
      credentials_(std::move(credentials)),
      keys_(keys_document(*key_)),
      issuer_(std::move(issuer)) {}

std::string ChannelAuth::sign_claims(const std::string& claims_json) const {
  const std::string header =
      bj::serialize(bj::object{{"alg", "RS256"}, {"typ", "JWT"}, {"kid", key_->kid()}});
  std::string input = b64url(header) + "." + b64url(claims_json);
  const std::string signature = key_->sign(input);
  return input + "." + b64url(signature);
}

std::string ChannelAuth::token_for_bot(std::chrono::system_clock::time_point now) {
  const std::string iss = issuer();
  const std::lock_guard lock(mutex_);
  if (!bot_token_.empty() && bot_token_issuer_ == iss && now < bot_token_renew_at_) {
    return bot_token_;
  }
  const std::int64_t t = seconds(now);
  bot_token_ = sign_claims(bj::serialize(bj::object{{"iss", iss},
                                                    {"aud", credentials_.app_id},
                                                    {"serviceurl", iss},
                                                    {"iat", t},
                                                    {"nbf", t},
                                                    {"exp", t + kTokenLifetime.count()}}));
  bot_token_issuer_ = iss;
  bot_token_renew_at_ = now + kTokenLifetime / 2;
  return bot_token_;
}

bool ChannelAuth::is_bot(std::string_view client_id, std::string_view client_secret) const {
  // Compare digests so that the comparison takes the same time whatever the lengths.
  auto digest = [](std::string_view s) {
    std::array<unsigned char, crypto_hash_sha256_BYTES> d{};
    crypto_hash_sha256(d.data(), reinterpret_cast<const unsigned char*>(s.data()), s.size());
    return d;
  };
  const auto given = digest(client_secret);
  const auto expected = digest(credentials_.app_password);
  const bool secret_ok = sodium_memcmp(given.data(), expected.data(), given.size()) == 0;
  return secret_ok && client_id == credentials_.app_id;
}

std::string ChannelAuth::token_for_channel(std::chrono::system_clock::time_point now) const {
  const std::int64_t t = seconds(now);
  const std::string iss = issuer();
  return sign_claims(bj::serialize(bj::object{{"iss", iss},
                                              {"aud", iss},
                                              {"appid", credentials_.app_id},
                                              {"iat", t},
                                              {"nbf", t},
                                              {"exp", t + kTokenLifetime.count()}}));
}

Status ChannelAuth::check_bearer(std::string_view authorization,
                                 std::chrono::system_clock::time_point now) const {
  constexpr std::string_view kScheme = "Bearer ";
  if (authorization.size() <= kScheme.size() ||
      authorization.substr(0, kScheme.size()) != kScheme) {
    return unauthorized("a bearer token from the token endpoint is required");
  }
  const std::string_view token = authorization.substr(kScheme.size());
  if (token.size() > kMaxTokenChars) {
    return unauthorized("the token is too long");
  }
  const std::size_t first = token.find('.');
  const std::size_t second = first == std::string_view::npos ? first : token.find('.', first + 1);
  if (second == std::string_view::npos || token.find('.', second + 1) != std::string_view::npos) {
    return unauthorized("not a JWT");
  }
  const auto header = signed_token::from_base64url(token.substr(0, first));
  const auto payload = signed_token::from_base64url(token.substr(first + 1, second - first - 1));
  const auto signature = signed_token::from_base64url(token.substr(second + 1));
  if (!header || !payload || !signature) {
    return unauthorized("not a JWT");
  }
  boost::system::error_code ec;
  const bj::value h = bj::parse(*header, ec);
  if (ec || !h.is_object()) {
    return unauthorized("not a JWT");
  }
  const bj::value* alg = h.as_object().if_contains("alg");
  const bj::value* kid = h.as_object().if_contains("kid");
  if (alg == nullptr || !alg->is_string() || alg->as_string() != "RS256" || kid == nullptr ||
      !kid->is_string() || kid->as_string() != key_->kid()) {
    return unauthorized("not signed by this server's channel key");
  }
  if (!key_->verify(token.substr(0, second), *signature)) {
    return unauthorized("bad signature");
  }
  const bj::value p = bj::parse(*payload, ec);
  if (ec || !p.is_object()) {
    return unauthorized("bad claims");
  }
  const bj::object& claims = p.as_object();
  auto string_claim = [&](const char* name) -> std::string_view {
    const bj::value* v = claims.if_contains(name);
    return v != nullptr && v->is_string() ? std::string_view(v->as_string()) : std::string_view{};
  };
  auto time_claim = [&](const char* name) -> std::optional<std::int64_t> {
    const bj::value* v = claims.if_contains(name);
    return v != nullptr && v->is_int64() ? std::optional(v->as_int64()) : std::nullopt;
  };
  const std::string iss = issuer();
  if (string_claim("iss") != iss || string_claim("aud") != iss) {
    return unauthorized("the token was issued for another server");
  }
  if (string_claim("appid") != credentials_.app_id) {
    return unauthorized("the token was issued to another app id");
  }
  const auto exp = time_claim("exp");
  const auto nbf = time_claim("nbf");
  const std::int64_t t = seconds(now);
  if (!exp || !nbf || *exp + kClockSkew.count() < t || *nbf - kClockSkew.count() > t) {
    return unauthorized("the token has expired or is not valid yet");
  }
  return {};
}

std::string ChannelAuth::openid_configuration() const {
  const std::string iss = issuer();
  return bj::serialize(
      bj::object{{"issuer", iss},
                 {"jwks_uri", iss + std::string(kKeysPath)},
                 {"token_endpoint", iss + std::string(kTokenPath)},
                 {"token_endpoint_auth_methods_supported", bj::array{"client_secret_basic"}},
                 {"grant_types_supported", bj::array{"client_credentials"}},
                 {"id_token_signing_alg_values_supported", bj::array{"RS256"}}});
}

std::string ChannelAuth::keys() const { return keys_; }

}  // namespace baton::botframework
