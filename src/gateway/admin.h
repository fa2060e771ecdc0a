// Requests the gateway answers itself: health and readiness probes for load balancers, the
// model list that SDKs and tools use to discover what they may call, and the operators' view
// of backend health (GET /admin/backends). Everything under /admin/ is for operators: when
// authentication is on, the identity stage must admit only them before this stage runs.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <optional>

#include "balance/balancer.h"
#include "core/config.h"
#include "http/exchange.h"

namespace tollgate::gateway {

namespace net = boost::asio;

class Admin {
 public:
  // `config` and `balancer` must outlive the Admin.
  Admin(net::any_io_executor executor, const Config& config, const balance::Balancer& balancer);

  // Answers the request when it is one of the gateway's own, and returns whether it did.
  net::awaitable<bool> serve(http::Exchange& exchange);

 private:
  net::awaitable<http::Response> readiness();
  http::Response models() const;

  const Config& config_;
  const balance::Balancer& balancer_;
  net::ip::tcp::resolver resolver_;
};

}  // namespace tollgate::gateway
