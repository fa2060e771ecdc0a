#include "http/exchange.h"

#include <sys/socket.h>

#include <boost/asio/buffer.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/chunk_encode.hpp>
#include <boost/beast/http/write.hpp>
#include <cerrno>

#include "http/use_result.h"

namespace tollgate::http {

Exchange::Exchange(beast::tcp_stream& stream, Request& request, net::ip::tcp::endpoint peer)
    : stream_(stream), request_(request), peer_(std::move(peer)) {}

void Exchange::set_header(std::string_view name, std::string_view value) {
  extra_headers_.set(name, value);
}

template <class Message>
void Exchange::prepare(Message& message) {
  for (const auto& field : extra_headers_) message.set(field.name_string(), field.value());
  message.version(request_.version());
  message.keep_alive(message.keep_alive() && request_.keep_alive());
  response_keep_alive_ = message.keep_alive();
  status_ = message.result_int();
  started_ = true;
}

net::awaitable<beast::error_code> Exchange::send(Response response) {
  prepare(response);
  response.prepare_payload();
  auto [ec, n] = co_await bhttp::async_write(stream_, response, use_result);
  bytes_sent_ += response.body().size();
  co_return ec;
}

net::awaitable<beast::error_code> Exchange::send_error(const ApiError& error) {
  Response response{static_cast<bhttp::status>(error.status), request_.version()};
  response.set(bhttp::field::content_type, "application/json");
  response.body() = error.body();
  co_return co_await send(std::move(response));
}

net::awaitable<beast::error_code> Exchange::start(ResponseHeader header) {
  prepare(header);
  chunked_ = !header.has_content_length();
  if (chunked_) header.chunked(true);  // chunked(false) would also drop Content-Length
  bhttp::response_serializer<bhttp::empty_body> serializer{header};
  auto [ec, n] = co_await bhttp::async_write_header(stream_, serializer, use_result);
  co_return ec;
}

net::awaitable<beast::error_code> Exchange::write_body(std::string_view data) {
  if (data.empty()) co_return beast::error_code{};
  bytes_sent_ += data.size();
  auto buffer = net::buffer(data.data(), data.size());
  if (chunked_) {
    auto [ec, n] = co_await net::async_write(stream_, bhttp::make_chunk(buffer), use_result);
    co_return ec;
  }
  auto [ec, n] = co_await net::async_write(stream_, buffer, use_result);
  co_return ec;
}

net::awaitable<beast::error_code> Exchange::finish() {
  if (!chunked_) co_return beast::error_code{};
  auto [ec, n] = co_await net::async_write(stream_, bhttp::make_chunk_last(), use_result);
  co_return ec;
}

net::awaitable<bool> Exchange::client_gone() {
  auto& socket = stream_.socket();
  for (;;) {
    auto [ec] = co_await socket.async_wait(net::socket_base::wait_read, use_result);
    if (ec == net::error::operation_aborted) co_return false;
    if (ec) co_return true;
    char byte;
    auto n = ::recv(socket.native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)) co_return true;
    if (n > 0) {
      // A pipelined next request, not a goodbye: nothing more to learn until cancelled.
      net::steady_timer forever{stream_.get_executor(), net::steady_timer::time_point::max()};
      co_await forever.async_wait(use_result);
      co_return false;
    }
  }
}

void Exchange::abort() {
  aborted_ = true;
  beast::error_code ignored;
  stream_.socket().shutdown(net::ip::tcp::socket::shutdown_both, ignored);
  stream_.socket().close(ignored);
}

void Exchange::reset() {
  aborted_ = true;
  beast::error_code ignored;
  stream_.socket().set_option(net::socket_base::linger(true, 0), ignored);
  stream_.socket().close(ignored);
}

net::awaitable<void> Exchange::wait_closed() {
  co_await stream_.socket().async_wait(net::socket_base::wait_read, use_result);
}

bool Exchange::keep_alive() const { return !aborted_ && response_keep_alive_; }

}  // namespace tollgate::http
