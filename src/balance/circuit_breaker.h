// The circuit breaker of one backend and deployment, with its Retry-After cool-downs: whether
// it may take a call now.
//
//   closed ──(failures or failure ratio within the window)──► open for open_ms
//   closed ──(429/503 with Retry-After)──────────────────────► cooling for exactly that long
//   open / cooling ──(time is up)──► half-open: the next call is the probe, all others refused
//   half-open ──(probe answers)──► closed;  (probe fails) ──► open;  (probe 429s) ──► cooling
//
// Only the probe decides a half-open breaker; results of calls let through before it opened
// are ignored once it is not closed. A cool-down is not a failure: the backend said when to
// come back.
//
// Thread safety: none; Target serializes access. Time is passed in, so tests control it.
#pragma once

#include <array>
#include <chrono>
#include <string>

#include "balance/retry_policy.h"
#include "core/config.h"

namespace tollgate::balance {

class CircuitBreaker {
 public:
  using Clock = std::chrono::steady_clock;
  enum class State { closed, cooling, open, half_open };
  enum class Admission { refused, allowed, probe };
  // What record() changed, for the log.
  enum class Change { none, opened, cooling, closed };

  explicit CircuitBreaker(const BreakerConfig& config) : config_(config) {}

  // Whether admit() would let a call through now. Claims nothing.
  bool available(Clock::time_point now) const;
  // Lets a call through: every call while closed; once a cool-down or open period is over,
  // the first caller becomes the probe and the others are refused until it reports.
  Admission admit(Clock::time_point now);

  // The verdict on a call admit() let through; `probe` says whether it was the probe.
  Change record(const Verdict& verdict, bool probe, Clock::time_point now);
  // An answer that broke after it began: a failure of the call already recorded.
  Change record_broken(Clock::time_point now);
  // The probe ended without a verdict (the client left): the next caller probes instead.
  void abandon_probe() { probe_out_ = false; }

  // cooling and open last until their time is up; then half-open until a probe decides.
  State state(Clock::time_point now) const;
  // Time left before a probe may go (zero unless cooling or open).
  Clock::duration remaining(Clock::time_point now) const;
  // Why it last left the closed state, in words.
  const std::string& reason() const { return reason_; }

 private:
  // Calls and failures over the last `window`, in ten buckets so that memory stays constant
  // whatever the traffic.
  struct Bucket {
    Clock::rep slot = -1;  // which window/10 slice of time it counts
    unsigned calls = 0;
    unsigned failures = 0;
  };
  void count(Clock::time_point now, unsigned calls, unsigned failures);
  // Opens the breaker when the window's counts say so.
  Change trip_if_due(Clock::time_point now);
  Change open(Clock::time_point now, std::string reason);

  BreakerConfig config_;
  State state_ = State::closed;
  Clock::time_point until_{};  // end of a cool-down or open period
  bool probe_out_ = false;     // half-open: the probe is in flight
  std::string reason_;
  std::array<Bucket, 10> window_{};
};

std::string_view to_string(CircuitBreaker::State state);

}  // namespace tollgate::balance
