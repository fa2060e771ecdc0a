#include "gateway/stream_back.h"

#include <spdlog/spdlog.h>

#include <boost/beast/core/string.hpp>
#include <string>

#include "http/hop_by_hop.h"
#include "http/sse.h"

namespace tollgate::gateway {

namespace {

bool is_event_stream(const bhttp::response_header<>& header) {
  auto type = header[bhttp::field::content_type];
  return beast::iequals(type.substr(0, 17), "text/event-stream");
}

// The SSE event that tells the client the stream broke; the SDKs raise on an "error" member.
constexpr std::string_view broken_stream_event =
    "data: {\"error\":{\"message\":\"The upstream stream broke before it was complete; the "
    "answer is truncated.\",\"type\":\"server_error\",\"param\":null,\"code\":"
    "\"upstream_stream_broken\"}}\n\n";

http::ResponseHeader client_header(bhttp::response_header<>& upstream, bool keep_length) {
  http::ResponseHeader header{upstream.result(), 11};
  for (const auto& field : upstream) header.insert(field.name_string(), field.value());
  http::remove_hop_by_hop(header.base());
  if (!keep_length) header.erase(bhttp::field::content_length);
  return header;
}

}  // namespace

net::awaitable<Outcome> stream_back(http::Exchange& exchange, UpstreamCall& call,
                                    AnswerObserver& observer) {
  auto& upstream = call.header();
  observer.on_header(upstream);
  const bool events = is_event_stream(upstream);
  // A body of known length keeps it; an event stream or one of unknown length goes chunked.
  const bool keep_length = !events && upstream.count(bhttp::field::content_length) > 0;

  // Ends a call that went wrong: the client connection is aborted unless nothing was sent.
  auto fail = [&](Outcome outcome, std::string error) -> net::awaitable<Outcome> {
    call.finish();
    exchange.abort();
    co_await observer.on_complete(outcome, error);
    co_return outcome;
  };

  // GCC 12 miscompiles `if (co_await ...)` in some coroutines; results are named first.
  auto start_failed = co_await exchange.start(client_header(upstream, keep_length));
  if (start_failed) co_return co_await fail(Outcome::client_aborted, "the client went away");

  http::SseFramer framer;
  std::string batch;
  for (;;) {
    auto [read_ec, piece] = co_await call.read_body();
    if (read_ec) {
      spdlog::warn("answer broke after {} bytes: {}", exchange.bytes_sent(), read_ec.message());
      if (events) co_await exchange.write_body(broken_stream_event);
      co_return co_await fail(
          read_ec == beast::error::timeout ? Outcome::timeout : Outcome::upstream_error,
          "the backend's answer broke: " + read_ec.message());
    }
    if (piece.empty()) break;
    std::string_view out = piece;
    if (events) {
      batch.clear();
      for (auto event : framer.feed(piece)) batch.append(observer.on_event(event));
      out = batch;
    } else {
      observer.on_body(piece);
      // The last piece of a body waits until the observer has recorded the answer.
      if (call.done()) {
        co_await observer.on_complete(Outcome::ok, {});
        auto failed = co_await exchange.write_body(out);
        call.finish();
        auto finish_failed = co_await exchange.finish();
        co_return failed || finish_failed ? Outcome::client_aborted : Outcome::ok;
      }
    }
    auto write_failed = co_await exchange.write_body(out);
    // Closing the backend connection (in fail) is what cancels its work.
    if (write_failed) co_return co_await fail(Outcome::client_aborted, "the client went away");
  }
  // A stream that ends without a final blank line still delivers its last bytes.
  if (events && !framer.pending().empty()) {
    std::string rest(observer.on_event(framer.pending()));
    co_await exchange.write_body(rest);
  }
  call.finish();
  co_await observer.on_complete(Outcome::ok, {});
  auto finish_failed = co_await exchange.finish();
  co_return finish_failed ? Outcome::client_aborted : Outcome::ok;
}

}  // namespace tollgate::gateway
