// What the spool does with damaged files: a torn tail cut at every offset, a byte flipped at
// every position, zeros where records should be, and damaged or impossible cursors.
#include <gtest/gtest.h>

#include "audit/spool.h"
#include "audit/spool/cursor_file.h"
#include "audit/spool/format.h"
#include "spool_test_support.h"

namespace tollgate::audit {
namespace {

using namespace std::chrono_literals;
using spool_test::append_all;
using spool_test::file_bytes;
using spool_test::numbered;
using spool_test::read_all;
using spool_test::segment_files;
using spool_test::small_spool;
using spool_test::TempDir;
using spool_test::write_bytes;

std::vector<std::string> concat(std::vector<std::string> a, const std::vector<std::string>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

std::vector<std::string> first(const std::vector<std::string>& v, std::size_t n) {
  return {v.begin(), v.begin() + static_cast<std::ptrdiff_t>(n)};
}

// Writes segment `number` of the spool in `dir` by hand, holding `payloads`.
void write_segment(const std::filesystem::path& dir, std::uint64_t number,
                   const std::vector<std::string>& payloads) {
  std::string bytes;
  for (const auto& payload : payloads) {
    char header[spool::kHeaderBytes];
    spool::encode_record_header(payload, header);
    bytes.append(header, spool::kHeaderBytes).append(payload);
  }
  write_bytes(spool::segment_path(dir, number), bytes);
}

// Two segments: the first sealed with `sealed`, the second (last) with `last`.
void build_two_segments(const std::filesystem::path& dir, const std::vector<std::string>& sealed,
                        const std::vector<std::string>& last) {
  write_segment(dir, 1, sealed);
  write_segment(dir, 2, last);
}

// Sink "a" is read in the tests; sink "pin" never reads, so that no segment is deleted.
const std::vector<std::string> kSinks{"a", "pin"};

TEST(SpoolRecoveryTest, TornTailIsTruncatedAtEveryOffset) {
  TempDir dir;
  const auto sealed = numbered("sealed-", 3);
  const auto last = std::vector<std::string>{"one", "", "three 3", "the last record"};
  build_two_segments(dir.path(), sealed, last);
  const auto segment = spool::segment_path(dir.path(), 2);
  const std::string pristine = file_bytes(segment);

  std::vector<std::size_t> record_ends;
  std::size_t end = 0;
  for (const auto& payload : last)
    record_ends.push_back(end += spool::kHeaderBytes + payload.size());

  for (std::size_t cut = 0; cut < pristine.size(); ++cut) {
    SCOPED_TRACE("cut at " + std::to_string(cut));
    write_bytes(segment, pristine.substr(0, cut));
    std::remove(spool::cursor_path(dir.path(), "a").c_str());
    const auto intact = static_cast<std::size_t>(
        std::upper_bound(record_ends.begin(), record_ends.end(), cut) - record_ends.begin());
    {
      auto spool = Spool::open(small_spool(dir.path()), kSinks);
      EXPECT_EQ(std::filesystem::file_size(segment), intact ? record_ends[intact - 1] : 0);
      EXPECT_EQ(read_all(spool->reader("a")), concat(sealed, first(last, intact)));
      append_all(*spool, {"appended after recovery"});
      EXPECT_EQ(read_all(spool->reader("a")), std::vector<std::string>{"appended after recovery"});
      EXPECT_EQ(spool->stats().corrupt_records, 0u);
    }
    // The recovered segment is whole again: a second open changes nothing.
    std::remove(spool::cursor_path(dir.path(), "a").c_str());
    auto spool = Spool::open(small_spool(dir.path()), kSinks);
    EXPECT_EQ(read_all(spool->reader("a")),
              concat(concat(sealed, first(last, intact)), {"appended after recovery"}));
    EXPECT_EQ(spool->stats().corrupt_records, 0u);
  }
}

TEST(SpoolRecoveryTest, FlippedByteMidFileIsCountedNeverDeliveredAndSkipped) {
  TempDir dir;
  auto options = small_spool(dir.path());
  options.segment_bytes = 100;
  const auto payloads = numbered("payload-", 12);  // 17-byte records: five per segment
  {
    auto spool = Spool::open(options, {"pin"});
    append_all(*spool, payloads);
  }
  const auto segment = spool::segment_path(dir.path(), 1);
  const std::string pristine = file_bytes(segment);
  ASSERT_EQ(pristine.size(), 85u);
  ASSERT_EQ(segment_files(dir.path()).size(), 3u);

  // Every byte of the second record of the first, sealed, segment.
  std::vector<std::string> appended;  // by earlier rounds, at the end of the last segment
  for (std::size_t at = 17; at < 34; ++at) {
    SCOPED_TRACE("byte " + std::to_string(at));
    std::string damaged = pristine;
    damaged[at] = static_cast<char>(damaged[at] ^ 0x10);
    write_bytes(segment, damaged);
    for (const char* sink : {"a", "b"}) std::remove(spool::cursor_path(dir.path(), sink).c_str());

    auto spool = Spool::open(options, {"a", "b", "pin"});
    // The first record survives; the rest of segment 1 is lost; segments 2 and 3 arrive.
    const auto expected = concat(
        concat({payloads[0]}, std::vector<std::string>(payloads.begin() + 5, payloads.end())),
        appended);
    EXPECT_EQ(read_all(spool->reader("a")), expected);
    EXPECT_EQ(read_all(spool->reader("b")), expected);
    EXPECT_EQ(spool->stats().corrupt_records, 1u) << "counted once, though two sinks met it";
    // Past the damage, the spool works as usual.
    append_all(*spool, {"new"});
    EXPECT_EQ(read_all(spool->reader("a")), std::vector<std::string>{"new"});
    appended.push_back("new");
  }
}

TEST(SpoolRecoveryTest, DamageInTheLastSegmentIsKeptAndAppendsMoveOn) {
  TempDir dir;
  const auto last = numbered("last-", 4);
  build_two_segments(dir.path(), {"sealed"}, last);
  const auto segment = spool::segment_path(dir.path(), 2);
  std::string bytes = file_bytes(segment);
  bytes[14 + 8 + 2] ^= 0x01;  // inside the second record's payload
  write_bytes(segment, bytes);

  auto spool = Spool::open(small_spool(dir.path()), {"a"});
  EXPECT_EQ(file_bytes(segment), bytes) << "truncating would destroy the records behind it";
  EXPECT_EQ(segment_files(dir.path()).size(), 3u);
  append_all(*spool, {"new"});
  EXPECT_EQ(read_all(spool->reader("a")), (std::vector<std::string>{"sealed", last[0], "new"}));
  EXPECT_EQ(spool->stats().corrupt_records, 1u);
}

TEST(SpoolRecoveryTest, ZerosAtTheEndAreNeverDelivered) {
  // What a power loss can leave when a file's size reached the disk before its data.
  TempDir dir;
  build_two_segments(dir.path(), {"sealed"}, {"kept"});
  const auto segment = spool::segment_path(dir.path(), 2);
  write_bytes(segment, file_bytes(segment) + std::string(4096, '\0'));

  auto spool = Spool::open(small_spool(dir.path()), {"a"});
  append_all(*spool, {"new"});
  EXPECT_EQ(read_all(spool->reader("a")), (std::vector<std::string>{"sealed", "kept", "new"}));
}

TEST(SpoolRecoveryTest, DamagedCursorStartsAgainAtTheOldestRecord) {
  TempDir dir;
  {
    auto spool = Spool::open(small_spool(dir.path()), {"a"});
    append_all(*spool, numbered("e", 3));
    read_all(spool->reader("a"));
  }
  const auto cursor = spool::cursor_path(dir.path(), "a");
  std::string bytes = file_bytes(cursor);
  bytes[10] ^= 0x01;
  write_bytes(cursor, bytes);
  auto spool = Spool::open(small_spool(dir.path()), {"a"});
  EXPECT_EQ(read_all(spool->reader("a")), numbered("e", 3));
}

TEST(SpoolRecoveryTest, CursorPastTheEndContinuesFromTheEnd) {
  // A sink delivered records that were written but not synced when the machine went down.
  TempDir dir;
  {
    auto spool = Spool::open(small_spool(dir.path()), {"a"});
    append_all(*spool, numbered("e", 3));
  }
  ASSERT_FALSE(spool::store_cursor(spool::cursor_path(dir.path(), "a"), {1, 1000}));
  ASSERT_FALSE(spool::store_cursor(spool::cursor_path(dir.path(), "b"), {9, 0}));
  auto spool = Spool::open(small_spool(dir.path()), {"a", "b"});
  append_all(*spool, {"new"});
  EXPECT_EQ(read_all(spool->reader("a")), std::vector<std::string>{"new"});
  EXPECT_EQ(read_all(spool->reader("b")), std::vector<std::string>{"new"});
}

TEST(SpoolRecoveryTest, LeftoverCursorTempFilesAreRemoved) {
  TempDir dir;
  write_bytes(dir.path() / "cursor-a.tmp", "half a cursor");
  auto spool = Spool::open(small_spool(dir.path()), {"a"});
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "cursor-a.tmp"));
}

}  // namespace
}  // namespace tollgate::audit
