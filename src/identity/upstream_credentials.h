// Upstream credentials: what the gateway sends a backend to prove itself, per the backend's
// `credential` (docs/identity.md). The client's own credentials are always removed first, so
// they never leave the gateway, except with `passthrough`, which exists to forward the
// caller's Entra ID token so that Azure OpenAI applies its own RBAC.
//
// Threading: for_call() may run on several threads at once; tokens are fetched on the
// background executor given to the constructor.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/beast/http/fields.hpp>
#include <map>
#include <memory>
#include <string>
#include <variant>

#include "core/api_error.h"
#include "core/config.h"
#include "http/fetch.h"
#include "identity/token_provider.h"

namespace tollgate::identity {

struct UpstreamCredential {
  std::string header;  // empty: send none
  std::string value;   // secret: never logged
};

class UpstreamCredentials {
 public:
  // `config` and `fetcher` must outlive this object; `fetcher` belongs to `background`.
  UpstreamCredentials(const Config& config, boost::asio::any_io_executor background,
                      http::Fetcher& fetcher);

  // Fetches the first token of every backend that needs one.
  void start();

  // The credential for a call to `backend` whose inbound headers are `inbound`, or the error to
  // answer when there is none to send.
  boost::asio::awaitable<std::variant<UpstreamCredential, ApiError>> for_call(
      const BackendConfig& backend, const boost::beast::http::fields& inbound);

  // The token provider of a backend, or null; for tests and the admin view.
  const TokenProvider* provider(const std::string& backend) const;

 private:
  std::map<std::string, std::unique_ptr<TokenProvider>> providers_;  // by backend name
};

// Removes the client's credentials (Authorization, api-key, Cookie) from `headers` and adds
// `credential`.
void apply_upstream_credential(const UpstreamCredential& credential,
                               boost::beast::http::fields& headers);

}  // namespace tollgate::identity
