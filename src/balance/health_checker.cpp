#include "balance/health_checker.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include "api/upstream_target.h"
#include "http/use_result.h"
#include "identity/upstream_credentials.h"

namespace tollgate::balance {

namespace net = boost::asio;
namespace bhttp = boost::beast::http;

std::string default_health_check_path(const BackendConfig& backend) {
  if (backend.kind == BackendKind::openai) return backend.base_path + "/models";
  std::string version = backend.api_version.empty() ? std::string(api::default_azure_api_version)
                                                    : backend.api_version;
  return backend.base_path + "/openai/models?api-version=" + version;
}

HealthChecker::HealthChecker(const Config& config, Balancer& balancer, http::TlsContexts& tls,
                             identity::UpstreamCredentials& credentials)
    : balancer_(balancer), credentials_(credentials) {
  bool any = false;
  for (const auto& backend : config.backends) {
    if (!backend.health_check.enabled) continue;
    any = true;
    net::co_spawn(loop_.executor(), watch(backend, tls.for_backend(backend)), net::detached);
  }
  if (any) loop_.start("tollgate-health");
}

HealthChecker::~HealthChecker() { loop_.stop(); }

net::awaitable<void> HealthChecker::watch(const BackendConfig& backend, net::ssl::context& tls) {
  http::UpstreamPool pool(loop_.executor(), backend, tls);
  net::steady_timer timer(loop_.executor());
  for (;;) {
    auto next = std::chrono::steady_clock::now() + backend.health_check.interval;
    auto error = co_await check(backend, pool);
    for (auto* target : balancer_.targets_of(backend.name))
      target->set_healthy(error.empty(), error);
    timer.expires_at(next);
    auto [ec] = co_await timer.async_wait(use_result);
    if (ec) co_return;
  }
}

net::awaitable<std::string> HealthChecker::check(const BackendConfig& backend,
                                                 http::UpstreamPool& pool) {
  const auto& settings = backend.health_check;
  auto deadline = std::chrono::steady_clock::now() + settings.timeout;
  // A fresh connection each time: the check is also of the backend's ability to accept one.
  auto [connect_ec, connection] = co_await pool.acquire(false, deadline);
  if (connect_ec) co_return "health check: cannot connect: " + connect_ec.message();

  bhttp::request<bhttp::empty_body> request{
      bhttp::verb::get, settings.path.empty() ? default_health_check_path(backend) : settings.path,
      11};
  request.set(bhttp::field::host, api::upstream_host(backend));
  request.set(bhttp::field::user_agent, "tollgate-health-check");
  // A passthrough backend has no credential of its own to check with: the check goes without.
  const bhttp::fields no_caller;
  auto credential = co_await credentials_.for_call(backend, no_caller);
  if (auto* refused = std::get_if<ApiError>(&credential)) {
    if (backend.credential.type != CredentialConfig::Type::passthrough)
      co_return "health check: " + refused->message;
  } else {
    identity::apply_upstream_credential(std::get<identity::UpstreamCredential>(credential),
                                        request.base());
  }
  connection->tcp().expires_at(deadline);
  auto write_ec =
      co_await connection->visit([&](auto& stream) -> net::awaitable<boost::beast::error_code> {
        auto [ec, n] = co_await bhttp::async_write(stream, request, use_result);
        co_return ec;
      });
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(1024 * 1024);
  auto read_ec = write_ec;
  if (!write_ec)
    read_ec =
        co_await connection->visit([&](auto& stream) -> net::awaitable<boost::beast::error_code> {
          auto [ec, n] =
              co_await bhttp::async_read(stream, connection->buffer(), parser, use_result);
          co_return ec;
        });
  connection->close();
  if (read_ec) co_return "health check: " + read_ec.message();
  int status = parser.get().result_int();
  if (status != settings.expected_status)
    co_return fmt::format("health check: status {} (expected {})", status,
                          settings.expected_status);
  co_return std::string{};
}

}  // namespace tollgate::balance
