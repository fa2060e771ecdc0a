// The authenticate stage's logic: which credential the caller presented, checked by the mode
// that understands it (docs/identity.md):
//   `api-key: K`                      -> an API key (api_key mode)
//   `Authorization: Bearer <a.b.c>`   -> a JWT (jwt mode), or an API key when jwt is off
//   `Authorization: Bearer K`         -> an API key (api_key mode)
//   nothing                           -> anonymous, when mode none is enabled
// A credential that a mode understands is always checked, even when none is enabled too: a
// bad credential is refused, never downgraded to anonymous.
//
// Threading: authenticate() may run on several threads at once.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/beast/http/fields.hpp>
#include <variant>

#include "core/config.h"
#include "identity/api_keys.h"
#include "identity/identity.h"
#include "identity/jwt_verifier.h"

namespace tollgate::identity {

class Authenticator {
 public:
  // All arguments must outlive this object; `jwt` is null when jwt mode is off.
  Authenticator(const AuthConfig& auth, const JwtVerifier* jwt, const ApiKeys& keys);

  // `verified` is the calling event loop's cache of verified tokens.
  boost::asio::awaitable<std::variant<Identity, AuthFailure>> authenticate(
      const boost::beast::http::fields& headers, VerifiedTokens& verified) const;

 private:
  const AuthConfig& auth_;
  const JwtVerifier* jwt_;
  const ApiKeys& keys_;
};

// The token of an `Authorization: Bearer` header (scheme case-insensitive), or "".
std::string_view bearer_token(const boost::beast::http::fields& headers);

}  // namespace tollgate::identity
