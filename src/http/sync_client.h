// A blocking HTTP/1.1 client for one server, for threads that may wait — the audit sinks'
// workers (the http and eventhubs_http sinks). Each call runs the client's own event loop
// until the exchange is over, on the connection code the gateway uses for backends
// (UpstreamPool): TLS always verified, with SNI and host-name checks, against the system CA
// store or `ca_file`; the connection is kept alive between calls.
//
// Threading: not thread-safe; one thread uses it.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <chrono>
#include <memory>
#include <string>

#include "core/config.h"
#include "core/endpoint_url.h"
#include "http/upstream_connection.h"

namespace tollgate::http {

namespace bhttp = boost::beast::http;

class SyncClient {
 public:
  struct Options {
    EndpointUrl server;   // scheme, host and port; the path is the caller's business
    std::string ca_file;  // empty: the system CA store
    // Bounds connecting (TCP and TLS), sending the request, and receiving the response.
    std::chrono::milliseconds timeout{10'000};
  };
  struct Response {
    int status = 0;
    std::string body;  // at most the first 64 KiB: for error messages
  };

  // Throws boost::system::system_error when ca_file cannot be loaded.
  explicit SyncClient(const Options& options);
  ~SyncClient();
  SyncClient(const SyncClient&) = delete;
  SyncClient& operator=(const SyncClient&) = delete;

  // Sends `request` (its Host header is set here) and waits for the response. An error code
  // when no response status arrived: the server could not be reached, the exchange timed out
  // or broke. A response whose body was cut short still counts as the answer.
  std::pair<beast::error_code, Response> send(bhttp::request<bhttp::string_body>& request);

 private:
  net::awaitable<std::pair<beast::error_code, Response>> exchange(
      bhttp::request<bhttp::string_body>& request);
  net::awaitable<std::pair<beast::error_code, Response>> exchange_on(
      UpstreamConnection& connection, bhttp::request<bhttp::string_body>& request, bool& reusable);

  const std::chrono::milliseconds timeout_;
  const std::string host_header_;
  net::io_context loop_;
  BackendConfig server_;  // the pool's view of the server: address, TLS, connect timeout
  std::unique_ptr<net::ssl::context> tls_;
  UpstreamPool pool_;
};

}  // namespace tollgate::http
