// Everything identity, assembled once per gateway and shared by its event loops: inbound
// authentication (JWT, API keys), access rules, and upstream credentials, with the background
// loop that fetches signing keys and tokens off the request path.
//
// Threading: built and started before the event loops run; then used from all of them.
#pragma once

#include <memory>

#include "core/config.h"
#include "http/background_loop.h"
#include "http/fetch.h"
#include "identity/access_rules.h"
#include "identity/api_keys.h"
#include "identity/authenticator.h"
#include "identity/jwt_verifier.h"
#include "identity/upstream_credentials.h"

namespace tollgate::identity {

class IdentityService {
 public:
  // `config` must outlive this object.
  explicit IdentityService(const Config& config);
  ~IdentityService();

  // Starts the background loop: the first key and token fetches begin at once.
  void start();

  const Authenticator& authenticator() const { return authenticator_; }
  const AccessRules& access() const { return access_; }
  UpstreamCredentials& credentials() { return credentials_; }

  // Whether the signing keys of every issuer have been fetched (always, with jwt off).
  bool ready() const { return !jwt_ || jwt_->ready(); }

 private:
  // Declared first so that it is destroyed last: work still queued on it refers to the members
  // below only through objects that are destroyed with the loop's pending handlers.
  http::BackgroundLoop loop_;
  http::Fetcher fetcher_;  // used on loop_ only
  std::unique_ptr<JwtVerifier> jwt_;
  ApiKeys keys_;
  Authenticator authenticator_;
  AccessRules access_;
  UpstreamCredentials credentials_;
};

}  // namespace tollgate::identity
