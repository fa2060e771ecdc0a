// One backend and deployment as the balancer sees it: its circuit breaker and cool-downs, its
// active health check result, the calls in flight on it and counters for /admin/backends.
//
// Thread safety: shared by every event loop, so that a 429 learned on one loop keeps the
// others away too. Every method may be called from any thread. The state sits behind a plain
// mutex: it is taken a few times per attempt (not per byte), which costs far less than the
// attempt itself and keeps the breaker and the counters consistent with each other.
#pragma once

#include <atomic>
#include <boost/json/object.hpp>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>

#include "balance/circuit_breaker.h"
#include "balance/retry_policy.h"
#include "core/config.h"

namespace tollgate::balance {

class Target {
 public:
  using Clock = std::chrono::steady_clock;

  // `backend` must outlive the Target. `deployment` is empty for model-less calls.
  Target(const BackendConfig& backend, std::string deployment, const BreakerConfig& breaker);
  Target(const Target&) = delete;
  Target& operator=(const Target&) = delete;

  const BackendConfig& backend() const { return backend_; }
  const std::string& deployment() const { return deployment_; }

  // Why a target cannot take a call now, and for how long at least.
  struct Availability {
    bool available = false;
    bool cooling = false;    // only a Retry-After keeps it away
    Clock::duration wait{};  // until it may take a call again (a guess while it is down)
  };
  Availability availability(Clock::time_point now) const;
  // Claims a call on it: see CircuitBreaker::admit. A target whose health check fails is
  // refused.
  CircuitBreaker::Admission admit(Clock::time_point now);

  // The verdict on an admitted attempt; `probe` as admit() said. Logs breaker changes.
  void report(const Verdict& verdict, bool probe, std::string_view error, Clock::time_point now);
  // The answer broke after it began reaching the client.
  void report_broken(std::string_view error, Clock::time_point now);
  void abandon_probe();
  // The active health check's result.
  void set_healthy(bool healthy, std::string_view error);

  // Calls in flight here (least-outstanding balancing reads it without the lock).
  std::atomic<int> outstanding{0};

  // {"backend","deployment","state","available","cooldown_remaining_ms","open_remaining_ms",
  //  "healthy","outstanding","attempts","failures","cooldowns","trips","probes","reason",
  //  "last_error"}
  boost::json::object snapshot(Clock::time_point now) const;

 private:
  void log_change(CircuitBreaker::Change change, const std::string& reason,
                  Clock::duration wait) const;

  const BackendConfig& backend_;
  const std::string deployment_;

  mutable std::mutex mutex_;
  CircuitBreaker breaker_;  // guarded by mutex_
  bool healthy_ = true;     // guarded by mutex_
  std::uint64_t attempts_ = 0, failures_ = 0, cooldowns_ = 0, trips_ = 0,
                probes_ = 0;  // guarded by mutex_
  std::string last_error_;    // guarded by mutex_
};

// An attempt's claim on a target: counts the call as outstanding while it lives, remembers
// whether it is the half-open probe, and gives an unjudged probe back when it ends.
//
// Move-only; used on one event loop.
class Lease {
 public:
  Lease() = default;
  Lease(Target& target, bool probe);
  Lease(Lease&& other) noexcept;
  Lease& operator=(Lease&& other) noexcept;
  ~Lease();

  explicit operator bool() const { return target_ != nullptr; }
  Target& target() const { return *target_; }

  // The attempt's verdict, once. `error` says what went wrong, for /admin/backends.
  void report(const Verdict& verdict, std::string_view error = {});
  // The answer that was judged broke later, mid-body.
  void report_broken(std::string_view error);

 private:
  void release();

  Target* target_ = nullptr;
  bool probe_ = false;
  bool reported_ = false;
};

}  // namespace tollgate::balance
