#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <string>

#include "balance/pool.h"

namespace tollgate::balance {
namespace {

using Clock = Pool::Clock;
using std::chrono::milliseconds;

const Verdict ok{false, false, std::nullopt};
const Verdict failed{true, true, std::nullopt};
Verdict cooldown(long ms) { return {true, false, milliseconds(ms)}; }

// Backends a..e and their targets, with a breaker that opens on the first failure.
class PoolTest : public ::testing::Test {
 protected:
  PoolTest() {
    breaker_.failures = 1;
    breaker_.open = milliseconds(10'000);
    for (const char* name : {"a", "b", "c", "d", "e"}) {
      auto& backend = backends_[name];
      backend.name = name;
      targets_.emplace(name, std::make_unique<Target>(backend, "dep", breaker_));
    }
  }

  Target& target(const std::string& name) { return *targets_.at(name); }

  Pool pool(std::vector<std::tuple<std::string, int, unsigned>> members,
            RoutingConfig::Strategy strategy = RoutingConfig::Strategy::weighted) {
    std::vector<Pool::Member> out;
    for (const auto& [name, priority, weight] : members)
      out.push_back({&target(name), priority, weight});
    return Pool("m", std::move(out), strategy);
  }

  // The backend picked for a fresh call, its lease released (a finished call).
  std::string pick(Pool& pool, Clock::time_point now) {
    std::vector<bool> tried(pool.members().size(), false);
    auto picked = pool.pick(tried, now);
    auto* chosen = std::get_if<Pool::Pick>(&picked);
    if (!chosen) return "-";
    return pool.members()[chosen->index].target->backend().name;
  }

  // Fails `name` once, as a call's attempt would, so that its breaker opens.
  void fail(const std::string& name, Clock::time_point now, const Verdict& verdict = failed) {
    ASSERT_NE(target(name).admit(now), CircuitBreaker::Admission::refused);
    target(name).report(verdict, false, "test", now);
  }

  BreakerConfig breaker_;
  std::map<std::string, BackendConfig> backends_;
  std::map<std::string, std::unique_ptr<Target>> targets_;
  const Clock::time_point now_ = Clock::now();
};

TEST_F(PoolTest, WeightsSplitTrafficExactlyAndEvenlyInterleaved) {
  auto p = pool({{"a", 1, 3}, {"b", 1, 1}});
  std::string order;
  for (int i = 0; i < 8; ++i) order += pick(p, now_);
  EXPECT_EQ(order, "aabaaaba");
}

TEST_F(PoolTest, EqualWeightsByDefaultTakeTurns) {
  auto p = pool({{"a", 1, 1}, {"b", 1, 1}, {"c", 1, 1}});
  std::map<std::string, int> count;
  for (int i = 0; i < 300; ++i) ++count[pick(p, now_)];
  EXPECT_EQ(count["a"], 100);
  EXPECT_EQ(count["b"], 100);
  EXPECT_EQ(count["c"], 100);
}

TEST_F(PoolTest, ALowerPriorityGroupOnlyWhenEveryHigherMemberIsUnavailable) {
  auto p = pool({{"a", 1, 1}, {"b", 1, 1}, {"c", 2, 1}});
  for (int i = 0; i < 10; ++i) EXPECT_NE(pick(p, now_), "c");
  fail("a", now_);
  for (int i = 0; i < 10; ++i) EXPECT_EQ(pick(p, now_), "b");
  fail("b", now_, cooldown(1000));
  EXPECT_EQ(pick(p, now_), "c");
  // Spillover ends when the primary group recovers: b's cool-down is over.
  EXPECT_EQ(pick(p, now_ + milliseconds(1000)), "b");
}

TEST_F(PoolTest, ACallNeverRetriesWhereItWasAlready) {
  auto p = pool({{"a", 1, 1}, {"b", 1, 1}, {"c", 2, 1}});
  std::vector<bool> tried(3, false);
  std::string order;
  for (;;) {
    auto picked = p.pick(tried, now_);
    auto* chosen = std::get_if<Pool::Pick>(&picked);
    if (!chosen) break;
    tried[chosen->index] = true;
    order += p.members()[chosen->index].target->backend().name;
  }
  EXPECT_EQ(order.size(), 3u);
  EXPECT_EQ(order.back(), 'c');
  auto exhausted = std::get<Pool::Exhausted>(p.pick(tried, now_));
  EXPECT_FALSE(exhausted.cooling);  // nothing left untried is not "every backend cooling"
}

TEST_F(PoolTest, EveryMemberCoolingGivesTheShortestWait) {
  auto p = pool({{"a", 1, 1}, {"b", 2, 1}});
  fail("a", now_, cooldown(3000));
  fail("b", now_, cooldown(1500));
  std::vector<bool> tried(2, false);
  auto exhausted = std::get<Pool::Exhausted>(p.pick(tried, now_ + milliseconds(500)));
  EXPECT_TRUE(exhausted.cooling);
  EXPECT_EQ(exhausted.wait, milliseconds(1000));
}

TEST_F(PoolTest, AnOpenBreakerIsNotCooling) {
  auto p = pool({{"a", 1, 1}, {"b", 1, 1}});
  fail("a", now_, cooldown(3000));
  fail("b", now_);
  std::vector<bool> tried(2, false);
  auto exhausted = std::get<Pool::Exhausted>(p.pick(tried, now_));
  EXPECT_FALSE(exhausted.cooling);
  EXPECT_EQ(exhausted.wait, milliseconds(3000));  // a comes back first
}

TEST_F(PoolTest, OneProbeThenTheRestGoElsewhere) {
  auto p = pool({{"a", 1, 1}, {"b", 1, 1}});
  fail("a", now_);
  auto later = now_ + milliseconds(10'000);
  std::vector<bool> tried(2, false);
  std::vector<Pool::Pick> held;  // calls in flight
  int to_a = 0;
  for (int i = 0; i < 10; ++i) {
    auto picked = p.pick(tried, later);
    auto& chosen = std::get<Pool::Pick>(picked);
    if (chosen.index == 0) ++to_a;
    held.push_back(std::move(chosen));
  }
  EXPECT_EQ(to_a, 1);
  EXPECT_EQ(target("a").outstanding.load(), 1);
  EXPECT_EQ(target("b").outstanding.load(), 9);
  held.clear();
  EXPECT_EQ(target("b").outstanding.load(), 0);
  // The probe ended without a verdict: the next call that picks a probes again.
  EXPECT_TRUE(target("a").availability(later).available);
  std::string next = pick(p, later) + pick(p, later);
  EXPECT_NE(next.find('a'), std::string::npos);
}

TEST_F(PoolTest, ASuccessfulProbeRestoresTheMember) {
  auto p = pool({{"a", 1, 1}, {"b", 2, 1}});
  fail("a", now_);
  EXPECT_EQ(pick(p, now_), "b");
  auto later = now_ + milliseconds(10'000);
  std::vector<bool> tried(2, false);
  auto picked = p.pick(tried, later);
  auto& probe = std::get<Pool::Pick>(picked);
  ASSERT_EQ(probe.index, 0u);
  EXPECT_EQ(pick(p, later), "b");  // while the probe is out
  probe.lease.report(ok);
  EXPECT_EQ(pick(p, later), "a");
  EXPECT_EQ(pick(p, later), "a");
}

TEST_F(PoolTest, LeastOutstandingPerWeight) {
  auto p = pool({{"a", 1, 2}, {"b", 1, 1}}, RoutingConfig::Strategy::least_outstanding);
  std::vector<bool> tried(2, false);
  std::vector<Pool::Pick> held;
  std::string order;
  for (int i = 0; i < 6; ++i) {
    auto picked = p.pick(tried, now_);
    auto& chosen = std::get<Pool::Pick>(picked);
    order += p.members()[chosen.index].target->backend().name;
    held.push_back(std::move(chosen));
  }
  // a takes twice b's load: 4 and 2 in flight.
  EXPECT_EQ(std::count(order.begin(), order.end(), 'a'), 4);
  EXPECT_EQ(target("a").outstanding.load(), 4);
  EXPECT_EQ(target("b").outstanding.load(), 2);
  held.erase(held.begin(), held.begin() + 1);  // one call ends somewhere
  std::string next = pick(p, now_);
  EXPECT_EQ(next, order.substr(0, 1));  // the freed capacity is used first
}

TEST_F(PoolTest, AFailingHealthCheckTakesAMemberOut) {
  auto p = pool({{"a", 1, 1}, {"b", 2, 1}});
  target("a").set_healthy(false, "health check: status 500");
  EXPECT_EQ(pick(p, now_), "b");
  target("a").set_healthy(true, {});
  EXPECT_EQ(pick(p, now_), "a");
}

}  // namespace
}  // namespace tollgate::balance
