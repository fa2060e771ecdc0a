#include "gateway/serve.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <boost/asio/ip/address.hpp>
#include <cstdio>

#include "audit/audit_log.h"
#include "balance/balancer.h"
#include "balance/health_checker.h"
#include "core/logging.h"
#include "gateway/pipeline.h"
#include "http/server.h"
#include "http/signals.h"
#include "http/tls_contexts.h"
#include "identity/identity_service.h"

namespace tollgate::gateway {

namespace net = boost::asio;

namespace {

audit::GatewayInfo gateway_info() {
  char host[256] = {};
  ::gethostname(host, sizeof host - 1);
  return {fmt::format("{}/{}", host, ::getpid()), TOLLGATE_VERSION};
}

}  // namespace

int serve(const Config& config) {
  setup_logging(config.log_level, config.access_log);
  boost::system::error_code ec;
  auto address = net::ip::make_address(config.listen_host, ec);
  if (ec) {
    spdlog::error("listen address {} is not an IP address", config.listen_host);
    return 2;
  }
  if (!address.is_loopback() && config.auth.allows("none"))
    spdlog::warn(
        "SECURITY: auth.mode includes none and the gateway listens on {}, beyond loopback: "
        "anyone who can reach it can spend your LLM quota. Enable authentication before "
        "exposing it.",
        config.listen_host);

  std::unique_ptr<http::TlsContexts> tls;
  try {
    tls = std::make_unique<http::TlsContexts>(config);
  } catch (const std::exception& e) {
    spdlog::error("cannot load a backend's ca_file: {}", e.what());
    return 1;
  }
  std::unique_ptr<audit::AuditLog> audit;
  if (config.audit.enabled) {
    try {
      audit = std::make_unique<audit::AuditLog>(config.audit, gateway_info());
    } catch (const std::exception& e) {
      spdlog::error("cannot start the audit log: {}", e.what());
      return 1;
    }
  } else {
    spdlog::warn("audit is off: no audit.sinks are configured, so calls are not recorded");
  }

  identity::IdentityService identity(config);
  identity.start();
  // Backend health is shared by every loop: a 429 or a tripped breaker seen by one holds for
  // all of them.
  balance::Balancer balancer(config);
  balance::HealthChecker health_checker(config, balancer, *tls, identity.credentials());

  http::ServerOptions options;
  options.listen = {address, config.listen_port};
  options.threads = config.threads;
  options.body_limit = config.max_body_bytes;
  options.header_limit = config.max_header_bytes;
  http::Server server(options, [&](net::io_context& loop) {
    return std::make_unique<Pipeline>(loop, config, *tls, identity, audit.get(), balancer);
  });
  try {
    server.bind();
  } catch (const std::exception& e) {
    spdlog::error("cannot listen on {}:{}: {}", config.listen_host, config.listen_port, e.what());
    return 1;
  }
  auto bound = server.local_endpoint();
  spdlog::info("listening address={} backends={} models={}", bound.address().to_string(),
               config.backends.size(), config.models.size());
  std::string host = bound.address().is_v6() ? "[" + bound.address().to_string() + "]"
                                             : bound.address().to_string();
  fmt::print("tollgate listening on http://{}:{}\n", host, bound.port());
  std::fflush(stdout);

  http::SignalWatcher signals([&] {
    spdlog::info("signal received: draining in-flight calls for up to {} ms",
                 config.drain_timeout.count());
    server.drain(config.drain_timeout);
  });
  server.run();
  // The sinks get the rest of the drain time to deliver; whatever they do not is still in
  // the spool, and is delivered after the next start.
  if (audit) audit->stop(config.drain_timeout);
  spdlog::info("stopped");
  return 0;
}

}  // namespace tollgate::gateway
