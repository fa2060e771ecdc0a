#include "http/server.h"

#include <spdlog/spdlog.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/socket_base.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <optional>
#include <thread>

#include "core/ids.h"
#include "http/use_result.h"

namespace tollgate::http {

namespace {

// SO_REUSEPORT lets every loop own an accepting socket on the same port; the kernel spreads
// new connections across them, so no accept lock is shared.
using reuse_port = net::detail::socket_option::boolean<SOL_SOCKET, SO_REUSEPORT>;

// Counts a request as in flight for as long as it is being served, so drain() knows when to
// stop.
class InFlight {
 public:
  explicit InFlight(std::atomic<std::size_t>& counter) : counter_(counter) { ++counter_; }
  ~InFlight() { --counter_; }
  InFlight(const InFlight&) = delete;
  InFlight& operator=(const InFlight&) = delete;

 private:
  std::atomic<std::size_t>& counter_;
};

// Maps a request-parsing failure to the error the client should see, or nullopt when the
// connection simply ended.
std::optional<ApiError> read_failure(const beast::error_code& ec, const ServerOptions& options) {
  if (ec == bhttp::error::header_limit) return headers_too_large(options.header_limit);
  if (ec == bhttp::error::body_limit) return payload_too_large(options.body_limit);
  if (ec == bhttp::error::end_of_stream || ec == net::error::eof ||
      ec == net::error::connection_reset || ec == net::error::operation_aborted ||
      ec == beast::error::timeout || ec == bhttp::error::partial_message)
    return std::nullopt;
  return invalid_request("The request is not valid HTTP/1.1: " + ec.message(), {},
                         "malformed_request");
}

}  // namespace

struct Server::Loop {
  net::io_context context{1};
  std::optional<net::ip::tcp::acceptor> acceptor;
  std::unique_ptr<Handler> handler;
};

Server::Server(ServerOptions options, HandlerFactory factory)
    : options_(std::move(options)), factory_(std::move(factory)) {
  unsigned threads = options_.threads ? options_.threads : std::thread::hardware_concurrency();
  for (unsigned i = 0; i < std::max(1u, threads); ++i) loops_.push_back(std::make_unique<Loop>());
}

Server::~Server() = default;

void Server::bind() {
  bound_ = options_.listen;
  // SO_REUSEPORT would let this server join another process already listening on the port
  // and silently split its traffic; a plain bind first proves the port is free.
  if (bound_.port() != 0) {
    net::io_context probe_context;
    net::ip::tcp::acceptor probe(probe_context);
    probe.open(bound_.protocol());
    probe.set_option(net::socket_base::reuse_address(true));
    probe.bind(bound_);
  }
  for (auto& loop : loops_) {
    auto& acceptor = loop->acceptor.emplace(loop->context);
    acceptor.open(bound_.protocol());
    acceptor.set_option(net::socket_base::reuse_address(true));
    acceptor.set_option(reuse_port(true));
    acceptor.bind(bound_);
    acceptor.listen(net::socket_base::max_listen_connections);
    // With port 0 the first bind picks the port; the other loops join it.
    bound_ = acceptor.local_endpoint();
    loop->handler = factory_(loop->context);
  }
}

void Server::run() {
  for (auto& loop : loops_) net::co_spawn(loop->context, accept(*loop), net::detached);
  std::vector<std::thread> threads;
  for (std::size_t i = 1; i < loops_.size(); ++i)
    threads.emplace_back([&loop = *loops_[i]] { loop.context.run(); });
  loops_[0]->context.run();
  for (auto& thread : threads) thread.join();
}

void Server::drain(std::chrono::milliseconds grace) {
  draining_ = true;
  for (auto& loop : loops_) {
    net::post(loop->context, [&loop = *loop] {
      beast::error_code ignored;
      if (loop.acceptor) loop.acceptor->close(ignored);
    });
  }
  auto deadline = std::chrono::steady_clock::now() + grace;
  while (in_flight_.load() > 0 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  if (in_flight_.load() > 0)
    spdlog::warn("drain: {} requests still in flight after {} ms; closing them", in_flight_.load(),
                 grace.count());
  for (auto& loop : loops_) loop->context.stop();
}

net::awaitable<void> Server::accept(Loop& loop) {
  for (;;) {
    auto [ec, socket] = co_await loop.acceptor->async_accept(use_result);
    if (ec) {
      if (draining_ || ec == net::error::operation_aborted) co_return;
      spdlog::warn("accept failed: {}", ec.message());
      continue;
    }
    net::co_spawn(loop.context, session(loop, std::move(socket)), [](std::exception_ptr error) {
      if (!error) return;
      try {
        std::rethrow_exception(error);
      } catch (const std::exception& e) {
        spdlog::error("connection ended by an unexpected error: {}", e.what());
      }
    });
  }
}

net::awaitable<void> Server::session(Loop& loop, net::ip::tcp::socket socket) {
  loop.handler->connection_opened();
  beast::error_code ignored;
  socket.set_option(net::ip::tcp::no_delay(true), ignored);
  auto peer = socket.remote_endpoint(ignored);
  beast::tcp_stream stream{std::move(socket)};
  beast::flat_buffer buffer;

  for (bool first = true; !draining_; first = false) {
    bhttp::request_parser<bhttp::string_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(options_.header_limit));
    parser.body_limit(options_.body_limit);

    stream.expires_after(first ? options_.request_timeout : options_.keep_alive_timeout);
    auto [header_ec, header_bytes] =
        co_await bhttp::async_read_header(stream, buffer, parser, use_result);
    beast::error_code ec = header_ec;
    if (!ec) {
      // curl and some SDKs wait for this before sending a large body.
      if (beast::iequals(parser.get()[bhttp::field::expect], "100-continue")) {
        bhttp::response<bhttp::empty_body> go_on{bhttp::status::continue_, 11};
        co_await bhttp::async_write(stream, go_on, use_result);
      }
      stream.expires_after(options_.request_timeout);
      auto [body_ec, body_bytes] = co_await bhttp::async_read(stream, buffer, parser, use_result);
      ec = body_ec;
    }
    if (ec) {
      if (auto error = read_failure(ec, options_)) {
        // The connection is answered and closed: after a framing error its remaining bytes
        // cannot be trusted to start a new request.
        Request bare;
        bare.version(11);
        bare.keep_alive(false);
        Exchange exchange{stream, bare, peer};
        exchange.set_header("x-request-id", new_uuid());
        stream.expires_after(std::chrono::seconds(5));
        co_await exchange.send_error(*error);
      }
      break;
    }

    InFlight counted{in_flight_};
    Request request = parser.release();
    Exchange exchange{stream, request, peer};
    // Handlers set their own deadlines on the upstream side; writes to a slow client must not
    // be cut by the read timeout.
    stream.expires_never();
    co_await loop.handler->serve(exchange);
    if (!exchange.keep_alive()) break;
  }
  stream.socket().shutdown(net::ip::tcp::socket::shutdown_send, ignored);
  loop.handler->connection_closed();
}

}  // namespace tollgate::http
