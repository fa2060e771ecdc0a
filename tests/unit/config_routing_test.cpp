// The configuration of backend pools, failover and health checks (docs/failover.md).
#include <gtest/gtest.h>

#include "config_problems.h"
#include "core/config.h"

namespace tollgate {
namespace {

TEST(ConfigRouting, DefaultsWhenAbsent) {
  auto config = parse_config(R"(backends: { a: { kind: openai, url: "http://127.0.0.1:1" } }
models: { m: [ { backend: a } ] }
)",
                             "t.yaml");
  const auto& routing = config.routing;
  EXPECT_EQ(routing.strategy, RoutingConfig::Strategy::weighted);
  EXPECT_EQ(routing.max_attempts, 3u);
  EXPECT_EQ(routing.timeout.count(), 300'000);
  EXPECT_EQ(routing.retry_on, (std::vector<int>{429, 500, 502, 503, 504}));
  EXPECT_EQ(routing.max_cooldown.count(), 60'000);
  EXPECT_EQ(routing.breaker.failures, 5u);
  EXPECT_DOUBLE_EQ(routing.breaker.ratio, 0.5);
  EXPECT_EQ(routing.breaker.min_calls, 20u);
  EXPECT_EQ(routing.breaker.window.count(), 10'000);
  EXPECT_EQ(routing.breaker.open.count(), 30'000);
  EXPECT_EQ(config.model("m")->targets.front().weight, 1u);
  EXPECT_FALSE(config.backend("a")->health_check.enabled);
}

TEST(ConfigRouting, ParsesEverySetting) {
  auto config = parse_config(R"(backends:
  east: { kind: azure, url: "https://east.example", health_check: { interval_ms: 5000 } }
  west:
    kind: openai
    url: "http://127.0.0.1:2/v1"
    health_check: { path: /healthz, interval_ms: 1000, expected_status: 204, timeout_ms: 300 }
models:
  gpt-4o:
    - { backend: east, deployment: ptu, priority: 1, weight: 3 }
    - { backend: west, priority: 2 }
routing:
  strategy: least_outstanding
  max_attempts: 4
  timeout_ms: 60000
  retry_on: [429, 503]
  max_cooldown_ms: 0
  breaker: { failures: 0, ratio: 0.25, min_calls: 8, window_ms: 2000, open_ms: 1500 }
)",
                             "t.yaml");
  const auto& routing = config.routing;
  EXPECT_EQ(routing.strategy, RoutingConfig::Strategy::least_outstanding);
  EXPECT_EQ(routing.max_attempts, 4u);
  EXPECT_EQ(routing.timeout.count(), 60'000);
  EXPECT_EQ(routing.retry_on, (std::vector<int>{429, 503}));
  EXPECT_EQ(routing.max_cooldown.count(), 0);
  EXPECT_EQ(routing.breaker.failures, 0u);
  EXPECT_DOUBLE_EQ(routing.breaker.ratio, 0.25);
  EXPECT_EQ(routing.breaker.min_calls, 8u);
  EXPECT_EQ(routing.breaker.window.count(), 2000);
  EXPECT_EQ(routing.breaker.open.count(), 1500);
  EXPECT_EQ(config.model("gpt-4o")->targets.front().weight, 3u);

  const auto& east = config.backend("east")->health_check;
  EXPECT_TRUE(east.enabled);
  EXPECT_TRUE(east.path.empty());  // the model list, chosen by the checker per kind
  EXPECT_EQ(east.interval.count(), 5000);
  EXPECT_EQ(east.expected_status, 200);
  const auto& west = config.backend("west")->health_check;
  EXPECT_EQ(west.path, "/healthz");
  EXPECT_EQ(west.expected_status, 204);
  EXPECT_EQ(west.timeout.count(), 300);
}

TEST(ConfigRouting, MistakesAreReportedWithTheirLines) {
  auto problems = problems_of(R"(backends:
  a: { kind: openai, url: "http://127.0.0.1:1", health_check: { path: healthz, every: 5 } }
models:
  m:
    - { backend: a, weight: 0 }
    - { backend: a }
routing:
  strategy: random
  max_attempts: 0
  retry_on: [200, 503]
  breaker: { ratio: 50, open: 5 }
  retries: 3
)");
  ASSERT_EQ(problems.size(), 10u) << ::testing::PrintToString(problems);
  EXPECT_NE(problems[0].find("t.yaml:2:"), std::string::npos);
  EXPECT_NE(problems[0].find("backends.a.health_check.every: unknown key"), std::string::npos);
  EXPECT_NE(problems[1].find("backends.a.health_check.path: must start with /"), std::string::npos);
  EXPECT_NE(problems[2].find("models.m[0].weight"), std::string::npos);
  EXPECT_NE(problems[3].find("t.yaml:6:"), std::string::npos);
  EXPECT_NE(problems[3].find("a second time"), std::string::npos);
  EXPECT_NE(problems[4].find("routing.retries: unknown key"), std::string::npos);
  EXPECT_NE(problems[5].find("routing.strategy"), std::string::npos);
  EXPECT_NE(problems[6].find("routing.max_attempts"), std::string::npos);
  EXPECT_NE(problems[7].find("t.yaml:10:"), std::string::npos);
  EXPECT_NE(problems[7].find("routing.retry_on"), std::string::npos);
  EXPECT_NE(problems[8].find("routing.breaker.open: unknown key"), std::string::npos);
  EXPECT_NE(problems[9].find("routing.breaker.ratio: must be a number from 0 to 1"),
            std::string::npos);
}

}  // namespace
}  // namespace tollgate
