// A public signing key from a JWK (RFC 7517): RSA (RS*/PS*) or EC on P-256/P-384 (ES256/384),
// and the signature check for the algorithms the gateway supports. Symmetric keys (`oct`) are
// never accepted: a JWKS is public, so an HMAC key from it would let anyone sign.
//
// Threading: immutable once built; verify() may run on several threads at once.
#pragma once

#include <boost/json/object.hpp>
#include <memory>
#include <string>
#include <string_view>
#include <variant>

typedef struct evp_pkey_st EVP_PKEY;

namespace tollgate::identity {

class PublicKey {
 public:
  // Builds the key a JWK describes, or says why it cannot be used.
  static std::variant<PublicKey, std::string> from_jwk(const boost::json::object& jwk);

  const std::string& kid() const { return kid_; }
  const std::string& type() const { return kty_; }  // "RSA" or "EC"

  // Whether this key can check signatures made with `alg`: the family must match the key type,
  // an EC curve must match the algorithm, and a JWK that names its algorithm allows only that.
  bool accepts(std::string_view alg) const;

  // Checks `signature` over `data` with `alg`; false for a wrong signature or an algorithm the
  // key does not accept.
  bool verify(std::string_view alg, std::string_view data, std::string_view signature) const;

 private:
  std::string kid_;
  std::string kty_;
  std::string curve_;  // EC only: "P-256" or "P-384"
  std::string alg_;    // the JWK's own "alg", when it names one
  std::shared_ptr<EVP_PKEY> key_;
};

// The algorithms the gateway implements (and may allow in config).
bool is_supported_algorithm(std::string_view alg);

}  // namespace tollgate::identity
