#include <gtest/gtest.h>

#include "balance/circuit_breaker.h"

namespace tollgate::balance {
namespace {

using Clock = CircuitBreaker::Clock;
using State = CircuitBreaker::State;
using Admission = CircuitBreaker::Admission;
using Change = CircuitBreaker::Change;
using std::chrono::milliseconds;

const Verdict ok{false, false, std::nullopt};
const Verdict failed{true, true, std::nullopt};
Verdict cooldown(long ms) { return {true, false, milliseconds(ms)}; }

BreakerConfig config(unsigned failures, double ratio = 0, unsigned min_calls = 1) {
  BreakerConfig c;
  c.failures = failures;
  c.ratio = ratio;
  c.min_calls = min_calls;
  c.window = milliseconds(10'000);
  c.open = milliseconds(5'000);
  return c;
}

const Clock::time_point t0 = Clock::time_point() + std::chrono::hours(1);

TEST(CircuitBreaker, OpensAfterFailuresWithinTheWindow) {
  CircuitBreaker breaker(config(3));
  EXPECT_EQ(breaker.record(failed, false, t0), Change::none);
  EXPECT_EQ(breaker.record(ok, false, t0), Change::none);
  EXPECT_EQ(breaker.record(failed, false, t0 + milliseconds(100)), Change::none);
  EXPECT_EQ(breaker.state(t0), State::closed);
  EXPECT_EQ(breaker.record(failed, false, t0 + milliseconds(200)), Change::opened);
  EXPECT_EQ(breaker.state(t0 + milliseconds(200)), State::open);
  EXPECT_FALSE(breaker.available(t0 + milliseconds(300)));
  EXPECT_EQ(breaker.admit(t0 + milliseconds(300)), Admission::refused);
  EXPECT_EQ(breaker.remaining(t0 + milliseconds(200)), milliseconds(5000));
  EXPECT_FALSE(breaker.reason().empty());
}

TEST(CircuitBreaker, OldFailuresLeaveTheWindow) {
  CircuitBreaker breaker(config(3));
  breaker.record(failed, false, t0);
  breaker.record(failed, false, t0 + milliseconds(1000));
  // 11 s later the first two have left the 10 s window.
  EXPECT_EQ(breaker.record(failed, false, t0 + milliseconds(12'000)), Change::none);
  EXPECT_EQ(breaker.record(failed, false, t0 + milliseconds(12'100)), Change::none);
  EXPECT_EQ(breaker.record(failed, false, t0 + milliseconds(12'200)), Change::opened);
}

TEST(CircuitBreaker, OpensOnAFailureRatio) {
  CircuitBreaker breaker(config(0, 0.5, 10));
  for (int i = 0; i < 4; ++i) breaker.record(ok, false, t0);
  for (int i = 0; i < 4; ++i) EXPECT_EQ(breaker.record(failed, false, t0), Change::none);
  // 9 calls: below min_calls, whatever the ratio.
  EXPECT_EQ(breaker.record(ok, false, t0), Change::none);
  EXPECT_EQ(breaker.record(failed, false, t0), Change::opened);  // 5 of 10
}

TEST(CircuitBreaker, ZeroTurnsTheRulesOff) {
  CircuitBreaker breaker(config(0, 0));
  for (int i = 0; i < 1000; ++i) EXPECT_EQ(breaker.record(failed, false, t0), Change::none);
  EXPECT_TRUE(breaker.available(t0));
}

TEST(CircuitBreaker, OneProbeAfterTheOpenPeriodDecides) {
  CircuitBreaker breaker(config(1));
  breaker.record(failed, false, t0);
  auto later = t0 + milliseconds(5000);
  EXPECT_EQ(breaker.state(later), State::half_open);
  EXPECT_TRUE(breaker.available(later));
  EXPECT_EQ(breaker.admit(later), Admission::probe);
  // Exactly one probe: everyone else is refused while it is out.
  EXPECT_FALSE(breaker.available(later));
  EXPECT_EQ(breaker.admit(later), Admission::refused);
  EXPECT_EQ(breaker.admit(later + milliseconds(60'000)), Admission::refused);
  // A straggler's verdict (let through before it opened) decides nothing.
  EXPECT_EQ(breaker.record(ok, false, later), Change::none);
  EXPECT_EQ(breaker.state(later), State::half_open);
  EXPECT_EQ(breaker.record(ok, true, later), Change::closed);
  EXPECT_EQ(breaker.admit(later), Admission::allowed);
}

TEST(CircuitBreaker, AFailedProbeReopens) {
  CircuitBreaker breaker(config(1));
  breaker.record(failed, false, t0);
  auto later = t0 + milliseconds(6000);
  ASSERT_EQ(breaker.admit(later), Admission::probe);
  EXPECT_EQ(breaker.record(failed, true, later), Change::opened);
  EXPECT_EQ(breaker.state(later + milliseconds(4999)), State::open);
  EXPECT_EQ(breaker.admit(later + milliseconds(5000)), Admission::probe);
}

TEST(CircuitBreaker, AnAbandonedProbeIsGivenToTheNextCaller) {
  CircuitBreaker breaker(config(1));
  breaker.record(failed, false, t0);
  auto later = t0 + milliseconds(5000);
  ASSERT_EQ(breaker.admit(later), Admission::probe);
  breaker.abandon_probe();
  EXPECT_EQ(breaker.admit(later), Admission::probe);
}

TEST(CircuitBreaker, RetryAfterCoolsDownForExactlyThatLong) {
  CircuitBreaker breaker(config(1));
  EXPECT_EQ(breaker.record(cooldown(2000), false, t0), Change::cooling);
  EXPECT_EQ(breaker.state(t0), State::cooling);
  EXPECT_EQ(breaker.remaining(t0 + milliseconds(500)), milliseconds(1500));
  EXPECT_EQ(breaker.admit(t0 + milliseconds(1999)), Admission::refused);
  // A cool-down is not a failure: the breaker did not count it.
  EXPECT_EQ(breaker.admit(t0 + milliseconds(2000)), Admission::probe);
  EXPECT_EQ(breaker.admit(t0 + milliseconds(2000)), Admission::refused);
  EXPECT_EQ(breaker.record(ok, true, t0 + milliseconds(2100)), Change::closed);
}

TEST(CircuitBreaker, AStragglersRetryAfterCanOnlyLengthenACooldown) {
  CircuitBreaker breaker(config(1));
  breaker.record(cooldown(2000), false, t0);
  EXPECT_EQ(breaker.record(cooldown(500), false, t0 + milliseconds(100)), Change::none);
  EXPECT_EQ(breaker.remaining(t0 + milliseconds(100)), milliseconds(1900));
  EXPECT_EQ(breaker.record(cooldown(3000), false, t0 + milliseconds(100)), Change::cooling);
  EXPECT_EQ(breaker.remaining(t0 + milliseconds(100)), milliseconds(3000));
  // Failures of stragglers are not counted while it is not closed.
  EXPECT_EQ(breaker.record(failed, false, t0 + milliseconds(200)), Change::none);
  EXPECT_EQ(breaker.state(t0 + milliseconds(200)), State::cooling);
}

TEST(CircuitBreaker, AProbeThatIsRateLimitedCoolsDownAgain) {
  CircuitBreaker breaker(config(5));
  breaker.record(cooldown(1000), false, t0);
  auto later = t0 + milliseconds(1000);
  ASSERT_EQ(breaker.admit(later), Admission::probe);
  EXPECT_EQ(breaker.record(cooldown(1000), true, later), Change::cooling);
  EXPECT_EQ(breaker.admit(later + milliseconds(999)), Admission::refused);
  EXPECT_EQ(breaker.admit(later + milliseconds(1000)), Admission::probe);
}

TEST(CircuitBreaker, ABrokenAnswerCountsAsAFailure) {
  CircuitBreaker breaker(config(2));
  breaker.record(ok, false, t0);
  EXPECT_EQ(breaker.record_broken(t0), Change::none);
  EXPECT_EQ(breaker.record_broken(t0), Change::opened);
}

}  // namespace
}  // namespace tollgate::balance
