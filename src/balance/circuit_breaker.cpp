#include "balance/circuit_breaker.h"

#include <fmt/format.h>

namespace tollgate::balance {

bool CircuitBreaker::available(Clock::time_point now) const {
  switch (state(now)) {
    case State::closed:
      return true;
    case State::half_open:
      return !probe_out_;
    default:
      return false;
  }
}

CircuitBreaker::Admission CircuitBreaker::admit(Clock::time_point now) {
  if (!available(now)) return Admission::refused;
  if (state_ == State::closed) return Admission::allowed;
  state_ = State::half_open;
  probe_out_ = true;
  return Admission::probe;
}

CircuitBreaker::Change CircuitBreaker::record(const Verdict& verdict, bool probe,
                                              Clock::time_point now) {
  const bool decides = state_ == State::closed || (probe && state_ == State::half_open);
  if (verdict.cooldown) {
    // A straggler's Retry-After may lengthen a cool-down, never cut it short or end an open
    // period early.
    bool cooling = state_ == State::cooling && now < until_;
    if (!decides && !cooling) return Change::none;
    auto until = now + *verdict.cooldown;
    if (cooling && until <= until_) return Change::none;
    state_ = State::cooling;
    until_ = until;
    probe_out_ = false;
    reason_ = fmt::format("the backend asked to retry after {} ms", verdict.cooldown->count());
    return Change::cooling;
  }
  if (!decides) return Change::none;
  if (probe) {
    probe_out_ = false;
    if (verdict.failure) return open(now, "the probe failed");
    state_ = State::closed;
    window_ = {};
    return Change::closed;
  }
  count(now, 1, verdict.failure ? 1 : 0);
  return verdict.failure ? trip_if_due(now) : Change::none;
}

CircuitBreaker::Change CircuitBreaker::record_broken(Clock::time_point now) {
  if (state_ != State::closed) return Change::none;
  count(now, 0, 1);
  return trip_if_due(now);
}

void CircuitBreaker::count(Clock::time_point now, unsigned calls, unsigned failures) {
  auto width = std::max<Clock::rep>(1, Clock::duration(config_.window).count() / 10);
  auto slot = now.time_since_epoch().count() / width;
  auto& bucket = window_[static_cast<std::size_t>(slot) % window_.size()];
  if (bucket.slot != slot) bucket = {slot, 0, 0};
  bucket.calls += calls;
  bucket.failures += failures;
}

CircuitBreaker::Change CircuitBreaker::trip_if_due(Clock::time_point now) {
  auto width = std::max<Clock::rep>(1, Clock::duration(config_.window).count() / 10);
  auto current = now.time_since_epoch().count() / width;
  unsigned calls = 0, failures = 0;
  for (const auto& bucket : window_) {
    if (bucket.slot < 0 || current - bucket.slot >= static_cast<Clock::rep>(window_.size()))
      continue;
    calls += bucket.calls;
    failures += bucket.failures;
  }
  if (config_.failures > 0 && failures >= config_.failures)
    return open(now, fmt::format("{} failures within {} ms", failures, config_.window.count()));
  if (config_.ratio > 0 && calls >= config_.min_calls && calls > 0 &&
      static_cast<double>(failures) >= config_.ratio * calls)
    return open(now, fmt::format("{} of {} calls failed within {} ms", failures, calls,
                                 config_.window.count()));
  return Change::none;
}

CircuitBreaker::Change CircuitBreaker::open(Clock::time_point now, std::string reason) {
  state_ = State::open;
  until_ = now + config_.open;
  probe_out_ = false;
  reason_ = std::move(reason);
  window_ = {};
  return Change::opened;
}

CircuitBreaker::State CircuitBreaker::state(Clock::time_point now) const {
  if ((state_ == State::cooling || state_ == State::open) && now >= until_) return State::half_open;
  return state_;
}

CircuitBreaker::Clock::duration CircuitBreaker::remaining(Clock::time_point now) const {
  if (state_ != State::cooling && state_ != State::open) return {};
  return std::max(Clock::duration::zero(), until_ - now);
}

std::string_view to_string(CircuitBreaker::State state) {
  switch (state) {
    case CircuitBreaker::State::closed:
      return "closed";
    case CircuitBreaker::State::cooling:
      return "cooling";
    case CircuitBreaker::State::open:
      return "open";
    case CircuitBreaker::State::half_open:
      return "half_open";
  }
  return "unknown";
}

}  // namespace tollgate::balance
