#include "sim/delivery.h"

#include <algorithm>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>

#include "http/use_result.h"

namespace tollgate::sim {

Delivery::Delivery(http::Exchange& exchange, const Faults& faults, Stats& stats)
    : exchange_(exchange),
      faults_(faults),
      stats_(stats),
      arrival_(std::chrono::steady_clock::now()) {}

net::awaitable<void> Delivery::pause(std::chrono::milliseconds duration) {
  if (duration <= std::chrono::milliseconds::zero()) co_return;
  net::steady_timer timer(co_await net::this_coro::executor, duration);
  co_await timer.async_wait(use_result);
}

void Delivery::stamp_processing_time() {
  auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - arrival_);
  exchange_.set_header("openai-processing-ms", std::to_string(elapsed.count()));
}

net::awaitable<void> Delivery::json(std::string body, std::chrono::milliseconds generation) {
  co_await pause(faults_.delay + generation);
  if (faults_.reset_after) {
    exchange_.reset();
    co_return;
  }
  http::Response response{http::bhttp::status::ok, exchange_.request().version()};
  response.set(http::bhttp::field::content_type, "application/json");
  response.body() = std::move(body);
  stamp_processing_time();
  auto failed = co_await exchange_.send(std::move(response));
  if (failed) exchange_.abort();
}

net::awaitable<void> Delivery::fail(ApiError failure) {
  co_await pause(faults_.delay);
  stamp_processing_time();
  auto failed = co_await exchange_.send_error(failure);
  if (failed) exchange_.abort();
}

std::size_t Delivery::reset_point(const EventStream& events) const {
  if (!faults_.reset_after) return events.data.size();
  std::size_t chunks = std::min<std::size_t>(*faults_.reset_after, events.content_ends.size());
  return chunks == 0 ? events.head_end : events.content_ends[chunks - 1];
}

net::awaitable<void> Delivery::stream(EventStream events) {
  co_await pause(faults_.delay);
  http::ResponseHeader header{http::bhttp::status::ok, exchange_.request().version()};
  header.set(http::bhttp::field::content_type, "text/event-stream; charset=utf-8");
  header.set(http::bhttp::field::cache_control, "no-cache");
  stamp_processing_time();
  auto failed = co_await exchange_.start(std::move(header));
  if (failed) {
    exchange_.abort();
    co_return;
  }
  stats_.stream_started();
  co_await pause(faults_.ttft);

  // Writes go out at each pause: [0, end of content 0), then one content event at a time, the
  // last one with the closing events. Without a token delay there is no pause to cut at.
  const std::string_view data = events.data;
  const std::size_t cut = reset_point(events);
  const std::size_t contents = events.content_ends.size();
  std::size_t sent = 0;
  for (std::size_t k = 0;; ++k) {
    bool last = k + 1 >= contents;
    if (!last && faults_.token_delay == std::chrono::milliseconds::zero()) continue;
    std::size_t end = std::min(last ? data.size() : events.content_ends[k], cut);
    failed = co_await exchange_.write_body(data.substr(sent, end - sent));
    if (failed) {
      // The client closed the connection mid-stream.
      stats_.stream_aborted();
      exchange_.abort();
      co_return;
    }
    sent = end;
    if (sent == cut && faults_.reset_after) {
      exchange_.reset();
      co_return;
    }
    if (last) break;
    co_await pause(faults_.token_delay);
  }
  failed = co_await exchange_.finish();
  if (failed) {
    stats_.stream_aborted();
    exchange_.abort();
    co_return;
  }
  stats_.stream_completed();
}

net::awaitable<void> Delivery::hang() {
  co_await exchange_.wait_closed();
  exchange_.abort();
}

net::awaitable<void> Delivery::drop() {
  co_await pause(faults_.delay);
  exchange_.reset();
}

}  // namespace tollgate::sim
