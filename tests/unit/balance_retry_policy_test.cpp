#include <gtest/gtest.h>

#include "balance/retry_policy.h"

namespace tollgate::balance {
namespace {

using std::chrono::milliseconds;

Verdict judge(const RoutingConfig& routing, int status,
              std::initializer_list<std::pair<const char*, const char*>> h = {}) {
  boost::beast::http::fields headers;
  for (const auto& [name, value] : h) headers.set(name, value);
  return RetryPolicy(routing).answered(status, headers, std::chrono::system_clock::now());
}

TEST(RetryPolicy, NoAnswerIsRetriedAndAFailure) {
  auto verdict = RetryPolicy::no_answer();
  EXPECT_TRUE(verdict.retry);
  EXPECT_TRUE(verdict.failure);
  EXPECT_FALSE(verdict.cooldown);
}

TEST(RetryPolicy, DefaultStatuses) {
  RoutingConfig routing;
  for (int status : {429, 500, 502, 503, 504}) {
    auto verdict = judge(routing, status);
    EXPECT_TRUE(verdict.retry) << status;
    EXPECT_TRUE(verdict.failure) << status;
  }
  for (int status : {200, 400, 401, 404}) {
    auto verdict = judge(routing, status);
    EXPECT_FALSE(verdict.retry) << status;
    EXPECT_FALSE(verdict.failure) << status;
  }
  auto not_retried = judge(routing, 501);
  EXPECT_FALSE(not_retried.retry);
  EXPECT_TRUE(not_retried.failure);
}

TEST(RetryPolicy, RetryAfterCoolsDownInsteadOfFailing) {
  RoutingConfig routing;
  auto limited = judge(routing, 429, {{"retry-after", "2"}});
  EXPECT_TRUE(limited.retry);
  EXPECT_FALSE(limited.failure);
  EXPECT_EQ(limited.cooldown, milliseconds(2000));
  EXPECT_EQ(judge(routing, 503, {{"retry-after-ms", "300"}}).cooldown, milliseconds(300));
  // Only 429 and 503 mean "come back later"; a 500 with the header is a failure.
  auto broken = judge(routing, 500, {{"retry-after", "2"}});
  EXPECT_FALSE(broken.cooldown);
  EXPECT_TRUE(broken.failure);
  // Zero is no cool-down at all.
  EXPECT_FALSE(judge(routing, 429, {{"retry-after", "0"}}).cooldown);
}

TEST(RetryPolicy, CooldownsAreCapped) {
  RoutingConfig routing;
  routing.max_cooldown = milliseconds(5000);
  EXPECT_EQ(judge(routing, 429, {{"retry-after", "3600"}}).cooldown, milliseconds(5000));
  routing.max_cooldown = milliseconds(0);  // off: the 429 is a failure like any other
  auto verdict = judge(routing, 429, {{"retry-after", "3600"}});
  EXPECT_FALSE(verdict.cooldown);
  EXPECT_TRUE(verdict.failure);
}

TEST(RetryPolicy, ConfiguredStatuses) {
  RoutingConfig routing;
  routing.retry_on = {503};
  EXPECT_FALSE(judge(routing, 429).retry);
  EXPECT_TRUE(judge(routing, 503).retry);
  // A 429 that is not retried still keeps the backend away for the time it asked.
  EXPECT_EQ(judge(routing, 429, {{"retry-after", "1"}}).cooldown, milliseconds(1000));
}

}  // namespace
}  // namespace tollgate::balance
