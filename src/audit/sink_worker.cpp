#include "audit/sink_worker.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <exception>

#include "audit/spool/log_limiter.h"

namespace tollgate::audit {

namespace {
// How long an idle worker waits for new records before it looks for a stop request again.
constexpr std::chrono::milliseconds kIdlePoll{100};
}  // namespace

SinkWorker::SinkWorker(SinkWorkerOptions options, Spool::Reader& reader, std::unique_ptr<Sink> sink,
                       EventShaper shaper)
    : options_(std::move(options)),
      reader_(reader),
      sink_(std::move(sink)),
      shaper_(std::move(shaper)),
      thread_([this] { run(); }) {}

SinkWorker::~SinkWorker() { stop(std::chrono::milliseconds::zero()); }

void SinkWorker::stop(std::chrono::milliseconds grace) {
  {
    std::lock_guard lock(mutex_);
    if (!stopping_) {
      stopping_ = true;
      stop_deadline_ = Clock::now() + grace;
    }
  }
  stop_signal_.notify_all();
  if (thread_.joinable()) thread_.join();
}

SinkWorkerStats SinkWorker::stats() const {
  std::lock_guard lock(mutex_);
  return stats_;
}

void SinkWorker::run() {
  spool::LogLimiter failure_log;
  std::vector<SpoolRecord> batch;
  std::vector<std::string> shaped;
  bool shaped_ready = false;
  std::uint64_t failed_attempts = 0;  // in a row, for the current batch
  auto delay = options_.retry_min;
  for (;;) {
    if (batch.empty()) {
      Clock::time_point deadline;
      const bool stopping = stop_requested(deadline);
      if (stopping && Clock::now() >= deadline) return;
      // While stopping, an empty batch means the spool has nothing after the sink's position.
      batch = reader_.next_batch(options_.batch_records, options_.batch_bytes,
                                 stopping ? std::chrono::milliseconds::zero() : kIdlePoll);
      if (batch.empty()) {
        if (stopping) return;
        continue;
      }
      shaped_ready = false;
    }

    std::string error;
    if (!shaped_ready) shaped_ready = shape(batch, shaped, error);
    if (shaped_ready) error = deliver(shaped);
    if (error.empty()) {
      reader_.commit(batch.back().end);
      if (failed_attempts > 0) {
        spdlog::info("sink={} delivering again after {} failed attempts", options_.name,
                     failed_attempts);
      }
      {
        std::lock_guard lock(mutex_);
        stats_.delivered += batch.size();
      }
      batch.clear();
      failed_attempts = 0;
      delay = options_.retry_min;
      continue;
    }

    ++failed_attempts;
    {
      std::lock_guard lock(mutex_);
      ++stats_.failures;
      stats_.last_error = error;
    }
    std::uint64_t suppressed = 0;
    if (failure_log.allow(suppressed)) {
      // The sink's message only: event content never goes to the operational log.
      spdlog::warn(
          "sink={} delivery of {} events failed (attempt {}, {} failures not logged), "
          "retrying in {} ms: {}",
          options_.name, batch.size(), failed_attempts, suppressed, delay.count(), error);
    }
    // The same batch is offered again: the spool keeps order, and the cursor has not moved.
    if (!back_off(delay)) return;
    delay = std::min(delay * 2, options_.retry_max);
  }
}

bool SinkWorker::shape(const std::vector<SpoolRecord>& batch, std::vector<std::string>& shaped,
                       std::string& error) {
  shaped.clear();
  try {
    for (const auto& record : batch) {
      if (!shaper_) {
        shaped.push_back(record.payload);
        continue;
      }
      for (auto& part : shaper_(record.payload)) shaped.push_back(std::move(part));
    }
  } catch (const std::exception& e) {
    error = std::string("shaping an event failed: ") + e.what();
    return false;
  }
  return true;
}

std::string SinkWorker::deliver(const std::vector<std::string>& shaped) {
  if (shaped.empty()) return {};  // the shaper kept nothing of this batch
  const std::vector<std::string_view> events(shaped.begin(), shaped.end());
  // An exception must not end the worker thread (and with it the process).
  try {
    return sink_->deliver(events);
  } catch (const std::exception& e) {
    return std::string("the sink threw: ") + e.what();
  }
}

bool SinkWorker::back_off(std::chrono::milliseconds delay) {
  const auto until = Clock::now() + delay;
  std::unique_lock lock(mutex_);
  for (;;) {
    const auto now = Clock::now();
    if (stopping_ && now >= stop_deadline_) return false;
    if (now >= until) return true;
    stop_signal_.wait_until(lock, stopping_ ? std::min(until, stop_deadline_) : until);
  }
}

bool SinkWorker::stop_requested(Clock::time_point& deadline) const {
  std::lock_guard lock(mutex_);
  deadline = stop_deadline_;
  return stopping_;
}

}  // namespace tollgate::audit
