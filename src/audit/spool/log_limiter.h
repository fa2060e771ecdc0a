// Lets a repeated log line through at most once per interval and counts the ones it held
// back, so that a full spool, a failing disk or a sink outage cannot flood the log.
//
// Threading: safe to call from any thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>

namespace tollgate::audit::spool {

class LogLimiter {
 public:
  explicit LogLimiter(std::chrono::steady_clock::duration interval = std::chrono::seconds(1))
      : interval_(interval) {}

  // True when a line may be logged now; `suppressed` is then the number of calls held back
  // since the previous line.
  bool allow(std::uint64_t& suppressed) {
    const auto now = std::chrono::steady_clock::now();
    std::lock_guard lock(mutex_);
    if (logged_once_ && now - last_ < interval_) {
      ++suppressed_;
      return false;
    }
    logged_once_ = true;
    last_ = now;
    suppressed = suppressed_;
    suppressed_ = 0;
    return true;
  }

 private:
  const std::chrono::steady_clock::duration interval_;
  std::mutex mutex_;
  bool logged_once_ = false;                    // GUARDED_BY(mutex_)
  std::chrono::steady_clock::time_point last_;  // GUARDED_BY(mutex_)
  std::uint64_t suppressed_ = 0;                // GUARDED_BY(mutex_)
};

}  // namespace tollgate::audit::spool
