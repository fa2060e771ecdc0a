// One inbound request and the means to answer it. The connection that read the request hands
// an Exchange to a Handler, which answers it whole (send) or in pieces (start, write_body,
// finish) so that streams reach the client as they are produced.
//
// Threading: an Exchange lives on its connection's coroutine frame and is used only from that
// connection's executor. It must not outlive the Handler::serve call it was given to.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <string_view>

#include "core/api_error.h"

namespace tollgate::http {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;

using Request = bhttp::request<bhttp::string_body>;
using Response = bhttp::response<bhttp::string_body>;
using ResponseHeader = bhttp::response<bhttp::empty_body>;

class Exchange {
 public:
  Exchange(beast::tcp_stream& stream, Request& request, net::ip::tcp::endpoint peer);
  Exchange(const Exchange&) = delete;
  Exchange& operator=(const Exchange&) = delete;

  Request& request() { return request_; }
  const net::ip::tcp::endpoint& peer() const { return peer_; }

  // Sends a whole response. REQUIRES: no response started yet.
  net::awaitable<beast::error_code> send(Response response);
  // Sends an OpenAI-shaped error, plus any headers already set with set_header().
  net::awaitable<beast::error_code> send_error(const ApiError& error);

  // Starts a response whose body follows through write_body(). Without a Content-Length in
  // `header` the body is sent chunked. REQUIRES: no response started yet.
  net::awaitable<beast::error_code> start(ResponseHeader header);
  // Sends the next piece of a started body, as one chunk when chunked.
  net::awaitable<beast::error_code> write_body(std::string_view data);
  // Completes a started body (the terminating chunk when chunked).
  net::awaitable<beast::error_code> finish();
  // Closes the connection without completing the response, so that the client cannot mistake
  // what it received for a whole answer.
  void abort();
  // Resets the connection (SO_LINGER 0, then close: the peer gets a TCP RST), for the
  // simulator's injected failures. Like abort(), it ends the exchange.
  void reset();
  // Completes when the connection becomes readable: the peer closed or reset it (or sent more
  // bytes, which an HTTP/1.1 client does not do while it awaits an answer). Lets a handler that
  // never answers stop when the client gives up.
  net::awaitable<void> wait_closed();

  // Returns true when the client closes its connection (or it fails), and false only when
  // cancelled. It is meant to race a long wait for the backend, so that a client that gives up
  // cancels the backend's work instead of leaving it to run.
  // REQUIRES: nothing else reads the connection meanwhile.
  net::awaitable<bool> client_gone();

  // Headers added to every response of this exchange (x-request-id, ...).
  void set_header(std::string_view name, std::string_view value);

  bool started() const { return started_; }
  bool aborted() const { return aborted_; }
  int status() const { return status_; }
  std::size_t bytes_sent() const { return bytes_sent_; }
  // Whether the connection may carry another request after this one.
  bool keep_alive() const;

 private:
  template <class Message>
  void prepare(Message& message);

  beast::tcp_stream& stream_;
  Request& request_;
  net::ip::tcp::endpoint peer_;
  bhttp::fields extra_headers_;
  bool started_ = false;
  bool chunked_ = false;
  bool aborted_ = false;
  bool response_keep_alive_ = true;
  int status_ = 0;
  std::size_t bytes_sent_ = 0;
};

}  // namespace tollgate::http
