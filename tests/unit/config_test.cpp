#include "core/config.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>

#include "config_problems.h"
#include "core/clock.h"

namespace tollgate {
namespace {

const char* good = R"(listen: 127.0.0.1:0
auth:
  mode: none
backends:
  eastus: { kind: azure, url: "https://contoso.openai.azure.com", api_key: "${TG_TEST_KEY}", api_version: 2024-10-21 }
  local:  { kind: openai, url: "http://127.0.0.1:9001/v1/" }
models:
  gpt-4o:
    - { backend: local, deployment: gpt-4o-mini, priority: 2 }
    - { backend: eastus, deployment: gpt-4o-ptu, priority: 1 }
  text-embedding-3-small:
    - { backend: local }
audit:
  spool: ./data/spool
  sinks:
    - { type: jsonl, path: ./data/events.jsonl }
)";

TEST(Config, ParsesTheDesignBriefShape) {
  setenv("TG_TEST_KEY", "secret", 1);
  auto config = parse_config(good, "t.yaml");
  EXPECT_EQ(config.listen_port, 0);
  ASSERT_EQ(config.backends.size(), 2u);
  const auto* eastus = config.backend("eastus");
  ASSERT_TRUE(eastus);
  EXPECT_EQ(eastus->credential.type, CredentialConfig::Type::api_key);
  EXPECT_EQ(eastus->credential.secret, "secret");
  EXPECT_TRUE(eastus->tls);
  EXPECT_EQ(eastus->port, "443");
  EXPECT_EQ(config.backend("local")->base_path, "/v1");
  EXPECT_EQ(config.backend("local")->port, "9001");
  const auto* model = config.model("gpt-4o");
  ASSERT_TRUE(model);
  EXPECT_EQ(model->targets.front().backend, "eastus");  // lowest priority number first
  EXPECT_EQ(config.model("text-embedding-3-small")->targets.front().deployment,
            "text-embedding-3-small");
  EXPECT_EQ(config.audit.sinks.at(0).settings.at("path"), "./data/events.jsonl");
}

TEST(Config, ReportsEveryProblemWithItsLine) {
  unsetenv("TG_MISSING");
  auto problems = problems_of(R"(listen: nowhere
backends:
  a: { kind: azure, url: "ftp://x", api_key: "${TG_MISSING}", colour: blue }
models:
  m:
    - { backend: b }
)");
  ASSERT_EQ(problems.size(), 5u);
  EXPECT_EQ(problems[0].rfind("t.yaml:1:9: listen:", 0), 0u) << problems[0];
  EXPECT_NE(problems[1].find("t.yaml:3:"), std::string::npos);
  EXPECT_NE(problems[1].find("backends.a.colour: unknown key"), std::string::npos);
  EXPECT_NE(problems[2].find("backends.a.url"), std::string::npos);
  EXPECT_NE(problems[3].find("TG_MISSING is not set"), std::string::npos);
  EXPECT_NE(problems[4].find("t.yaml:6:"), std::string::npos);
  EXPECT_NE(problems[4].find("names no backend"), std::string::npos);
}

TEST(Config, EnvironmentDefaults) {
  unsetenv("TG_UNSET");
  auto config = parse_config(R"(backends:
  a: { kind: openai, url: "${TG_UNSET:-http://127.0.0.1:1}/v1" }
models:
  m: [ { backend: a } ]
)",
                             "t.yaml");
  EXPECT_EQ(config.backend("a")->url, "http://127.0.0.1:1/v1");
}

TEST(Config, SyntaxErrorHasALine) {
  auto problems = problems_of("backends: [\n");
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].rfind("t.yaml:", 0), 0u);
}

TEST(Config, JwtModeNeedsItsSettings) {
  auto problems = problems_of(R"(auth: { mode: jwt }
backends: { a: { kind: openai, url: "http://127.0.0.1:1" } }
models: { m: [ { backend: a } ] }
)");
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_NE(problems[0].find("auth.jwt: is required"), std::string::npos);
}

}  // namespace
}  // namespace tollgate

namespace tollgate {
namespace {

TEST(Config, AuditSinksAreNamedAndChecked) {
  auto config = parse_config(R"(backends: { a: { kind: openai, url: "http://127.0.0.1:1" } }
models: { m: [ { backend: a } ] }
audit:
  when_full: drop
  mask: [ { pattern: 'x+' } ]
  sinks:
    - { type: jsonl, path: a.jsonl }
    - { type: jsonl, path: b.jsonl, format: apim, oversize: split, max_event_bytes: 65536 }
    - { type: sqlite, path: t.db }
)",
                             "t.yaml");
  ASSERT_TRUE(config.audit.enabled);
  ASSERT_EQ(config.audit.sinks.size(), 3u);
  EXPECT_EQ(config.audit.sinks[0].name, "jsonl");
  EXPECT_EQ(config.audit.sinks[1].name, "jsonl-2");
  EXPECT_EQ(config.audit.sinks[1].format, SinkConfig::Format::apim);
  EXPECT_EQ(config.audit.sinks[1].oversize, SinkConfig::Oversize::split);
  EXPECT_EQ(config.audit.sinks[1].max_event_bytes, 65536u);
  EXPECT_EQ(config.audit.sinks[1].settings.at("path"), "b.jsonl");
  EXPECT_EQ(config.audit.when_full, AuditConfig::WhenFull::drop);
  EXPECT_EQ(config.audit.mask.at(0).replacement, "[masked]");

  auto problems = problems_of(R"(backends: { a: { kind: openai, url: "http://127.0.0.1:1" } }
models: { m: [ { backend: a } ] }
audit:
  mask: [ { pattern: '(' } ]
  sinks:
    - { type: nats }
    - { type: jsonl, name: x, path: a }
    - { type: jsonl, name: x, path: b }
)");
  ASSERT_EQ(problems.size(), 3u);
  EXPECT_NE(problems[0].find("audit.mask[0].pattern"), std::string::npos);
  EXPECT_NE(problems[1].find("must be jsonl, sqlite, stdout, postgres, kafka, http or "
                             "eventhubs_http"),
            std::string::npos);
  EXPECT_NE(problems[2].find("names another sink"), std::string::npos);
}

}  // namespace
}  // namespace tollgate

namespace tollgate {
namespace {

const char* priced = R"(backends:
  local: { kind: openai, url: "http://127.0.0.1:9001/v1" }
models:
  gpt-4o: [ { backend: local } ]
  text-embedding-3-small: [ { backend: local } ]
prices:
  gpt-4o:
    - { input: 2.5, cached_input: 1.25, output: 10, currency: USD, effective_from: 2026-03-01 }
    - { input: 5, output: 15, currency: USD }
  text-embedding-3-small:
    - { input: 0.02, output: 0, currency: EUR, effective_from: "2026-01-01T12:00:00+01:00" }
)";

TEST(ConfigPrices, AreKeptPerModelInTheOrderTheyTakeEffect) {
  auto config = parse_config(priced, "t.yaml");
  const auto& prices = config.model("gpt-4o")->prices;
  ASSERT_EQ(prices.size(), 2u);
  EXPECT_EQ(prices[0].effective_from, std::chrono::system_clock::time_point::min());
  EXPECT_EQ(prices[0].input, 5);
  EXPECT_EQ(prices[0].cached_input, 5);  // no cached_input: no discount
  EXPECT_EQ(prices[0].output, 15);
  EXPECT_EQ(rfc3339_micros(prices[1].effective_from), "2026-03-01T00:00:00.000000Z");
  EXPECT_EQ(prices[1].cached_input, 1.25);
  const auto& embedding = config.model("text-embedding-3-small")->prices;
  ASSERT_EQ(embedding.size(), 1u);
  EXPECT_EQ(embedding[0].currency, "EUR");
  EXPECT_EQ(rfc3339_micros(embedding[0].effective_from), "2026-01-01T11:00:00.000000Z");
}

TEST(ConfigPrices, MistakesAreReportedWithTheirLines) {
  auto problems = problems_of(R"(backends:
  local: { kind: openai, url: "http://127.0.0.1:9001/v1" }
models:
  gpt-4o: [ { backend: local } ]
prices:
  gpt-4:
    - { input: 1, output: 1, currency: USD }
  gpt-4o:
    - { input: -1, output: cheap, currency: usd, effective_from: 2026-02-30, discount: 5 }
    - { output: 1 }
    - { input: 1, output: 1, currency: USD }
)");
  std::vector<std::string> expected{
      "t.yaml:6:3: prices.gpt-4: 'gpt-4' names no model defined under models",
      "t.yaml:9:78: prices.gpt-4o[0].discount: unknown key",
      "t.yaml:10:7: prices.gpt-4o[1].input: is required",
      "t.yaml:10:7: prices.gpt-4o[1].currency: is required",
      "t.yaml:10:7: prices.gpt-4o[1]: another price of this model has no effective_from either",
      "t.yaml:11:7: prices.gpt-4o[2]: another price of this model has no effective_from either",
  };
  for (const auto& line : expected)
    EXPECT_NE(std::find(problems.begin(), problems.end(), line), problems.end())
        << line << "\nnot among:\n"
        << fmt::format("{}", fmt::join(problems, "\n"));
  auto mentions = [&](const std::string& key) {
    return std::any_of(problems.begin(), problems.end(),
                       [&](const auto& p) { return p.find(key) != std::string::npos; });
  };
  EXPECT_TRUE(mentions("t.yaml:9:16: prices.gpt-4o[0].input: must be a number, 0 or more"));
  EXPECT_TRUE(mentions("prices.gpt-4o[0].output: must be a number"));
  EXPECT_TRUE(mentions("prices.gpt-4o[0].currency: must be an ISO 4217 code"));
  EXPECT_TRUE(mentions("prices.gpt-4o[0].effective_from: must be a date"));
}

}  // namespace
}  // namespace tollgate
