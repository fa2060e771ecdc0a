// The spool's contract seen from its callers: appends, readers, cursors, deletion, the full
// policies, the fsync policy and concurrency.
#include "audit/spool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <map>
#include <set>
#include <thread>

#include "spool_test_support.h"

namespace tollgate::audit {
namespace {

using namespace std::chrono_literals;
using spool_test::append;
using spool_test::append_all;
using spool_test::numbered;
using spool_test::read_all;
using spool_test::segment_files;
using spool_test::small_spool;
using spool_test::TempDir;

std::uint64_t record_bytes(const std::string& payload) { return 8 + payload.size(); }

// "e00", "e01", ...: 11-byte records, so that segment_bytes = 44 holds exactly four.
std::vector<std::string> fixed_size(int count) {
  std::vector<std::string> payloads;
  for (int i = 0; i < count; ++i) payloads.push_back((i < 10 ? "e0" : "e") + std::to_string(i));
  return payloads;
}

TEST(SpoolTest, RecordsRoundTripAcrossSegmentRollover) {
  TempDir dir;
  auto options = small_spool(dir.path());
  options.segment_bytes = 200;
  auto spool = Spool::open(options, {"a"});
  std::vector<std::string> payloads;
  for (int i = 0; i < 60; ++i)
    payloads.push_back(std::string(static_cast<std::size_t>(i % 90), 'a' + i % 26));
  payloads.push_back(std::string(500, 'z'));  // larger than a segment: alone in its own
  payloads.push_back("after the big one");
  append_all(*spool, payloads);

  std::vector<SpoolRecord> records;
  for (;;) {
    auto batch = spool->reader("a").next_batch(7, 1 << 20, 0ms);
    if (batch.empty()) break;
    for (auto& record : batch) records.push_back(std::move(record));
  }
  ASSERT_EQ(records.size(), payloads.size());
  for (std::size_t i = 0; i < records.size(); ++i) {
    EXPECT_EQ(records[i].payload, payloads[i]) << i;
    if (i > 0) {
      EXPECT_LT(records[i - 1].end, records[i].end) << i;
    }
  }
  EXPECT_GT(segment_files(dir.path()).size(), 10u);
  EXPECT_EQ(spool->stats().appended, payloads.size());
}

TEST(SpoolTest, CoroutinesAwaitAppendsAsTuples) {
  TempDir dir;
  auto spool = Spool::open(small_spool(dir.path()), {"a"});
  boost::asio::io_context io;
  std::vector<boost::system::error_code> results;
  boost::asio::co_spawn(
      io,
      [&]() -> boost::asio::awaitable<void> {
        for (int i = 0; i < 10; ++i) {
          auto [ec] = co_await spool->async_append(
              "event " + std::to_string(i), boost::asio::as_tuple(boost::asio::use_awaitable));
          results.push_back(ec);
        }
      },
      boost::asio::detached);
  io.run();
  ASSERT_EQ(results.size(), 10u);
  for (const auto& ec : results) EXPECT_FALSE(ec) << ec.message();
  EXPECT_EQ(read_all(spool->reader("a")), numbered("event ", 10));
}

TEST(SpoolTest, CompletionsRunOnTheCallersExecutorNeverInline) {
  TempDir dir;
  auto spool = Spool::open(small_spool(dir.path()), {"a"});
  for (bool closed : {false, true}) {
    if (closed) spool->close();
    boost::asio::io_context io;
    bool returned = false;
    bool ran_after_return = false;
    std::thread::id ran_on;
    boost::system::error_code result;
    spool->async_append("x", boost::asio::bind_executor(io, [&](boost::system::error_code ec) {
                          ran_after_return = returned;
                          ran_on = std::this_thread::get_id();
                          result = ec;
                        }));
    returned = true;
    io.run();
    EXPECT_TRUE(ran_after_return) << closed;
    EXPECT_EQ(ran_on, std::this_thread::get_id());
    EXPECT_EQ(result, closed ? make_error_code(SpoolError::closed) : boost::system::error_code{});
  }
}

TEST(SpoolTest, CursorsPersistAcrossCloseAndOpen) {
  TempDir dir;
  {
    auto spool = Spool::open(small_spool(dir.path()), {"a", "b"});
    append_all(*spool, numbered("e", 10));
    auto batch = spool->reader("a").next_batch(4, 1 << 20, 0ms);
    ASSERT_EQ(batch.size(), 4u);
    spool->reader("a").commit(batch.back().end);
    EXPECT_EQ(read_all(spool->reader("b")).size(), 10u);
  }
  auto spool = Spool::open(small_spool(dir.path()), {"a", "b"});
  auto expected = numbered("e", 10);
  expected.erase(expected.begin(), expected.begin() + 4);
  EXPECT_EQ(read_all(spool->reader("a")), expected);
  EXPECT_TRUE(read_all(spool->reader("b")).empty());
  append_all(*spool, {"later"});
  EXPECT_EQ(read_all(spool->reader("a")), std::vector<std::string>{"later"});
  EXPECT_EQ(read_all(spool->reader("b")), std::vector<std::string>{"later"});
}

TEST(SpoolTest, RecordsReadButNotCommittedAreReadAgainAfterReopen) {
  TempDir dir;
  {
    auto spool = Spool::open(small_spool(dir.path()), {"a"});
    append_all(*spool, numbered("e", 5));
    EXPECT_EQ(read_all(spool->reader("a"), /*commit=*/false).size(), 5u);
    // Within one run the reader moves on even without a commit.
    EXPECT_TRUE(read_all(spool->reader("a"), false).empty());
  }
  auto spool = Spool::open(small_spool(dir.path()), {"a"});
  EXPECT_EQ(read_all(spool->reader("a")), numbered("e", 5));
}

TEST(SpoolTest, NewSinkStartsAtTheOldestRecord) {
  TempDir dir;
  auto options = small_spool(dir.path());
  options.segment_bytes = 44;
  auto payloads = fixed_size(20);
  {
    auto spool = Spool::open(options, {"a"});
    append_all(*spool, payloads);
    // Commit through the middle of the third segment: the first two go.
    auto batch = spool->reader("a").next_batch(10, 1 << 20, 0ms);
    ASSERT_EQ(batch.size(), 10u);
    spool->reader("a").commit(batch.back().end);
  }
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "00000000000000000001.seg"));
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "00000000000000000002.seg"));
  auto spool = Spool::open(options, {"a", "b"});
  EXPECT_EQ(read_all(spool->reader("b")),
            std::vector<std::string>(payloads.begin() + 8, payloads.end()));
  EXPECT_EQ(read_all(spool->reader("a")),
            std::vector<std::string>(payloads.begin() + 10, payloads.end()));
}

TEST(SpoolTest, SegmentsAreDeletedOnceEverySinkHasPassedThem) {
  TempDir dir;
  auto options = small_spool(dir.path());
  options.segment_bytes = 44;
  auto spool = Spool::open(options, {"a", "b"});
  append_all(*spool, fixed_size(20));
  const std::size_t segments = segment_files(dir.path()).size();
  ASSERT_EQ(segments, 5u);

  read_all(spool->reader("a"));
  EXPECT_EQ(segment_files(dir.path()).size(), segments) << "b still needs them";

  auto batch = spool->reader("b").next_batch(6, 1 << 20, 0ms);
  spool->reader("b").commit(batch.back().end);
  EXPECT_EQ(segment_files(dir.path()).size(), segments - 1) << "only the first is behind b";

  read_all(spool->reader("b"));
  EXPECT_EQ(segment_files(dir.path()).size(), 1u) << "the active segment always stays";
  EXPECT_EQ(spool->stats().pending_bytes, 0u);

  append_all(*spool, {"still works"});
  EXPECT_EQ(read_all(spool->reader("a")), std::vector<std::string>{"still works"});
}

TEST(SpoolTest, PendingBytesCountFromTheOldestCursor) {
  TempDir dir;
  auto spool = Spool::open(small_spool(dir.path()), {"a", "b"});
  const auto payloads = numbered("event-", 10);
  append_all(*spool, payloads);
  std::uint64_t total = 0;
  for (const auto& payload : payloads) total += record_bytes(payload);
  EXPECT_EQ(spool->stats().pending_bytes, total);
  read_all(spool->reader("a"));
  EXPECT_EQ(spool->stats().pending_bytes, total) << "b has delivered nothing";
  auto batch = spool->reader("b").next_batch(3, 1 << 20, 0ms);
  spool->reader("b").commit(batch.back().end);
  EXPECT_EQ(spool->stats().pending_bytes, total - 3 * record_bytes(payloads[0]));
}

TEST(SpoolTest, RejectPolicyRefusesWhenFullAndRecoversAfterACommit) {
  TempDir dir;
  auto options = small_spool(dir.path());
  options.max_bytes = 5 * record_bytes("e0");
  options.when_full = SpoolOptions::WhenFull::reject;
  auto spool = Spool::open(options, {"a"});
  append_all(*spool, numbered("e", 5));
  EXPECT_EQ(append(*spool, "e5"), make_error_code(SpoolError::full));
  EXPECT_EQ(append(*spool, "e6"), make_error_code(SpoolError::full));
  EXPECT_EQ(spool->stats().dropped, 2u);
  EXPECT_EQ(spool->stats().pending_bytes, options.max_bytes);

  auto batch = spool->reader("a").next_batch(2, 1 << 20, 0ms);
  spool->reader("a").commit(batch.back().end);
  append_all(*spool, {"f0", "f1"});
  EXPECT_EQ(append(*spool, "f2"), make_error_code(SpoolError::full));
  EXPECT_EQ(read_all(spool->reader("a")), (std::vector<std::string>{"e2", "e3", "e4", "f0", "f1"}));
  EXPECT_EQ(append(*spool, "f3"), boost::system::error_code{});
}

TEST(SpoolTest, EventsThatCompleteAdmittedCallsAreKeptWhenFull) {
  TempDir dir;
  auto options = small_spool(dir.path());
  options.max_bytes = 2 * record_bytes("e0");
  auto spool = Spool::open(options, {"a"});
  append_all(*spool, numbered("e", 2));
  EXPECT_EQ(append(*spool, "e2"), make_error_code(SpoolError::full));
  EXPECT_EQ(append(*spool, "e3", Spool::Admission::must_keep), boost::system::error_code{});
  EXPECT_EQ(read_all(spool->reader("a")), (std::vector<std::string>{"e0", "e1", "e3"}));
}

TEST(SpoolTest, DropPolicyCountsWhatItDrops) {
  TempDir dir;
  auto options = small_spool(dir.path());
  options.max_bytes = 3 * record_bytes("e0");
  options.when_full = SpoolOptions::WhenFull::drop;
  auto spool = Spool::open(options, {"a"});
  for (int i = 0; i < 10; ++i) {
    auto result = append(*spool, "e" + std::to_string(i));
    ASSERT_TRUE(result.has_value());
    EXPECT_EQ(*result, i < 3 ? boost::system::error_code{} : make_error_code(SpoolError::dropped));
  }
  EXPECT_EQ(spool->stats().dropped, 7u);
  EXPECT_EQ(spool->stats().appended, 3u);
  EXPECT_EQ(read_all(spool->reader("a")), numbered("e", 3));
}

TEST(SpoolTest, FsyncEveryGroupWorks) {
  TempDir dir;
  auto options = small_spool(dir.path());
  options.fsync_interval = 0ms;
  {
    auto spool = Spool::open(options, {"a"});
    boost::asio::io_context io;
    int succeeded = 0;
    for (int c = 0; c < 4; ++c) {
      boost::asio::co_spawn(
          io,
          [&, c]() -> boost::asio::awaitable<void> {
            for (int i = 0; i < 25; ++i) {
              auto [ec] =
                  co_await spool->async_append(std::to_string(c) + "-" + std::to_string(i),
                                               boost::asio::as_tuple(boost::asio::use_awaitable));
              if (!ec) ++succeeded;
            }
          },
          boost::asio::detached);
    }
    io.run();
    EXPECT_EQ(succeeded, 100);
  }
  auto spool = Spool::open(options, {"a"});
  EXPECT_EQ(read_all(spool->reader("a")).size(), 100u);
}

TEST(SpoolTest, ConcurrentAppendsFromManyThreadsLandExactlyOnce) {
  TempDir dir;
  auto options = small_spool(dir.path());
  options.segment_bytes = 16 << 10;
  options.fsync_interval = 20ms;
  auto spool = Spool::open(options, {"a"});
  constexpr int kThreads = 4;
  constexpr int kCoroutines = 8;
  constexpr int kAppends = 200;

  // A reader runs alongside the writers: it must never see a record twice, torn, or early.
  std::vector<std::string> seen;
  std::atomic<bool> appending{true};
  std::thread reader([&] {
    for (;;) {
      const bool last_round = !appending.load();
      auto batch = spool->reader("a").next_batch(100, 1 << 20, 10ms);
      for (auto& record : batch) seen.push_back(std::move(record.payload));
      if (!batch.empty()) spool->reader("a").commit(batch.back().end);
      if (last_round && batch.empty()) return;
    }
  });

  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      boost::asio::io_context io(1);
      for (int c = 0; c < kCoroutines; ++c) {
        boost::asio::co_spawn(
            io,
            [&, t, c]() -> boost::asio::awaitable<void> {
              for (int i = 0; i < kAppends; ++i) {
                auto [ec] = co_await spool->async_append(
                    std::to_string(t) + "/" + std::to_string(c) + "/" + std::to_string(i) +
                        std::string(static_cast<std::size_t>(i % 50), '.'),
                    boost::asio::as_tuple(boost::asio::use_awaitable));
                if (ec) ++failures;
              }
            },
            boost::asio::detached);
      }
      io.run();
    });
  }
  for (auto& thread : threads) thread.join();
  appending = false;
  reader.join();

  EXPECT_EQ(failures.load(), 0);
  ASSERT_EQ(seen.size(), std::size_t{kThreads * kCoroutines * kAppends});
  // Each coroutine's appends are awaited one by one, so they must appear in order.
  std::map<std::string, int> next;
  for (const auto& payload : seen) {
    const auto stream = payload.substr(0, payload.find('/', payload.find('/') + 1));
    const int index = std::stoi(payload.substr(stream.size() + 1));
    EXPECT_EQ(index, next[stream]++) << payload;
  }
  EXPECT_EQ(next.size(), std::size_t{kThreads * kCoroutines});
  EXPECT_EQ(spool->stats().appended, seen.size());
  EXPECT_EQ(spool->stats().pending_bytes, 0u);
}

TEST(SpoolTest, ReaderWakesWhenARecordIsAppended) {
  TempDir dir;
  auto spool = Spool::open(small_spool(dir.path()), {"a"});
  auto started = std::chrono::steady_clock::now();
  EXPECT_TRUE(spool->reader("a").next_batch(10, 1024, 50ms).empty());
  EXPECT_GE(std::chrono::steady_clock::now() - started, 50ms);

  std::thread appender([&] {
    std::this_thread::sleep_for(50ms);
    append_all(*spool, {"wake up"});
  });
  started = std::chrono::steady_clock::now();
  auto batch = spool->reader("a").next_batch(10, 1024, 10s);
  const auto waited = std::chrono::steady_clock::now() - started;
  appender.join();
  ASSERT_EQ(batch.size(), 1u);
  EXPECT_EQ(batch[0].payload, "wake up");
  EXPECT_LT(waited, 5s);
}

TEST(SpoolTest, BatchesRespectTheirLimits) {
  TempDir dir;
  auto spool = Spool::open(small_spool(dir.path()), {"a"});
  append_all(*spool, {"0123456789", "0123456789", std::string(100, 'x'), "tail"});
  auto& reader = spool->reader("a");
  EXPECT_EQ(reader.next_batch(1, 1 << 20, 0ms).size(), 1u);
  // The second record fits in 15 bytes, the third would not.
  EXPECT_EQ(reader.next_batch(10, 15, 0ms).size(), 1u);
  // A record larger than max_bytes alone still goes out, alone.
  auto big = reader.next_batch(10, 15, 0ms);
  ASSERT_EQ(big.size(), 1u);
  EXPECT_EQ(big[0].payload.size(), 100u);
  EXPECT_EQ(reader.next_batch(10, 15, 0ms).at(0).payload, "tail");
}

TEST(SpoolTest, EmptyPayloadsAreRecordsToo) {
  TempDir dir;
  auto spool = Spool::open(small_spool(dir.path()), {"a"});
  append_all(*spool, {"", "x", ""});
  EXPECT_EQ(read_all(spool->reader("a")), (std::vector<std::string>{"", "x", ""}));
}

TEST(SpoolTest, SinkNamesAreChecked) {
  TempDir dir;
  EXPECT_THROW(Spool::open(small_spool(dir.path()), {"a/b"}), std::invalid_argument);
  EXPECT_THROW(Spool::open(small_spool(dir.path()), {"a", "a"}), std::invalid_argument);
  auto spool = Spool::open(small_spool(dir.path()), {"a"});
  EXPECT_THROW(spool->reader("b"), std::invalid_argument);
}

TEST(SpoolTest, AppendsFailWithClosedAfterClose) {
  TempDir dir;
  auto spool = Spool::open(small_spool(dir.path()), {"a"});
  append_all(*spool, {"before"});
  spool->close();
  EXPECT_EQ(append(*spool, "after"), make_error_code(SpoolError::closed));
  EXPECT_EQ(read_all(spool->reader("a")), std::vector<std::string>{"before"});
}

TEST(SpoolTest, WithoutSinksSealedSegmentsGoAway) {
  TempDir dir;
  auto options = small_spool(dir.path());
  options.segment_bytes = 64;
  auto spool = Spool::open(options, {});
  append_all(*spool, numbered("e", 20));
  EXPECT_EQ(segment_files(dir.path()).size(), 1u);
  EXPECT_EQ(spool->stats().pending_bytes, 0u);
}

}  // namespace
}  // namespace tollgate::audit
