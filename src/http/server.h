// The listening side: one event loop per thread, each accepting on its own SO_REUSEPORT
// socket and serving its connections without sharing state with the other loops.
//
// Threading: run() blocks and drives every loop; drain() may be called from any thread.
#pragma once

#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <vector>

#include "http/exchange.h"

namespace tollgate::http {

// Serves the requests of one event loop. A Handler is created per loop, so it may keep
// per-loop state (such as upstream connection pools) without locks.
class Handler {
 public:
  virtual ~Handler() = default;
  // Answers exchange.request(). Exceptions are caught by the connection and end it.
  virtual net::awaitable<void> serve(Exchange& exchange) = 0;
  // Connection events on this loop, for counters: opened when a connection is accepted, closed
  // when it ends (not called for connections cut by stopping the loop, nor after serve throws).
  virtual void connection_opened() {}
  virtual void connection_closed() {}
};

using HandlerFactory = std::function<std::unique_ptr<Handler>(net::io_context& loop)>;

struct ServerOptions {
  net::ip::tcp::endpoint listen;
  unsigned threads = 0;                                  // 0: one per core
  std::size_t header_limit = 64 * 1024;                  // larger request headers get 431
  std::size_t body_limit = 32 * 1024 * 1024;             // larger request bodies get 413
  std::chrono::milliseconds request_timeout{60'000};     // to read one whole request
  std::chrono::milliseconds keep_alive_timeout{75'000};  // idle time between requests
};

class Server {
 public:
  Server(ServerOptions options, HandlerFactory factory);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds the listening sockets. Throws boost::system::system_error when the address is taken.
  void bind();
  // The bound address (its port is the real one when the configured port was 0).
  net::ip::tcp::endpoint local_endpoint() const { return bound_; }
  // Serves until drain() completes. REQUIRES: bind() succeeded.
  void run();
  // Stops accepting, lets in-flight requests finish for up to `grace`, then stops the loops.
  void drain(std::chrono::milliseconds grace);

  std::size_t in_flight() const { return in_flight_.load(); }

 private:
  struct Loop;
  net::awaitable<void> accept(Loop& loop);
  net::awaitable<void> session(Loop& loop, net::ip::tcp::socket socket);

  ServerOptions options_;
  HandlerFactory factory_;
  std::vector<std::unique_ptr<Loop>> loops_;
  net::ip::tcp::endpoint bound_;
  std::atomic<bool> draining_{false};
  std::atomic<std::size_t> in_flight_{0};
};

}  // namespace tollgate::http
