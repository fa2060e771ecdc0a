// Test keys and tokens: an RSA or EC key pair made with OpenSSL, its public JWK, and compact
// JWS tokens signed with it, so the identity tests exercise real signatures.
#pragma once

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include <boost/json.hpp>
#include <memory>
#include <stdexcept>
#include <string>

#include "identity/base64url.h"

namespace tollgate::identity::testing {

class TestKey {
 public:
  // kind: "RSA" (2048 bits unless given), "P-256" or "P-384".
  explicit TestKey(std::string kind, std::string kid, unsigned rsa_bits = 2048)
      : kind_(std::move(kind)), kid_(std::move(kid)) {
    EVP_PKEY* key = kind_ == "RSA"
                        ? EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(rsa_bits))
                        : EVP_PKEY_Q_keygen(nullptr, nullptr, "EC",
                                            kind_ == "P-256" ? "prime256v1" : "secp384r1");
    if (!key) throw std::runtime_error("key generation failed");
    key_.reset(key, EVP_PKEY_free);
  }

  boost::json::object jwk() const {
    boost::json::object out{{"kid", kid_}, {"use", "sig"}};
    if (kind_ == "RSA") {
      out["kty"] = "RSA";
      out["n"] = base64url_encode(bn_param(OSSL_PKEY_PARAM_RSA_N));
      out["e"] = base64url_encode(bn_param(OSSL_PKEY_PARAM_RSA_E));
    } else {
      out["kty"] = "EC";
      out["crv"] = kind_;
      std::size_t size = kind_ == "P-256" ? 32 : 48;
      out["x"] = base64url_encode(padded(bn_param(OSSL_PKEY_PARAM_EC_PUB_X), size));
      out["y"] = base64url_encode(padded(bn_param(OSSL_PKEY_PARAM_EC_PUB_Y), size));
    }
    return out;
  }

  // A token with `header` (alg and kid added when absent) and `claims`, signed with `alg`.
  std::string token(const std::string& alg, const boost::json::object& claims,
                    boost::json::object header = {}) const {
    if (!header.contains("alg")) header["alg"] = alg;
    if (!header.contains("kid")) header["kid"] = kid_;
    header["typ"] = "JWT";
    std::string input = base64url_encode(boost::json::serialize(header)) + "." +
                        base64url_encode(boost::json::serialize(claims));
    return input + "." + base64url_encode(sign(alg, input));
  }

  std::string sign(const std::string& alg, const std::string& data) const {
    const EVP_MD* md = alg.ends_with("384")   ? EVP_sha384()
                       : alg.ends_with("512") ? EVP_sha512()
                                              : EVP_sha256();
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
    EVP_PKEY_CTX* pctx = nullptr;
    EVP_DigestSignInit(ctx.get(), &pctx, md, nullptr, key_.get());
    if (alg.starts_with("PS")) {
      EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING);
      EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST);
    }
    size_t length = 0;
    EVP_DigestSign(ctx.get(), nullptr, &length, reinterpret_cast<const unsigned char*>(data.data()),
                   data.size());
    std::string signature(length, '\0');
    EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &length,
                   reinterpret_cast<const unsigned char*>(data.data()), data.size());
    signature.resize(length);
    if (!alg.starts_with("ES")) return signature;
    // DER ECDSA signature -> JWS r || s.
    const unsigned char* p = reinterpret_cast<const unsigned char*>(signature.data());
    ECDSA_SIG* sig = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(signature.size()));
    std::size_t size = alg == "ES256" ? 32 : 48;
    std::string out(2 * size, '\0');
    BN_bn2binpad(ECDSA_SIG_get0_r(sig), reinterpret_cast<unsigned char*>(out.data()),
                 static_cast<int>(size));
    BN_bn2binpad(ECDSA_SIG_get0_s(sig), reinterpret_cast<unsigned char*>(out.data() + size),
                 static_cast<int>(size));
    ECDSA_SIG_free(sig);
    return out;
  }

 private:
  std::string bn_param(const char* name) const {
    BIGNUM* bn = nullptr;
    EVP_PKEY_get_bn_param(key_.get(), name, &bn);
    std::string out(static_cast<std::size_t>(BN_num_bytes(bn)), '\0');
    BN_bn2bin(bn, reinterpret_cast<unsigned char*>(out.data()));
    BN_free(bn);
    return out;
  }
  static std::string padded(std::string bytes, std::size_t size) {
    return std::string(size - bytes.size(), '\0') + bytes;
  }

  std::string kind_;
  std::string kid_;
  std::shared_ptr<EVP_PKEY> key_;
};

}  // namespace tollgate::identity::testing
