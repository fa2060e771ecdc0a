// Puts a simulated answer on the wire the way the request's faults say: after its delays,
// paced token by token, cut by a TCP reset, or never. It also keeps the stream counters.
//
// Lifetime: a Delivery lives in one Handler::serve call and references its Exchange, the
// request's Faults and the shared Stats, which must outlive it. Its coroutines take their
// arguments by value, so a caller's temporaries cannot dangle across a suspension.
//
// GCC 12 miscompiles `if (co_await ...)` in a coroutine that has declared no local variable
// before it (the frame is resumed at a wrong address), so results are always named first.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <string>

#include "core/api_error.h"
#include "http/exchange.h"
#include "sim/event_stream.h"
#include "sim/faults.h"
#include "sim/stats.h"

namespace tollgate::sim {

namespace net = boost::asio;

class Delivery {
 public:
  Delivery(http::Exchange& exchange, const Faults& faults, Stats& stats);
  Delivery(const Delivery&) = delete;
  Delivery& operator=(const Delivery&) = delete;

  // Sends a 200 JSON response after the delay plus `generation` (the time to produce it). With
  // reset_after set, resets the connection at that moment instead of answering.
  net::awaitable<void> json(std::string body, std::chrono::milliseconds generation);
  // Sends an error after the delay.
  net::awaitable<void> fail(ApiError failure);
  // Sends the header after the delay, the head and first content event after ttft, each next
  // content event after token_delay, and the closing events with the last content event.
  // Events due at the same moment go out in one write. With reset_after K, the connection is
  // reset after K content events (or all of them, when fewer), before the closing events.
  net::awaitable<void> stream(EventStream events);
  // Never answers; returns when the client closes the connection (see Exchange::wait_closed).
  net::awaitable<void> hang();
  // Resets the connection after the delay, before any byte of an answer.
  net::awaitable<void> drop();

 private:
  net::awaitable<void> pause(std::chrono::milliseconds duration);
  // Sets openai-processing-ms: the time from the request to its response header.
  void stamp_processing_time();
  // The offset in `events` at which the connection is reset, or its size when it is not.
  std::size_t reset_point(const EventStream& events) const;

  http::Exchange& exchange_;
  const Faults& faults_;
  Stats& stats_;
  std::chrono::steady_clock::time_point arrival_;
};

}  // namespace tollgate::sim
