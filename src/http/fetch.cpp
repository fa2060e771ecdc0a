#include "http/fetch.h"

#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include "core/config.h"
#include "core/endpoint_url.h"
#include "http/tls_contexts.h"
#include "http/upstream_connection.h"
#include "http/use_result.h"

namespace tollgate::http {

namespace bhttp = boost::beast::http;

Fetcher::Fetcher(net::any_io_executor executor) : executor_(std::move(executor)) {}

net::ssl::context& Fetcher::tls_for(const std::string& ca_file) {
  auto& context = tls_[ca_file];
  if (!context) context = make_client_context(ca_file);
  return *context;
}

net::awaitable<FetchResult> Fetcher::fetch(const FetchRequest& request) {
  FetchResult result;
  auto parsed = parse_endpoint_url(request.url);
  if (auto* why = std::get_if<std::string>(&parsed)) {
    result.error = request.url + " " + *why;
    co_return result;
  }
  const auto& url = std::get<EndpointUrl>(parsed);
  // The connection code of backends serves here too: the endpoint is a one-off backend.
  BackendConfig endpoint;
  endpoint.name = url.host;
  endpoint.tls = url.tls;
  endpoint.host = url.host;
  endpoint.port = url.port;
  endpoint.connect_timeout = request.timeout;
  net::ssl::context* tls = nullptr;
  try {
    tls = &tls_for(request.ca_file);
  } catch (const std::exception& e) {
    result.error = "cannot load CA file " + request.ca_file + ": " + e.what();
    co_return result;
  }
  UpstreamPool pool(executor_, endpoint, *tls);
  auto [connect_ec, connection] = co_await pool.acquire(false);
  if (connect_ec) {
    result.error = "cannot connect to " + url.host_header() + ": " + connect_ec.message();
    co_return result;
  }
  bhttp::request<bhttp::string_body> out{request.method, url.target(), 11};
  out.set(bhttp::field::host, url.host_header());
  out.set(bhttp::field::user_agent, "tollgate");
  out.set(bhttp::field::accept, "application/json");
  for (const auto& [name, value] : request.headers) out.set(name, value);
  if (!request.content_type.empty()) out.set(bhttp::field::content_type, request.content_type);
  out.body() = request.body;
  out.prepare_payload();
  connection->tcp().expires_after(request.timeout);
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(max_answer_bytes);
  auto ec = co_await connection->visit([&](auto& stream) -> net::awaitable<beast::error_code> {
    auto [write_ec, written] = co_await bhttp::async_write(stream, out, use_result);
    if (write_ec) co_return write_ec;
    auto [read_ec, read] =
        co_await bhttp::async_read(stream, connection->buffer(), parser, use_result);
    co_return read_ec;
  });
  connection->close();
  if (ec) {
    result.error = "no answer from " + url.host_header() + ": " + ec.message();
    co_return result;
  }
  result.status = static_cast<int>(parser.get().result_int());
  result.body = std::move(parser.get().body());
  co_return result;
}

}  // namespace tollgate::http
