// Delivers one sink's events from the spool: reads a batch after the sink's cursor, shapes
// each event for the sink (format, size limit), hands the batch to the sink, and commits the
// cursor only once the sink has taken it. A failing sink is retried with backoff, forever:
// the spool holds the events meanwhile, so nothing is lost and order is kept.
//
// Threading: owns one thread, started by the constructor and joined by stop() or the
// destructor (which stops at once, without grace). `reader` must outlive the worker. stats()
// may be called from any thread; stop() from one thread at a time.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "audit/sink.h"
#include "audit/spool.h"

namespace tollgate::audit {

// Turns one spooled event into what the sink receives: one or more payloads (several when an
// oversized event is split into parts). An empty shaper passes events through unchanged. It
// must not throw; if it does, the batch is retried like a failed delivery.
using EventShaper = std::function<std::vector<std::string>(std::string_view event)>;

struct SinkWorkerOptions {
  std::string name;                 // the sink's name, for logs and its cursor
  std::size_t batch_records = 512;  // at most this many spool records per delivery
  std::size_t batch_bytes = 8 << 20;
  std::chrono::milliseconds retry_min{100};
  std::chrono::milliseconds retry_max{10'000};
};

struct SinkWorkerStats {
  std::uint64_t delivered = 0;  // spool records delivered
  std::uint64_t failures = 0;   // failed delivery attempts
  std::string last_error;
};

class SinkWorker {
 public:
  SinkWorker(SinkWorkerOptions options, Spool::Reader& reader, std::unique_ptr<Sink> sink,
             EventShaper shaper);
  ~SinkWorker();
  SinkWorker(const SinkWorker&) = delete;
  SinkWorker& operator=(const SinkWorker&) = delete;

  // Keeps delivering until the spool has nothing after the sink's position or `grace` has
  // passed, then stops the thread. A delivery in progress is finished, not interrupted.
  void stop(std::chrono::milliseconds grace);
  SinkWorkerStats stats() const;

 private:
  using Clock = std::chrono::steady_clock;

  void run();
  // Shapes `batch` into what the sink receives. False (with `error`) if the shaper threw.
  bool shape(const std::vector<SpoolRecord>& batch, std::vector<std::string>& shaped,
             std::string& error);
  std::string deliver(const std::vector<std::string>& shaped);
  // Sleeps for `delay`, or until the stop deadline if that comes first. False once the
  // worker must stop.
  bool back_off(std::chrono::milliseconds delay);
  bool stop_requested(Clock::time_point& deadline) const;

  const SinkWorkerOptions options_;
  Spool::Reader& reader_;
  const std::unique_ptr<Sink> sink_;
  const EventShaper shaper_;

  mutable std::mutex mutex_;
  std::condition_variable stop_signal_;
  bool stopping_ = false;            // GUARDED_BY(mutex_)
  Clock::time_point stop_deadline_;  // GUARDED_BY(mutex_)
  SinkWorkerStats stats_;            // GUARDED_BY(mutex_)

  std::thread thread_;  // last: it starts once everything above is initialized
};

}  // namespace tollgate::audit
