// The checks on a token's claims, after its signature is verified, and the identity they
// describe: issuer, expiry and not-before (with clock skew), audience, tenant, and the claims
// the configuration requires. Entra ID v1 and v2 tokens differ in naming (appid / azp, upn /
// preferred_username); both are read.
//
// Threading: immutable after construction.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "core/config.h"
#include "identity/identity.h"
#include "identity/jwt.h"

namespace tollgate::identity {

class Claims {
 public:
  // Both arguments must outlive this object.
  Claims(const JwtConfig& config, const std::map<std::string, std::string>& applications);

  // The configured issuer whose `issuer` matches the token's `iss` ("{tenantid}" standing for
  // the token's `tid`), or null.
  const JwtIssuerConfig* issuer(const Jwt& jwt) const;

  // Expiry, not-before, audience and tenant. Returns why the token is not valid, if it is not.
  std::optional<std::string> validity(const Jwt& jwt,
                                      std::chrono::system_clock::time_point now) const;

  // The configured required claims (auth.jwt.require). Returns the one missing, if any.
  std::optional<std::string> missing_requirement(const Jwt& jwt) const;

  Identity identity(const Jwt& jwt) const;

  // Until when a token that passed validity() stays valid: its exp plus the clock skew.
  std::chrono::system_clock::time_point valid_until(const Jwt& jwt) const;

 private:
  const JwtConfig& config_;
  const std::map<std::string, std::string>& applications_;
};

}  // namespace tollgate::identity
