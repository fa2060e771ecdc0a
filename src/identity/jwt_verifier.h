// Bearer JWT validation: the form (jwt.h), the algorithm allow-list, the issuer, the signing
// key (signing_keys.h), the signature (public_key.h), then the claims (claims.h), in that
// order, so nothing in an unverified token is trusted beyond choosing its key.
//
// Threading: verify() may run on several threads at once; key fetching runs on the background
// executor given to the constructor.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <memory>
#include <string_view>
#include <variant>
#include <vector>

#include "core/config.h"
#include "http/fetch.h"
#include "identity/claims.h"
#include "identity/identity.h"
#include "identity/signing_keys.h"
#include "identity/verified_tokens.h"

namespace tollgate::identity {

class JwtVerifier {
 public:
  // `auth` and `fetcher` must outlive this object; `fetcher` belongs to `background`.
  JwtVerifier(const AuthConfig& auth, boost::asio::any_io_executor background,
              http::Fetcher& fetcher);

  // Starts fetching every issuer's keys.
  void start();

  // Checks `token`, or finds it in `verified` (the calling loop's), where it is remembered
  // once it passes.
  boost::asio::awaitable<std::variant<Identity, AuthFailure>> verify(
      std::string_view token, VerifiedTokens& verified) const;

  // Whether every issuer's keys have been fetched at least once.
  bool ready() const;

 private:
  const JwtConfig& config_;
  Claims claims_;
  std::vector<std::unique_ptr<SigningKeys>> sources_;  // one per distinct key URL
  std::vector<SigningKeys*> by_issuer_;                // parallel to config_.issuers
};

}  // namespace tollgate::identity
