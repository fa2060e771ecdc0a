// What the stages after stream-back (account, audit) see of a backend's answer as it is
// relayed, in Envoy's encode-filter manner: events in order, with the power to rewrite or
// drop an SSE event, and one completion at the end.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/beast/http/message.hpp>
#include <string_view>

#include "gateway/outcome.h"

namespace tollgate::gateway {

class AnswerObserver {
 public:
  virtual ~AnswerObserver() = default;
  // The backend's response header, before anything is sent to the client.
  virtual void on_header(const boost::beast::http::response_header<>& header) = 0;
  // One whole SSE event; returns what the client receives in its place (empty: nothing).
  // The returned view must stay valid until the next call.
  virtual std::string_view on_event(std::string_view event) = 0;
  // A piece of a body that is not an event stream.
  virtual void on_body(std::string_view piece) = 0;
  // Called once when the answer is settled. When it is whole, before the client receives its
  // last bytes, so that whatever the observer records is recorded before the client can
  // believe the call complete; otherwise after the client connection was aborted.
  virtual boost::asio::awaitable<void> on_complete(Outcome outcome, std::string_view error) = 0;
};

}  // namespace tollgate::gateway
