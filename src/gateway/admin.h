// Requests the gateway answers itself: health and readiness probes for load balancers, and
// the model list that SDKs and tools use to discover what they may call.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <optional>

#include "core/config.h"
#include "http/exchange.h"

namespace tollgate::gateway {

namespace net = boost::asio;

class Admin {
 public:
  // `config` must outlive the Admin.
  Admin(net::any_io_executor executor, const Config& config);

  // Answers the request when it is one of the gateway's own, and returns whether it did.
  net::awaitable<bool> serve(http::Exchange& exchange);

 private:
  net::awaitable<http::Response> readiness();
  http::Response models() const;

  const Config& config_;
  net::ip::tcp::resolver resolver_;
};

}  // namespace tollgate::gateway
