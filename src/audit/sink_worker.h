// Delivers one sink's events from the spool: reads a batch after the sink's cursor, shapes
// each event for the sink (format, size limit), hands the batch to the sink, and commits the
// cursor only once the sink has taken it. A failing sink is retried with backoff, forever:
// the spool holds the events meanwhile, so nothing is lost and order is kept.
//
// Threading: owns one thread, started by the constructor and joined by stop() or the
// destructor. `reader` must outlive the worker.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "audit/sink.h"
#include "audit/spool.h"

namespace tollgate::audit {

// Turns one spooled event into what the sink receives: one or more payloads (several when an
// oversized event is split into parts).
using EventShaper = std::function<std::vector<std::string>(std::string_view event)>;

struct SinkWorkerOptions {
  std::string name;                  // the sink's name, for logs and its cursor
  std::size_t batch_records = 512;   // at most this many spool records per delivery
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

  // Delivers what the spool holds now (waiting up to `grace`), then stops the thread.
  void stop(std::chrono::milliseconds grace);
  SinkWorkerStats stats() const;

 private:
  void run();
  // ... implementation detail members
};

}  // namespace tollgate::audit
