#include "identity/public_key.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/rsa.h>

#include <array>

#include "identity/base64url.h"

namespace tollgate::identity {

namespace json = boost::json;

namespace {

// RSA keys shorter than this are refused (NIST SP 800-131A; Entra uses 2048).
constexpr int min_rsa_bits = 2048;

template <class T, void (*Free)(T*)>
struct Deleter {
  void operator()(T* p) const { Free(p); }
};
using BigNum = std::unique_ptr<BIGNUM, Deleter<BIGNUM, BN_free>>;
using ParamBuilder = std::unique_ptr<OSSL_PARAM_BLD, Deleter<OSSL_PARAM_BLD, OSSL_PARAM_BLD_free>>;
using Params = std::unique_ptr<OSSL_PARAM, Deleter<OSSL_PARAM, OSSL_PARAM_free>>;
using KeyContext = std::unique_ptr<EVP_PKEY_CTX, Deleter<EVP_PKEY_CTX, EVP_PKEY_CTX_free>>;
using DigestContext = std::unique_ptr<EVP_MD_CTX, Deleter<EVP_MD_CTX, EVP_MD_CTX_free>>;
using EcSignature = std::unique_ptr<ECDSA_SIG, Deleter<ECDSA_SIG, ECDSA_SIG_free>>;

struct Algorithm {
  std::string_view name;
  std::string_view key_type;  // RSA or EC
  bool pss;
  std::string_view curve;  // EC only
  std::size_t ec_half;     // EC only: bytes of r (and of s) in the JWS signature
  const EVP_MD* (*digest)();
};

constexpr std::array<Algorithm, 6> algorithms{{
    {"RS256", "RSA", false, "", 0, EVP_sha256},
    {"RS384", "RSA", false, "", 0, EVP_sha384},
    {"RS512", "RSA", false, "", 0, EVP_sha512},
    {"PS256", "RSA", true, "", 0, EVP_sha256},
    {"ES256", "EC", false, "P-256", 32, EVP_sha256},
    {"ES384", "EC", false, "P-384", 48, EVP_sha384},
}};

const Algorithm* find_algorithm(std::string_view name) {
  for (const auto& alg : algorithms)
    if (alg.name == name) return &alg;
  return nullptr;
}

// A base64url member of the JWK, decoded; empty when absent or malformed.
std::string member_bytes(const json::object& jwk, std::string_view name) {
  const auto* value = jwk.if_contains(name);
  if (!value || !value->is_string()) return {};
  auto bytes = base64url_decode(value->as_string());
  return bytes ? *bytes : std::string{};
}

std::string member_text(const json::object& jwk, std::string_view name) {
  const auto* value = jwk.if_contains(name);
  return value && value->is_string() ? std::string(value->as_string()) : std::string{};
}

BigNum big_number(const std::string& bytes) {
  return BigNum(BN_bin2bn(reinterpret_cast<const unsigned char*>(bytes.data()),
                          static_cast<int>(bytes.size()), nullptr));
}

EVP_PKEY* key_from_params(const char* type, OSSL_PARAM_BLD* builder) {
  Params params(OSSL_PARAM_BLD_to_param(builder));
  KeyContext context(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
  EVP_PKEY* key = nullptr;
  if (!params || !context || EVP_PKEY_fromdata_init(context.get()) != 1 ||
      EVP_PKEY_fromdata(context.get(), &key, EVP_PKEY_PUBLIC_KEY, params.get()) != 1)
    return nullptr;
  return key;
}

EVP_PKEY* rsa_key(const json::object& jwk, std::string& why) {
  auto n = member_bytes(jwk, "n");
  auto e = member_bytes(jwk, "e");
  if (n.empty() || e.empty()) {
    why = "an RSA key needs n and e";
    return nullptr;
  }
  BigNum modulus = big_number(n), exponent = big_number(e);
  ParamBuilder builder(OSSL_PARAM_BLD_new());
  if (!modulus || !exponent || !builder ||
      !OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_RSA_N, modulus.get()) ||
      !OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_RSA_E, exponent.get())) {
    why = "the RSA key could not be built";
    return nullptr;
  }
  if (BN_num_bits(modulus.get()) < min_rsa_bits) {
    why = "the RSA key is shorter than 2048 bits";
    return nullptr;
  }
  EVP_PKEY* key = key_from_params("RSA", builder.get());
  if (!key) why = "the RSA key could not be built";
  return key;
}

EVP_PKEY* ec_key(const json::object& jwk, const std::string& curve, std::string& why) {
  const char* group = curve == "P-256" ? "prime256v1" : curve == "P-384" ? "secp384r1" : nullptr;
  const std::size_t size = curve == "P-256" ? 32 : 48;
  if (!group) {
    why = "the EC curve '" + curve + "' is not supported (P-256 and P-384 are)";
    return nullptr;
  }
  auto x = member_bytes(jwk, "x");
  auto y = member_bytes(jwk, "y");
  if (x.size() != size || y.size() != size) {
    why = "the EC key's x and y do not fit its curve";
    return nullptr;
  }
  std::string point = "\x04" + x + y;  // an uncompressed point (SEC 1 §2.3.3)
  ParamBuilder builder(OSSL_PARAM_BLD_new());
  if (!builder ||
      !OSSL_PARAM_BLD_push_utf8_string(builder.get(), OSSL_PKEY_PARAM_GROUP_NAME, group, 0) ||
      !OSSL_PARAM_BLD_push_octet_string(builder.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                        point.size())) {
    why = "the EC key could not be built";
    return nullptr;
  }
  EVP_PKEY* key = key_from_params("EC", builder.get());
  if (!key) why = "the EC key is not a point on its curve";
  return key;
}

// A JWS ECDSA signature is r || s, each padded to the curve size; OpenSSL verifies DER.
std::string ec_signature_der(std::string_view raw, std::size_t half) {
  if (raw.size() != 2 * half) return {};
  auto* bytes = reinterpret_cast<const unsigned char*>(raw.data());
  EcSignature signature(ECDSA_SIG_new());
  BIGNUM* r = BN_bin2bn(bytes, static_cast<int>(half), nullptr);
  BIGNUM* s = BN_bin2bn(bytes + half, static_cast<int>(half), nullptr);
  if (!signature || !r || !s || ECDSA_SIG_set0(signature.get(), r, s) != 1) {
    BN_free(r);
    BN_free(s);
    return {};
  }
  int length = i2d_ECDSA_SIG(signature.get(), nullptr);
  if (length <= 0) return {};
  std::string der(static_cast<std::size_t>(length), '\0');
  auto* out = reinterpret_cast<unsigned char*>(der.data());
  i2d_ECDSA_SIG(signature.get(), &out);
  return der;
}

}  // namespace

bool is_supported_algorithm(std::string_view alg) { return find_algorithm(alg) != nullptr; }

std::variant<PublicKey, std::string> PublicKey::from_jwk(const json::object& jwk) {
  PublicKey key;
  key.kid_ = member_text(jwk, "kid");
  key.kty_ = member_text(jwk, "kty");
  key.alg_ = member_text(jwk, "alg");
  auto use = member_text(jwk, "use");
  if (!use.empty() && use != "sig") return "the key is for '" + use + "', not signatures";
  if (!key.alg_.empty() && !is_supported_algorithm(key.alg_))
    return "the key's algorithm '" + key.alg_ + "' is not supported";
  std::string why;
  EVP_PKEY* pkey = nullptr;
  if (key.kty_ == "RSA") {
    pkey = rsa_key(jwk, why);
  } else if (key.kty_ == "EC") {
    key.curve_ = member_text(jwk, "crv");
    pkey = ec_key(jwk, key.curve_, why);
  } else {
    return "key type '" + key.kty_ + "' is not accepted (RSA and EC are)";
  }
  if (!pkey) return why;
  key.key_.reset(pkey, EVP_PKEY_free);
  return key;
}

bool PublicKey::accepts(std::string_view alg) const {
  const auto* algorithm = find_algorithm(alg);
  if (!algorithm || algorithm->key_type != kty_) return false;
  if (!algorithm->curve.empty() && algorithm->curve != curve_) return false;
  return alg_.empty() || alg_ == alg;
}

bool PublicKey::verify(std::string_view alg, std::string_view data,
                       std::string_view signature) const {
  if (!accepts(alg)) return false;
  const auto& algorithm = *find_algorithm(alg);
  std::string der;
  if (algorithm.key_type == "EC") {
    der = ec_signature_der(signature, algorithm.ec_half);
    if (der.empty()) return false;
    signature = der;
  }
  DigestContext context(EVP_MD_CTX_new());
  EVP_PKEY_CTX* key_context = nullptr;
  if (!context || EVP_DigestVerifyInit(context.get(), &key_context, algorithm.digest(), nullptr,
                                       key_.get()) != 1)
    return false;
  if (algorithm.pss && (EVP_PKEY_CTX_set_rsa_padding(key_context, RSA_PKCS1_PSS_PADDING) != 1 ||
                        EVP_PKEY_CTX_set_rsa_pss_saltlen(key_context, RSA_PSS_SALTLEN_DIGEST) != 1))
    return false;
  return EVP_DigestVerify(context.get(), reinterpret_cast<const unsigned char*>(signature.data()),
                          signature.size(), reinterpret_cast<const unsigned char*>(data.data()),
                          data.size()) == 1;
}

}  // namespace tollgate::identity
