// Requests the gateway answers itself: health and readiness probes for load balancers (open to
// anyone), the model list that SDKs and tools use to discover what they may call (only the
// models the caller may use, and only to authenticated callers when authentication is on), and
// the operators' view of backend health (GET /admin/backends; only callers auth.admin admits).
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <optional>

#include "balance/balancer.h"
#include "core/config.h"
#include "gateway/authenticate.h"
#include "http/exchange.h"
#include "identity/identity_service.h"

namespace tollgate::gateway {

namespace net = boost::asio;

class Admin {
 public:
  // `config`, `identity` and `balancer` must outlive the Admin.
  Admin(net::any_io_executor executor, const Config& config,
        const identity::IdentityService& identity, const balance::Balancer& balancer);

  // Whether `path` is a probe, answered without authentication.
  static bool is_probe(std::string_view path);

  // Answers the request when it is one of the gateway's own, and returns whether it did.
  // `verdict` is who is calling (ignored for probes).
  net::awaitable<bool> serve(http::Exchange& exchange, const AuthVerdict& verdict);

 private:
  net::awaitable<http::Response> readiness();
  http::Response models(const identity::Identity& caller) const;

  const Config& config_;
  const identity::IdentityService& identity_;
  const balance::Balancer& balancer_;
  net::ip::tcp::resolver resolver_;
};

}  // namespace tollgate::gateway
