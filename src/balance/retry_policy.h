// Retry policy: what one attempt's result means for the call (try another backend?) and for
// the backend that produced it (a failure for its breaker? a cool-down?).
//
// Thread safety: immutable after construction; shared by every event loop.
#pragma once

#include <boost/beast/http/fields.hpp>
#include <chrono>
#include <optional>
#include <vector>

#include "core/config.h"

namespace tollgate::balance {

struct Verdict {
  bool retry = false;    // another backend may take the call (nothing reached the client)
  bool failure = false;  // counts against the backend's circuit breaker
  std::optional<std::chrono::milliseconds> cooldown;  // out of rotation for exactly this long
};

class RetryPolicy {
 public:
  explicit RetryPolicy(const RoutingConfig& routing)
      : retry_on_(routing.retry_on), max_cooldown_(routing.max_cooldown) {}

  // No HTTP answer arrived: connect or TLS failure, reset, or a timeout before the header.
  // Always retried, and a failure of the backend.
  static Verdict no_answer() { return {true, true, std::nullopt}; }

  // The backend answered with `status` and `headers`. A status in retry_on is retried. A 429
  // or 503 carrying a Retry-After cools the backend down for that long (capped by
  // max_cooldown_ms; a cap of 0 turns cool-downs off) and is not held against its breaker,
  // since it said when to come back; any other 429 or 5xx is a failure.
  Verdict answered(int status, const boost::beast::http::fields& headers,
                   std::chrono::system_clock::time_point now) const;

 private:
  std::vector<int> retry_on_;
  std::chrono::milliseconds max_cooldown_;
};

}  // namespace tollgate::balance
