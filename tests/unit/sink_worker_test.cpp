// SinkWorker against an in-test sink: delivery in order and exactly once through failures,
// re-offering the same batch, shaping, and stopping with and without grace.
#include "audit/sink_worker.h"

#include <gtest/gtest.h>

#include <mutex>
#include <thread>

#include "audit/sink.h"
#include "spool_test_support.h"

namespace tollgate::audit {
namespace {

using namespace std::chrono_literals;
using spool_test::append_all;
using spool_test::numbered;
using spool_test::read_all;
using spool_test::small_spool;
using spool_test::TempDir;

// Fails its first `failures` deliveries, then takes everything. Records what it was offered.
class FakeSink final : public Sink {
 public:
  struct Log {
    std::mutex mutex;
    std::vector<std::string> delivered;
    std::vector<std::vector<std::string>> attempts;
  };

  FakeSink(std::shared_ptr<Log> log, int failures, std::chrono::milliseconds latency = 0ms)
      : log_(std::move(log)), failures_(failures), latency_(latency) {}

  std::string deliver(const std::vector<std::string_view>& events) override {
    std::this_thread::sleep_for(latency_);
    std::lock_guard lock(log_->mutex);
    log_->attempts.emplace_back(events.begin(), events.end());
    if (failures_ != 0) {
      if (failures_ > 0) --failures_;
      return "destination unavailable";
    }
    log_->delivered.insert(log_->delivered.end(), events.begin(), events.end());
    return {};
  }

 private:
  std::shared_ptr<Log> log_;
  int failures_;  // negative: fail forever
  std::chrono::milliseconds latency_;
};

SinkWorkerOptions fast_retries() {
  SinkWorkerOptions options;
  options.name = "fake";
  options.batch_records = 16;
  options.retry_min = 1ms;
  options.retry_max = 8ms;
  return options;
}

// Polls `done` for up to five seconds.
template <class Predicate>
bool eventually(Predicate done) {
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(1ms);
  }
  return true;
}

TEST(SinkWorkerTest, DeliversEveryEventOnceInOrderThroughFailures) {
  TempDir dir;
  const auto events = numbered("event-", 100);
  auto log = std::make_shared<FakeSink::Log>();
  {
    auto spool = Spool::open(small_spool(dir.path()), {"fake"});
    append_all(*spool, events);
    SinkWorker worker(fast_retries(), spool->reader("fake"), std::make_unique<FakeSink>(log, 5),
                      nullptr);
    ASSERT_TRUE(eventually([&] {
      std::lock_guard lock(log->mutex);
      return log->delivered.size() >= events.size();
    }));
    worker.stop(1s);
    const auto stats = worker.stats();
    EXPECT_EQ(stats.delivered, events.size());
    EXPECT_EQ(stats.failures, 5u);
    EXPECT_EQ(stats.last_error, "destination unavailable");
  }
  EXPECT_EQ(log->delivered, events);
  // The failed attempts were offered the very batch that then succeeded.
  ASSERT_GE(log->attempts.size(), 6u);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(log->attempts[i], log->attempts[5]) << i;
  EXPECT_EQ(log->attempts[5].size(), 16u);

  // The cursor was committed: a restarted gateway delivers nothing again.
  auto spool = Spool::open(small_spool(dir.path()), {"fake"});
  EXPECT_TRUE(read_all(spool->reader("fake")).empty());
}

TEST(SinkWorkerTest, DeliversEventsAppendedWhileRunning) {
  TempDir dir;
  auto log = std::make_shared<FakeSink::Log>();
  auto spool = Spool::open(small_spool(dir.path()), {"fake"});
  SinkWorker worker(fast_retries(), spool->reader("fake"), std::make_unique<FakeSink>(log, 0),
                    nullptr);
  for (int round = 0; round < 5; ++round) {
    append_all(*spool, numbered("r" + std::to_string(round) + "-", 10));
    ASSERT_TRUE(eventually([&] {
      std::lock_guard lock(log->mutex);
      return log->delivered.size() == std::size_t(10 * (round + 1));
    }));
  }
  worker.stop(1s);
  EXPECT_EQ(spool->stats().pending_bytes, 0u);
}

TEST(SinkWorkerTest, ShaperOutputIsWhatTheSinkReceives) {
  TempDir dir;
  auto log = std::make_shared<FakeSink::Log>();
  auto spool = Spool::open(small_spool(dir.path()), {"fake"});
  append_all(*spool, {"a", "b"});
  SinkWorker worker(
      fast_retries(), spool->reader("fake"), std::make_unique<FakeSink>(log, 0),
      [](std::string_view event) {
        return std::vector<std::string>{std::string(event) + "/1", std::string(event) + "/2"};
      });
  worker.stop(5s);
  EXPECT_EQ(log->delivered, (std::vector<std::string>{"a/1", "a/2", "b/1", "b/2"}));
  EXPECT_EQ(worker.stats().delivered, 2u);
}

TEST(SinkWorkerTest, StopDrainsWhatTheSpoolHolds) {
  TempDir dir;
  auto log = std::make_shared<FakeSink::Log>();
  auto spool = Spool::open(small_spool(dir.path()), {"fake"});
  const auto events = numbered("e", 500);
  append_all(*spool, events);
  SinkWorker worker(fast_retries(), spool->reader("fake"), std::make_unique<FakeSink>(log, 3, 1ms),
                    nullptr);
  worker.stop(10s);
  EXPECT_EQ(log->delivered, events);
  EXPECT_EQ(worker.stats().delivered, events.size());
}

TEST(SinkWorkerTest, StopGivesUpOnAFailingSinkWhenGraceRunsOut) {
  TempDir dir;
  auto log = std::make_shared<FakeSink::Log>();
  auto spool = Spool::open(small_spool(dir.path()), {"fake"});
  append_all(*spool, {"never delivered"});
  auto options = fast_retries();
  options.retry_min = 50ms;
  options.retry_max = 10s;  // a long sleep that stop must cut short
  SinkWorker worker(options, spool->reader("fake"), std::make_unique<FakeSink>(log, -1), nullptr);
  ASSERT_TRUE(eventually([&] { return worker.stats().failures >= 3; }));
  const auto started = std::chrono::steady_clock::now();
  worker.stop(100ms);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 2s);
  EXPECT_EQ(worker.stats().delivered, 0u);
  EXPECT_TRUE(log->delivered.empty());
  // The event stays in the spool for the next run.
  spool.reset();
  spool = Spool::open(small_spool(dir.path()), {"fake"});
  EXPECT_EQ(read_all(spool->reader("fake")), std::vector<std::string>{"never delivered"});
}

TEST(SinkWorkerTest, DestructorStopsAnIdleWorkerPromptly) {
  TempDir dir;
  auto log = std::make_shared<FakeSink::Log>();
  auto spool = Spool::open(small_spool(dir.path()), {"fake"});
  const auto started = std::chrono::steady_clock::now();
  {
    SinkWorker worker(fast_retries(), spool->reader("fake"), std::make_unique<FakeSink>(log, 0),
                      nullptr);
    std::this_thread::sleep_for(20ms);
  }
  EXPECT_LT(std::chrono::steady_clock::now() - started, 1s);
}

}  // namespace
}  // namespace tollgate::audit
