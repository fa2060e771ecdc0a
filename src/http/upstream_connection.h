// A client connection to one backend, over TCP or TLS, and the pool that keeps idle ones open
// for reuse (HTTP/1.1 keep-alive).
//
// Threading: a pool belongs to one event loop and is used only from it; so are its
// connections.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <chrono>
#include <deque>
#include <memory>
#include <utility>
#include <variant>

#include "core/config.h"

namespace tollgate::http {

namespace net = boost::asio;
namespace beast = boost::beast;

class UpstreamConnection {
 public:
  using Plain = beast::tcp_stream;
  using Tls = beast::ssl_stream<beast::tcp_stream>;

  explicit UpstreamConnection(Plain stream) : stream_(std::move(stream)) {}
  explicit UpstreamConnection(Tls stream) : stream_(std::move(stream)) {}

  // Calls f with the concrete stream (Plain& or Tls&).
  template <class F>
  decltype(auto) visit(F&& f) {
    return std::visit(std::forward<F>(f), stream_);
  }
  // The TCP layer, where timeouts are set.
  beast::tcp_stream& tcp();
  // Bytes read beyond the last message; kept with the connection for the next one.
  beast::flat_buffer& buffer() { return buffer_; }
  // Whether it came from the pool rather than a fresh connect: a reused connection may have
  // been closed by the server while idle, and a request that fails on it before any response
  // arrives is safe to send again on a new one.
  bool reused() const { return reused_; }
  void close();

 private:
  friend class UpstreamPool;
  std::variant<Plain, Tls> stream_;
  beast::flat_buffer buffer_;
  bool reused_ = false;
  std::chrono::steady_clock::time_point idle_since_;
};

class UpstreamPool {
 public:
  // `backend` and `tls` must outlive the pool.
  UpstreamPool(net::any_io_executor executor, const BackendConfig& backend, net::ssl::context& tls);

  // An idle connection when one is open, or a new one (connect and TLS handshake within the
  // backend's connect timeout, and before `deadline`).
  net::awaitable<std::pair<beast::error_code, std::unique_ptr<UpstreamConnection>>> acquire(
      bool allow_reuse = true, std::chrono::steady_clock::time_point deadline =
                                   std::chrono::steady_clock::time_point::max());
  // Returns a connection whose last response was read whole and which the server keeps open.
  void release(std::unique_ptr<UpstreamConnection> connection);

  const BackendConfig& backend() const { return backend_; }

 private:
  net::awaitable<std::pair<beast::error_code, std::unique_ptr<UpstreamConnection>>> connect(
      std::chrono::steady_clock::time_point deadline);

  net::any_io_executor executor_;
  const BackendConfig& backend_;
  net::ssl::context& tls_;
  net::ip::tcp::resolver resolver_;
  std::deque<std::unique_ptr<UpstreamConnection>> idle_;
};

}  // namespace tollgate::http
