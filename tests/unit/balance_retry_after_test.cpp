#include <gtest/gtest.h>

#include "balance/retry_after.h"

namespace tollgate::balance {
namespace {

using std::chrono::milliseconds;

const auto now = std::chrono::system_clock::from_time_t(784111777);  // Sun, 06 Nov 1994 08:49:37

std::optional<milliseconds> wait_for(std::initializer_list<std::pair<const char*, const char*>> h) {
  boost::beast::http::fields headers;
  for (const auto& [name, value] : h) headers.set(name, value);
  return retry_after(headers, now);
}

TEST(RetryAfter, SecondsAndMilliseconds) {
  EXPECT_EQ(wait_for({{"retry-after", "2"}}), milliseconds(2000));
  EXPECT_EQ(wait_for({{"Retry-After", "0"}}), milliseconds(0));
  EXPECT_EQ(wait_for({{"retry-after", "1.5"}}), milliseconds(1500));
  EXPECT_EQ(wait_for({{"retry-after-ms", "250"}}), milliseconds(250));
  EXPECT_EQ(wait_for({{"x-ms-retry-after-ms", "6500"}}), milliseconds(6500));
}

TEST(RetryAfter, TheMostPreciseHeaderWins) {
  EXPECT_EQ(wait_for({{"retry-after", "7"}, {"retry-after-ms", "6500"}}), milliseconds(6500));
  EXPECT_EQ(wait_for({{"retry-after", "7"}, {"x-ms-retry-after-ms", "6400"}}), milliseconds(6400));
  // A malformed precise header does not hide a valid one.
  EXPECT_EQ(wait_for({{"retry-after", "7"}, {"retry-after-ms", "soon"}}), milliseconds(7000));
}

TEST(RetryAfter, HttpDates) {
  EXPECT_EQ(wait_for({{"retry-after", "Sun, 06 Nov 1994 08:49:47 GMT"}}), milliseconds(10'000));
  EXPECT_EQ(wait_for({{"retry-after", "Sun, 06 Nov 1994 08:00:00 GMT"}}), milliseconds(0));
  EXPECT_EQ(wait_for({{"retry-after", "Sunday, 06-Nov-94 08:49:47 GMT"}}), std::nullopt);
}

TEST(RetryAfter, AbsentOrMalformedIsNoWait) {
  EXPECT_EQ(wait_for({}), std::nullopt);
  EXPECT_EQ(wait_for({{"retry-after", ""}}), std::nullopt);
  EXPECT_EQ(wait_for({{"retry-after", "-1"}}), std::nullopt);
  EXPECT_EQ(wait_for({{"retry-after", "2s"}}), std::nullopt);
  EXPECT_EQ(wait_for({{"retry-after-ms", "nan"}}), std::nullopt);
}

TEST(RetryAfter, HoursAreClampedToADay) {
  EXPECT_EQ(wait_for({{"retry-after", "999999999"}}), milliseconds(86'400'000));
}

}  // namespace
}  // namespace tollgate::balance
