#include "http/sync_client.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <exception>

#include "http/tls_contexts.h"
#include "http/use_result.h"

namespace tollgate::http {

namespace {

constexpr std::size_t max_response_body = 64 * 1024;

BackendConfig server_of(const SyncClient::Options& options) {
  BackendConfig server;
  server.name = options.server.host;
  server.tls = options.server.tls;
  server.host = options.server.host;
  server.port = options.server.port;
  server.connect_timeout = options.timeout;
  server.max_idle_connections = 1;
  return server;
}

}  // namespace

SyncClient::SyncClient(const Options& options)
    : timeout_(options.timeout),
      host_header_(options.server.host_header()),
      loop_(1),
      server_(server_of(options)),
      tls_(make_client_context(options.ca_file)),
      pool_(loop_.get_executor(), server_, *tls_) {}

SyncClient::~SyncClient() = default;

std::pair<beast::error_code, SyncClient::Response> SyncClient::send(
    bhttp::request<bhttp::string_body>& request) {
  request.set(bhttp::field::host, host_header_);
  request.keep_alive(true);
  request.prepare_payload();
  std::pair<beast::error_code, Response> result;
  std::exception_ptr failure;
  net::co_spawn(loop_, exchange(request),
                [&](std::exception_ptr e, std::pair<beast::error_code, Response> outcome) {
                  failure = e;
                  result = std::move(outcome);
                });
  loop_.restart();
  loop_.run();
  if (failure) std::rethrow_exception(failure);
  return result;
}

net::awaitable<std::pair<beast::error_code, SyncClient::Response>> SyncClient::exchange(
    bhttp::request<bhttp::string_body>& request) {
  // A kept-alive connection the server closed while idle fails before any response: the
  // request is sent once more on a fresh one.
  for (bool allow_reuse : {true, false}) {
    auto [connect_ec, connection] = co_await pool_.acquire(allow_reuse);
    if (connect_ec) co_return std::pair{connect_ec, Response{}};
    const bool reused = connection->reused();
    bool reusable = false;
    auto result = co_await exchange_on(*connection, request, reusable);
    if (reusable)
      pool_.release(std::move(connection));
    else
      connection->close();
    if (!result.first || !reused) co_return result;
  }
  co_return std::pair{beast::error_code(net::error::connection_aborted), Response{}};
}

net::awaitable<std::pair<beast::error_code, SyncClient::Response>> SyncClient::exchange_on(
    UpstreamConnection& connection, bhttp::request<bhttp::string_body>& request, bool& reusable) {
  using Result = std::pair<beast::error_code, Response>;
  connection.tcp().expires_after(timeout_);
  auto write_ec = co_await connection.visit([&](auto& stream) -> net::awaitable<beast::error_code> {
    auto [ec, n] = co_await bhttp::async_write(stream, request, use_result);
    co_return ec;
  });
  if (write_ec) co_return Result{write_ec, {}};
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(max_response_body);
  connection.tcp().expires_after(timeout_);
  auto read_ec = co_await connection.visit([&](auto& stream) -> net::awaitable<beast::error_code> {
    auto [ec, n] = co_await bhttp::async_read(stream, connection.buffer(), parser, use_result);
    co_return ec;
  });
  connection.tcp().expires_never();
  if (!parser.is_header_done())
    co_return Result{read_ec ? read_ec : bhttp::error::partial_message, {}};
  // A status without its whole body (too long, cut) still answers the request.
  Response response;
  response.status = parser.get().result_int();
  response.body = std::move(parser.get().body());
  reusable = !read_ec && parser.get().keep_alive();
  co_return Result{{}, std::move(response)};
}

}  // namespace tollgate::http
