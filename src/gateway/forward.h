// Forward stage: one call to a backend. It sends the request, waits for the response header
// within the backend's first-byte timeout, then hands out the body piece by piece as it
// arrives, so that streams are never held back.
//
// Threading: used from one event loop; must not outlive its pool.
#pragma once

#include <array>
#include <boost/asio/awaitable.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <string_view>

#include "http/upstream_connection.h"

namespace tollgate::gateway {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;

class UpstreamCall {
 public:
  explicit UpstreamCall(http::UpstreamPool& pool) : pool_(pool) {}
  ~UpstreamCall();
  UpstreamCall(const UpstreamCall&) = delete;
  UpstreamCall& operator=(const UpstreamCall&) = delete;

  // Sends `request` and reads the response header, within the backend's connect and
  // first-byte timeouts and before `deadline` (beast::error::timeout when one passes). A
  // request that fails on a reused idle connection before any answer is sent once more on a
  // fresh connection.
  net::awaitable<beast::error_code> send(bhttp::request<bhttp::string_body>& request,
                                         std::chrono::steady_clock::time_point deadline =
                                             std::chrono::steady_clock::time_point::max());
  // REQUIRES: send() succeeded.
  bhttp::response_header<>& header() { return parser_->get().base(); }

  // Reads the next piece of the body; an empty piece with no error means the body is whole.
  // The view stays valid until the next call.
  net::awaitable<std::pair<beast::error_code, std::string_view>> read_body();
  bool done() const { return parser_ && parser_->is_done(); }

  // Ends the call: a connection whose response was read whole and is kept alive goes back
  // to the pool; any other is closed, which also cancels the backend's work.
  void finish();
  // Closes the connection at once, failing whatever operation is waiting on it. Used when the
  // client has gone away, to stop the backend's work.
  void abandon();

  // When send() began.
  std::chrono::steady_clock::time_point started() const { return started_; }
  // Time spent waiting for the backend so far: connecting, sending, and reading its answer.
  std::chrono::steady_clock::duration waited() const { return waited_; }

 private:
  net::awaitable<beast::error_code> attempt(bhttp::request<bhttp::string_body>& request,
                                            bool allow_reuse,
                                            std::chrono::steady_clock::time_point deadline);

  http::UpstreamPool& pool_;
  std::unique_ptr<http::UpstreamConnection> connection_;
  std::optional<bhttp::response_parser<bhttp::buffer_body>> parser_;
  std::array<char, 16 * 1024> piece_;
  std::chrono::steady_clock::time_point started_{};
  std::chrono::steady_clock::duration waited_{};
};

}  // namespace tollgate::gateway
