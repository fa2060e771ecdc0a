// Active health checks: every backend with a `health_check` is asked for a path every
// interval, on a thread of its own; while the answer is not the expected status (or does not
// come within the check's timeout), every deployment of that backend is out of rotation.
//
// Lifetime: `config`, `balancer`, `tls` and `credentials` must outlive the checker; destroying
// it stops the checks and joins the thread.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <string>

#include "balance/balancer.h"
#include "core/config.h"
#include "http/background_loop.h"
#include "http/tls_contexts.h"
#include "http/upstream_connection.h"
#include "identity/upstream_credentials.h"

namespace tollgate::balance {

class HealthChecker {
 public:
  // Starts checking at once (no thread when no backend has a health check).
  HealthChecker(const Config& config, Balancer& balancer, http::TlsContexts& tls,
                identity::UpstreamCredentials& credentials);
  ~HealthChecker();
  HealthChecker(const HealthChecker&) = delete;
  HealthChecker& operator=(const HealthChecker&) = delete;

 private:
  boost::asio::awaitable<void> watch(const BackendConfig& backend, boost::asio::ssl::context& tls);
  // Why the backend failed one check; empty when it passed.
  boost::asio::awaitable<std::string> check(const BackendConfig& backend, http::UpstreamPool& pool);

  Balancer& balancer_;
  identity::UpstreamCredentials& credentials_;
  http::BackgroundLoop loop_;
};

// The path a backend's check asks for when the configuration names none: its model list.
std::string default_health_check_path(const BackendConfig& backend);

}  // namespace tollgate::balance
