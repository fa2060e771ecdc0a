#include "core/config.h"

#include <gtest/gtest.h>

#include <cstdlib>

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

std::vector<std::string> problems_of(const std::string& text) {
  try {
    parse_config(text, "t.yaml");
  } catch (const ConfigError& e) {
    return e.problems();
  }
  return {};
}

TEST(Config, ParsesTheDesignBriefShape) {
  setenv("TG_TEST_KEY", "secret", 1);
  auto config = parse_config(good, "t.yaml");
  EXPECT_EQ(config.listen_port, 0);
  ASSERT_EQ(config.backends.size(), 2u);
  const auto* eastus = config.backend("eastus");
  ASSERT_TRUE(eastus);
  EXPECT_EQ(eastus->api_key, "secret");
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

TEST(Config, RefusesAuthModesNotBuiltYet) {
  auto problems = problems_of(R"(auth: { mode: jwt }
backends: { a: { kind: openai, url: "http://127.0.0.1:1" } }
models: { m: [ { backend: a } ] }
)");
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_NE(problems[0].find("auth.mode"), std::string::npos);
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
  EXPECT_NE(problems[1].find("must be jsonl, sqlite, stdout, postgres or kafka"),
            std::string::npos);
  EXPECT_NE(problems[2].find("names another sink"), std::string::npos);
}

}  // namespace
}  // namespace tollgate
