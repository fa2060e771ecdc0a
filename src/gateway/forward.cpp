#include "gateway/forward.h"

#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

#include "http/use_result.h"

namespace tollgate::gateway {

namespace {

// Errors that mean the server closed an idle connection before our request reached it.
bool closed_while_idle(const beast::error_code& ec) {
  return ec == net::error::eof || ec == net::error::connection_reset ||
         ec == net::error::broken_pipe || ec == bhttp::error::end_of_stream;
}

}  // namespace

UpstreamCall::~UpstreamCall() {
  if (connection_) connection_->close();
}

net::awaitable<beast::error_code> UpstreamCall::send(
    bhttp::request<bhttp::string_body>& request, std::chrono::steady_clock::time_point deadline) {
  started_ = std::chrono::steady_clock::now();
  auto ec = co_await attempt(request, true, deadline);
  if (ec && connection_ && connection_->reused() && closed_while_idle(ec)) {
    connection_->close();
    connection_.reset();
    ec = co_await attempt(request, false, deadline);
  }
  waited_ += std::chrono::steady_clock::now() - started_;
  co_return ec;
}

net::awaitable<beast::error_code> UpstreamCall::attempt(
    bhttp::request<bhttp::string_body>& request, bool allow_reuse,
    std::chrono::steady_clock::time_point deadline) {
  auto [connect_ec, connection] = co_await pool_.acquire(allow_reuse, deadline);
  if (connect_ec) co_return connect_ec;
  connection_ = std::move(connection);
  const auto& backend = pool_.backend();

  connection_->tcp().expires_at(
      std::min(std::chrono::steady_clock::now() + backend.first_byte_timeout, deadline));
  auto write_ec =
      co_await connection_->visit([&](auto& stream) -> net::awaitable<beast::error_code> {
        auto [ec, n] = co_await bhttp::async_write(stream, request, use_result);
        co_return ec;
      });
  if (write_ec) co_return write_ec;

  parser_.emplace();
  parser_->body_limit(boost::none);  // responses are relayed, never held whole
  auto read_ec =
      co_await connection_->visit([&](auto& stream) -> net::awaitable<beast::error_code> {
        auto [ec, n] =
            co_await bhttp::async_read_header(stream, connection_->buffer(), *parser_, use_result);
        co_return ec;
      });
  co_return read_ec;
}

net::awaitable<std::pair<beast::error_code, std::string_view>> UpstreamCall::read_body() {
  using Result = std::pair<beast::error_code, std::string_view>;
  while (!parser_->is_done()) {
    auto& body = parser_->get().body();
    body.data = piece_.data();
    body.size = piece_.size();
    connection_->tcp().expires_after(pool_.backend().idle_timeout);
    auto started = std::chrono::steady_clock::now();
    auto ec = co_await connection_->visit([&](auto& stream) -> net::awaitable<beast::error_code> {
      auto [ec, n] =
          co_await bhttp::async_read_some(stream, connection_->buffer(), *parser_, use_result);
      co_return ec;
    });
    waited_ += std::chrono::steady_clock::now() - started;
    if (ec == bhttp::error::need_buffer) ec = {};
    if (ec) co_return Result{ec, {}};
    std::size_t filled = piece_.size() - body.size;
    if (filled > 0) co_return Result{{}, std::string_view(piece_.data(), filled)};
  }
  co_return Result{{}, {}};
}

void UpstreamCall::abandon() {
  if (connection_) connection_->close();
}

void UpstreamCall::finish() {
  if (!connection_) return;
  if (parser_ && parser_->is_done() && parser_->keep_alive()) {
    connection_->tcp().expires_never();
    pool_.release(std::move(connection_));
    return;
  }
  connection_->close();
  connection_.reset();
}

}  // namespace tollgate::gateway
