#include "identity/upstream_credentials.h"

#include "identity/authenticator.h"
#include "identity/jwt.h"

namespace tollgate::identity {

namespace net = boost::asio;
namespace bhttp = boost::beast::http;

UpstreamCredentials::UpstreamCredentials(const Config& config, net::any_io_executor background,
                                         http::Fetcher& fetcher) {
  using Type = CredentialConfig::Type;
  for (const auto& backend : config.backends)
    if (backend.credential.type == Type::entra_client_credentials ||
        backend.credential.type == Type::managed_identity)
      providers_[backend.name] =
          std::make_unique<TokenProvider>(background, fetcher, backend.credential, backend.name);
}

void UpstreamCredentials::start() {
  for (auto& [name, provider] : providers_) provider->start();
}

const TokenProvider* UpstreamCredentials::provider(const std::string& backend) const {
  auto it = providers_.find(backend);
  return it == providers_.end() ? nullptr : it->second.get();
}

net::awaitable<std::variant<UpstreamCredential, ApiError>> UpstreamCredentials::for_call(
    const BackendConfig& backend, const bhttp::fields& inbound) {
  using Type = CredentialConfig::Type;
  const auto& credential = backend.credential;
  switch (credential.type) {
    case Type::none:
      co_return UpstreamCredential{};
    case Type::api_key:
      if (backend.kind == BackendKind::azure)
        co_return UpstreamCredential{"api-key", credential.secret};
      co_return UpstreamCredential{"authorization", "Bearer " + credential.secret};
    case Type::bearer:
      co_return UpstreamCredential{"authorization", "Bearer " + credential.secret};
    case Type::passthrough: {
      auto token = bearer_token(inbound);
      if (!looks_like_jwt(token))
        co_return unauthorized("The backend '" + backend.name +
                               "' is called with the caller's own Entra ID token: send "
                               "Authorization: Bearer <token>.");
      co_return UpstreamCredential{"authorization", "Bearer " + std::string(token)};
    }
    case Type::entra_client_credentials:
    case Type::managed_identity:
      break;
  }
  auto token = co_await providers_.at(backend.name)->token();
  if (auto* why = std::get_if<std::string>(&token))
    co_return bad_gateway("The gateway could not obtain an access token for the backend '" +
                          backend.name + "': " + *why);
  co_return UpstreamCredential{"authorization", "Bearer " + std::get<AccessToken>(token).value};
}

void apply_upstream_credential(const UpstreamCredential& credential, bhttp::fields& headers) {
  headers.erase(bhttp::field::authorization);
  headers.erase("api-key");
  headers.erase(bhttp::field::cookie);
  if (!credential.header.empty()) headers.set(credential.header, credential.value);
}

}  // namespace tollgate::identity
