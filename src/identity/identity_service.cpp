#include "identity/identity_service.h"

namespace tollgate::identity {

namespace {

std::unique_ptr<JwtVerifier> make_jwt_verifier(const AuthConfig& auth,
                                               boost::asio::any_io_executor background,
                                               http::Fetcher& fetcher) {
  if (!auth.allows("jwt")) return nullptr;
  return std::make_unique<JwtVerifier>(auth, background, fetcher);
}

}  // namespace

IdentityService::IdentityService(const Config& config)
    : fetcher_(loop_.executor()),
      jwt_(make_jwt_verifier(config.auth, loop_.executor(), fetcher_)),
      keys_(config.auth),
      authenticator_(config.auth, jwt_.get(), keys_),
      access_(config.auth),
      credentials_(config, loop_.executor(), fetcher_) {}

IdentityService::~IdentityService() { loop_.stop(); }

void IdentityService::start() {
  if (jwt_) jwt_->start();
  credentials_.start();
  loop_.start("tollgate-ident");
}

}  // namespace tollgate::identity
