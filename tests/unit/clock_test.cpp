#include "core/clock.h"

#include <gtest/gtest.h>

namespace tollgate {
namespace {

std::string normalized(const char* text) {
  auto time = parse_time(text);
  return time ? rfc3339_micros(*time) : "invalid";
}

TEST(ParseTime, DatesAreMidnightUtc) {
  EXPECT_EQ(normalized("2026-11-01"), "2026-11-01T00:00:00.000000Z");
  EXPECT_EQ(normalized("2024-02-29"), "2024-02-29T00:00:00.000000Z");
}

TEST(ParseTime, Rfc3339TimesWithFractionsAndOffsets) {
  EXPECT_EQ(normalized("2026-11-01T09:30:00Z"), "2026-11-01T09:30:00.000000Z");
  EXPECT_EQ(normalized("2026-11-01t09:30:00z"), "2026-11-01T09:30:00.000000Z");
  EXPECT_EQ(normalized("2026-11-01 09:30:00Z"), "2026-11-01T09:30:00.000000Z");
  EXPECT_EQ(normalized("2026-11-01T09:30:00.5Z"), "2026-11-01T09:30:00.500000Z");
  EXPECT_EQ(normalized("2026-11-01T09:30:00.1234567Z"), "2026-11-01T09:30:00.123456Z");
  EXPECT_EQ(normalized("2026-11-01T10:30:00+01:00"), "2026-11-01T09:30:00.000000Z");
  EXPECT_EQ(normalized("2026-11-01T00:30:00-05:30"), "2026-11-01T06:00:00.000000Z");
  EXPECT_EQ(normalized("2026-01-01T00:30:00+01:00"), "2025-12-31T23:30:00.000000Z");
}

TEST(ParseTime, RefusesWhatIsNotADateOrTime) {
  for (const char* bad :
       {"", "2026", "2026-1-01", "2026-02-30", "2025-02-29", "2026-13-01", "2026-11-01T",
        "2026-11-01T09:30Z", "2026-11-01T09:30:00", "2026-11-01T24:00:00Z", "2026-11-01T09:30:60Z",
        "2026-11-01T09:30:00.Z", "2026-11-01T09:30:00+0100", "2026-11-01T09:30:00Z ", "2026-11-01x",
        "yesterday", "1969-12-31", "2200-01-01", "2999-01-01T00:00:00Z"})
    EXPECT_FALSE(parse_time(bad)) << bad;
}

}  // namespace
}  // namespace tollgate
