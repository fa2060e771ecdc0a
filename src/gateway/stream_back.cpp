#include "gateway/stream_back.h"

#include <spdlog/spdlog.h>

#include <boost/beast/core/string.hpp>

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
                                    std::string_view backend_name) {
  auto& upstream = call.header();
  const bool events = is_event_stream(upstream);
  // A body of known length keeps it; an event stream or one of unknown length goes chunked.
  const bool keep_length = !events && upstream.count(bhttp::field::content_length) > 0;
  exchange.set_header("x-tollgate-backend", backend_name);
  // GCC 12 miscompiles `if (co_await ...)` in some coroutines; results are named first.
  auto start_failed = co_await exchange.start(client_header(upstream, keep_length));
  if (start_failed) {
    call.finish();
    co_return Outcome::client_aborted;
  }

  http::SseFramer framer;
  std::string batch;
  for (;;) {
    auto [read_ec, piece] = co_await call.read_body();
    if (read_ec) {
      spdlog::warn("backend={} answer broke after {} bytes: {}", backend_name,
                   exchange.bytes_sent(), read_ec.message());
      if (events) co_await exchange.write_body(broken_stream_event);
      exchange.abort();
      call.finish();
      co_return read_ec == beast::error::timeout ? Outcome::timeout : Outcome::upstream_error;
    }
    if (piece.empty()) break;
    std::string_view out = piece;
    if (events) {
      batch.clear();
      for (auto event : framer.feed(piece)) batch.append(event);
      out = batch;
    }
    auto write_failed = co_await exchange.write_body(out);
    if (write_failed) {
      // Closing the backend connection is what cancels its work.
      call.finish();
      exchange.abort();
      co_return Outcome::client_aborted;
    }
  }
  // A stream that ends without a final blank line still delivers its last bytes.
  if (events) co_await exchange.write_body(framer.pending());
  call.finish();
  auto finish_failed = co_await exchange.finish();
  if (finish_failed) co_return Outcome::client_aborted;
  co_return Outcome::ok;
}

}  // namespace tollgate::gateway
