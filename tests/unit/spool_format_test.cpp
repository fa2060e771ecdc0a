// The spool's building blocks in isolation: the checksum, the fixed-width encoding, file
// names, cursor files and the record reader's verdict on crafted bytes.
#include <fcntl.h>
#include <gtest/gtest.h>

#include <string>

#include "audit/spool/coding.h"
#include "audit/spool/crc32c.h"
#include "audit/spool/cursor_file.h"
#include "audit/spool/format.h"
#include "audit/spool/record_reader.h"
#include "spool_test_support.h"

namespace tollgate::audit::spool {
namespace {

using spool_test::TempDir;
using spool_test::write_bytes;

TEST(SpoolFormatTest, Crc32cMatchesKnownValues) {
  // Check values from RFC 3720 (iSCSI), as LevelDB's crc32c_test uses them.
  EXPECT_EQ(crc32c("123456789"), 0xe3069283u);
  EXPECT_EQ(crc32c(std::string(32, '\0')), 0x8a9136aau);
  EXPECT_EQ(crc32c(std::string(32, '\xff')), 0x62a8ab43u);
  std::string ascending;
  for (int i = 0; i < 32; ++i) ascending.push_back(static_cast<char>(i));
  EXPECT_EQ(crc32c(ascending), 0x46dd794eu);
}

TEST(SpoolFormatTest, Crc32cOfTwoPartsIsTheCrcOfTheirConcatenation) {
  EXPECT_EQ(crc32c("1234", "56789"), crc32c("123456789"));
  EXPECT_EQ(crc32c("", "123456789"), crc32c("123456789"));
}

TEST(SpoolFormatTest, MaskIsReversibleAndChangesTheValue) {
  const std::uint32_t crc = crc32c("foo");
  EXPECT_NE(mask_crc(crc), crc);
  EXPECT_NE(mask_crc(mask_crc(crc)), crc);
  EXPECT_EQ(unmask_crc(mask_crc(crc)), crc);
  EXPECT_EQ(unmask_crc(unmask_crc(mask_crc(mask_crc(crc)))), crc);
}

TEST(SpoolFormatTest, FixedIntegersAreLittleEndian) {
  char buffer[8];
  encode_fixed32(buffer, 0x04030201u);
  EXPECT_EQ(std::string(buffer, 4), std::string("\x01\x02\x03\x04", 4));
  EXPECT_EQ(decode_fixed32(buffer), 0x04030201u);
  encode_fixed64(buffer, 0x0807060504030201ull);
  EXPECT_EQ(std::string(buffer, 8), std::string("\x01\x02\x03\x04\x05\x06\x07\x08", 8));
  EXPECT_EQ(decode_fixed64(buffer), 0x0807060504030201ull);
  encode_fixed32(buffer, 0xffffffffu);
  EXPECT_EQ(decode_fixed32(buffer), 0xffffffffu);
}

TEST(SpoolFormatTest, SegmentNamesAreZeroPaddedAndParsedBack) {
  EXPECT_EQ(segment_path("/s", 1).string(), "/s/00000000000000000001.seg");
  EXPECT_EQ(parse_segment_name("00000000000000000042.seg"), 42u);
  EXPECT_EQ(parse_segment_name("18446744073709551615.seg"), UINT64_MAX);
  EXPECT_EQ(parse_segment_name("18446744073709551616.seg"), std::nullopt);
  EXPECT_EQ(parse_segment_name("0000000000000000042.seg"), std::nullopt);
  EXPECT_EQ(parse_segment_name("0000000000000000004x.seg"), std::nullopt);
  EXPECT_EQ(parse_segment_name("00000000000000000042.tmp"), std::nullopt);
  EXPECT_EQ(parse_segment_name("cursor-jsonl"), std::nullopt);
}

TEST(SpoolFormatTest, SinkNamesMustBeSafeFileNames) {
  EXPECT_TRUE(valid_sink_name("jsonl"));
  EXPECT_TRUE(valid_sink_name("sqlite-main_2.db"));
  EXPECT_FALSE(valid_sink_name(""));
  EXPECT_FALSE(valid_sink_name("../x"));
  EXPECT_FALSE(valid_sink_name("a b"));
  EXPECT_EQ(cursor_path("/s", "jsonl").string(), "/s/cursor-jsonl");
}

TEST(SpoolFormatTest, CursorRoundTripsAndRejectsEveryFlippedBit) {
  const SpoolPosition position{7, 123456789012ull};
  const std::string bytes = encode_cursor(position);
  ASSERT_EQ(bytes.size(), kCursorBytes);
  EXPECT_EQ(decode_cursor(bytes), position);
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      std::string damaged = bytes;
      damaged[i] = static_cast<char>(damaged[i] ^ (1 << bit));
      EXPECT_EQ(decode_cursor(damaged), std::nullopt) << "byte " << i << " bit " << bit;
    }
  }
  for (std::size_t size = 0; size < bytes.size(); ++size) {
    EXPECT_EQ(decode_cursor(bytes.substr(0, size)), std::nullopt) << size;
  }
  EXPECT_EQ(decode_cursor(bytes + "x"), std::nullopt);
}

TEST(SpoolFormatTest, CursorFileIsStoredAndLoaded) {
  TempDir dir;
  const auto path = cursor_path(dir.path(), "jsonl");
  EXPECT_EQ(load_cursor(path).state, CursorState::missing);
  ASSERT_FALSE(store_cursor(path, {3, 99}));
  ASSERT_FALSE(store_cursor(path, {4, 5}));
  const LoadedCursor loaded = load_cursor(path);
  EXPECT_EQ(loaded.state, CursorState::ok);
  EXPECT_EQ(loaded.position, (SpoolPosition{4, 5}));
  EXPECT_FALSE(std::filesystem::exists(path.string() + ".tmp"));
  write_bytes(path, "garbage");
  EXPECT_EQ(load_cursor(path).state, CursorState::invalid);
}

// Writes `bytes` as a segment and reads its first record with the given limit and budget.
ReadStatus read_first(const std::string& bytes, std::uint64_t limit, std::size_t budget,
                      std::string& payload) {
  TempDir dir;
  const auto path = dir.path() / "segment";
  write_bytes(path, bytes);
  File file;
  EXPECT_FALSE(open_file(path, O_RDONLY, file));
  RecordReader reader(std::move(file));
  std::string problem;
  return reader.read(0, limit, budget, payload, problem);
}

std::string record(const std::string& payload) {
  std::string bytes(kHeaderBytes, '\0');
  encode_record_header(payload, bytes.data());
  return bytes + payload;
}

TEST(SpoolFormatTest, RecordReaderAcceptsIntactRecordsIncludingEmptyOnes) {
  std::string payload;
  const std::string bytes = record("hello");
  EXPECT_EQ(read_first(bytes, bytes.size(), 100, payload), ReadStatus::ok);
  EXPECT_EQ(payload, "hello");
  EXPECT_EQ(read_first(record(""), kHeaderBytes, 0, payload), ReadStatus::ok);
  EXPECT_EQ(payload, "");
  EXPECT_EQ(read_first(bytes, 0, 100, payload), ReadStatus::end);
}

TEST(SpoolFormatTest, RecordReaderCallsEveryShortRecordIncomplete) {
  const std::string bytes = record("hello, world");
  for (std::size_t size = 1; size < bytes.size(); ++size) {
    std::string payload;
    EXPECT_EQ(read_first(bytes.substr(0, size), size, 100, payload), ReadStatus::incomplete)
        << size;
  }
}

TEST(SpoolFormatTest, RecordReaderCallsEveryFlippedByteDamagedOrIncomplete) {
  const std::string bytes = record("hello, world");
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    std::string damaged = bytes;
    damaged[i] = static_cast<char>(damaged[i] ^ 0x20);
    std::string payload;
    const ReadStatus status = read_first(damaged, damaged.size(), 100, payload);
    // A flipped length byte may make the record run past the end instead.
    EXPECT_TRUE(status == ReadStatus::damaged ||
                (i >= 4 && i < 8 && status == ReadStatus::incomplete))
        << "byte " << i << " status " << static_cast<int>(status);
  }
}

TEST(SpoolFormatTest, RecordReaderChecksTheLengthBeforeTrustingIt) {
  std::string bytes = record("x");
  encode_fixed32(bytes.data() + 4, kMaxRecordBytes + 1);
  std::string payload;
  EXPECT_EQ(read_first(bytes, bytes.size(), SIZE_MAX, payload), ReadStatus::damaged);
  EXPECT_TRUE(payload.empty());
}

TEST(SpoolFormatTest, RecordReaderLeavesARecordOverBudgetUnread) {
  const std::string bytes = record("hello");
  std::string payload;
  EXPECT_EQ(read_first(bytes, bytes.size(), 4, payload), ReadStatus::over_budget);
  EXPECT_EQ(read_first(bytes, bytes.size(), 5, payload), ReadStatus::ok);
}

TEST(SpoolFormatTest, ZeroBytesAreNeverARecord) {
  std::string payload;
  EXPECT_EQ(read_first(std::string(64, '\0'), 64, 100, payload), ReadStatus::damaged);
}

}  // namespace
}  // namespace tollgate::audit::spool
