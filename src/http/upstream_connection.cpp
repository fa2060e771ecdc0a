#include "http/upstream_connection.h"

#include <openssl/ssl.h>

#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "http/use_result.h"

namespace tollgate::http {

namespace {

// Idle connections older than this are not reused: servers commonly close idle keep-alive
// connections after 5 to 60 seconds, and a request sent on a closed one is wasted time.
constexpr std::chrono::seconds max_idle_age{4};

}  // namespace

beast::tcp_stream& UpstreamConnection::tcp() {
  return visit([](auto& stream) -> beast::tcp_stream& { return beast::get_lowest_layer(stream); });
}

void UpstreamConnection::close() {
  beast::error_code ignored;
  tcp().socket().shutdown(net::ip::tcp::socket::shutdown_both, ignored);
  tcp().close();
}

UpstreamPool::UpstreamPool(net::any_io_executor executor, const BackendConfig& backend,
                           net::ssl::context& tls)
    : executor_(executor), backend_(backend), tls_(tls), resolver_(executor) {}

net::awaitable<std::pair<beast::error_code, std::unique_ptr<UpstreamConnection>>>
UpstreamPool::acquire(bool allow_reuse, std::chrono::steady_clock::time_point deadline) {
  auto now = std::chrono::steady_clock::now();
  while (allow_reuse && !idle_.empty()) {
    auto connection = std::move(idle_.back());
    idle_.pop_back();
    if (now - connection->idle_since_ > max_idle_age) {
      connection->close();
      continue;
    }
    connection->reused_ = true;
    co_return std::pair{beast::error_code{}, std::move(connection)};
  }
  co_return co_await connect(deadline);
}

net::awaitable<std::pair<beast::error_code, std::unique_ptr<UpstreamConnection>>>
UpstreamPool::connect(std::chrono::steady_clock::time_point deadline) {
  using Result = std::pair<beast::error_code, std::unique_ptr<UpstreamConnection>>;
  auto [resolve_ec, endpoints] =
      co_await resolver_.async_resolve(backend_.host, backend_.port, use_result);
  if (resolve_ec) co_return Result{resolve_ec, nullptr};

  beast::tcp_stream tcp{executor_};
  tcp.expires_at(std::min(std::chrono::steady_clock::now() + backend_.connect_timeout, deadline));
  auto [connect_ec, endpoint] = co_await tcp.async_connect(endpoints, use_result);
  if (connect_ec) co_return Result{connect_ec, nullptr};
  tcp.socket().set_option(net::ip::tcp::no_delay(true));

  if (!backend_.tls) {
    tcp.expires_never();
    co_return Result{beast::error_code{}, std::make_unique<UpstreamConnection>(std::move(tcp))};
  }

  UpstreamConnection::Tls tls{std::move(tcp), tls_};
  // SNI, so that servers hosting several names present the right certificate, and host name
  // verification, so that a valid certificate for another name is refused.
  if (!SSL_set_tlsext_host_name(tls.native_handle(), backend_.host.c_str()))
    co_return Result{
        beast::error_code(static_cast<int>(::ERR_get_error()), net::error::get_ssl_category()),
        nullptr};
  tls.set_verify_mode(net::ssl::verify_peer);
  tls.set_verify_callback(net::ssl::host_name_verification(backend_.host));
  auto [handshake_ec] = co_await tls.async_handshake(net::ssl::stream_base::client, use_result);
  if (handshake_ec) co_return Result{handshake_ec, nullptr};
  beast::get_lowest_layer(tls).expires_never();
  co_return Result{beast::error_code{}, std::make_unique<UpstreamConnection>(std::move(tls))};
}

void UpstreamPool::release(std::unique_ptr<UpstreamConnection> connection) {
  if (idle_.size() >= backend_.max_idle_connections) {
    connection->close();
    return;
  }
  connection->idle_since_ = std::chrono::steady_clock::now();
  idle_.push_back(std::move(connection));
}

}  // namespace tollgate::http
