#include <gtest/gtest.h>

#include <cstdlib>

#include "core/config.h"

namespace tollgate {
namespace {

const std::string backends = R"(
backends:
  a: { kind: openai, url: "http://127.0.0.1:1" }
models:
  gpt-4o: [ { backend: a } ]
  small: [ { backend: a } ]
)";

std::vector<std::string> problems_of(const std::string& text) {
  try {
    parse_config(text, "t.yaml");
  } catch (const ConfigError& e) {
    return e.problems();
  }
  return {};
}

bool mentions(const std::vector<std::string>& problems, const std::string& text) {
  for (const auto& problem : problems)
    if (problem.find(text) != std::string::npos) return true;
  return false;
}

TEST(ConfigAuth, ParsesEveryPart) {
  auto config = parse_config(R"(auth:
  mode: [jwt, api_key]
  jwt:
    issuers:
      - { issuer: "https://login.microsoftonline.com/t1/v2.0", discovery_url: "https://127.0.0.1:9/t1/v2.0/.well-known/openid-configuration" }
      - { issuer: "https://sts.windows.net/{tenantid}/", jwks_url: "https://127.0.0.1:9/keys" }
    audiences: api://tollgate
    tenants: [t1, t2]
    algorithms: [RS256, ES256]
    clock_skew_s: 30
    unknown_kid_refetch_s: 2
    require: { roles: [Tollgate.Use, Tollgate.Admin] }
  api_keys:
    - { name: batch, sha256: 00112233445566778899AABBCCDDEEFF00112233445566778899aabbccddeeff, app_id: billing, roles: [r1], expires: 2027-01-31 }
  models:
    gpt-4o: { apps: [billing], roles: [Tollgate.Premium] }
  admin: { roles: [Tollgate.Admin] }
  applications: { billing: "Billing batch" }
)" + backends,
                             "t.yaml");
  const auto& auth = config.auth;
  EXPECT_TRUE(auth.allows("jwt"));
  EXPECT_TRUE(auth.allows("api_key"));
  EXPECT_FALSE(auth.allows("none"));
  ASSERT_EQ(auth.jwt.issuers.size(), 2u);
  EXPECT_EQ(auth.jwt.issuers[1].jwks_url, "https://127.0.0.1:9/keys");
  EXPECT_EQ(auth.jwt.audiences, std::vector<std::string>{"api://tollgate"});
  EXPECT_EQ(auth.jwt.clock_skew.count(), 30);
  EXPECT_EQ(auth.jwt.unknown_kid_refetch.count(), 2);
  EXPECT_EQ(auth.jwt.required_claims.at("roles").size(), 2u);
  ASSERT_EQ(auth.api_keys.size(), 1u);
  EXPECT_EQ(auth.api_keys[0].sha256,
            "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff");
  ASSERT_TRUE(auth.api_keys[0].expires.has_value());
  EXPECT_EQ(std::chrono::system_clock::to_time_t(*auth.api_keys[0].expires), 1801353600);
  EXPECT_EQ(auth.models.at("gpt-4o").apps, std::vector<std::string>{"billing"});
  EXPECT_EQ(auth.admin.roles, std::vector<std::string>{"Tollgate.Admin"});
  EXPECT_EQ(auth.applications.at("billing"), "Billing batch");
}

TEST(ConfigAuth, ReportsEveryMistake) {
  auto problems = problems_of(R"(auth:
  mode: [jwt, api_key, magic]
  jwt:
    issuers:
      - { issuer: x, discovery_url: "https://a/", jwks_url: "https://b/" }
      - { jwks_url: "not a url" }
    algorithms: [HS256]
  api_keys:
    - { name: k, sha256: abc, app_id: a, expires: tomorrow }
    - { name: k, sha256: abc }
  models:
    nosuchmodel: { apps: [a] }
)" + backends);
  EXPECT_TRUE(mentions(problems, "auth.mode: 'magic' is not a mode"));
  EXPECT_TRUE(mentions(problems, "auth.jwt.issuers[0]: needs exactly one of"));
  EXPECT_TRUE(mentions(problems, "auth.jwt.issuers[1].issuer: is required"));
  EXPECT_TRUE(mentions(problems, "auth.jwt.issuers[1].jwks_url: must be an absolute"));
  EXPECT_TRUE(mentions(problems, "auth.jwt.audiences: is required"));
  EXPECT_TRUE(mentions(problems, "'HS256' is not supported"));
  EXPECT_TRUE(mentions(problems, "auth.api_keys[0].sha256: must be 64 hexadecimal digits"));
  EXPECT_TRUE(mentions(problems, "auth.api_keys[0].expires: must be a UTC date"));
  EXPECT_TRUE(mentions(problems, "auth.api_keys[1].name: 'k' names another key too"));
  EXPECT_TRUE(mentions(problems, "auth.api_keys[1].app_id: is required"));
  EXPECT_TRUE(mentions(problems, "auth.models.nosuchmodel: 'nosuchmodel' names no model"));
}

TEST(ConfigAuth, ApiKeyModeNeedsKeys) {
  EXPECT_TRUE(
      mentions(problems_of("auth: { mode: api_key }" + backends), "auth.api_keys: is required"));
}

TEST(ConfigAuth, ParsesCredentials) {
  setenv("TG_TEST_SECRET", "s3cret", 1);
  unsetenv("IDENTITY_ENDPOINT");
  auto config = parse_config(R"(
backends:
  cc: { kind: azure, url: "https://127.0.0.1:1", credential: { type: entra_client_credentials, tenant: t1, client_id: c1, client_secret: "${TG_TEST_SECRET}" } }
  mi: { kind: azure, url: "https://127.0.0.1:2", credential: { type: managed_identity } }
  bearer: { kind: openai, url: "http://127.0.0.1:3", credential: { type: bearer, token: tok } }
  pass: { kind: azure, url: "https://127.0.0.1:4", credential: { type: passthrough } }
models:
  m: [ { backend: cc } ]
)",
                             "t.yaml");
  using Type = CredentialConfig::Type;
  const auto& cc = config.backend("cc")->credential;
  EXPECT_EQ(cc.type, Type::entra_client_credentials);
  EXPECT_EQ(cc.secret, "s3cret");
  EXPECT_EQ(cc.token_url, "https://login.microsoftonline.com/t1/oauth2/v2.0/token");
  EXPECT_EQ(cc.scope, "https://cognitiveservices.azure.com/.default");
  const auto& mi = config.backend("mi")->credential;
  EXPECT_EQ(mi.type, Type::managed_identity);
  EXPECT_EQ(mi.token_url, "http://169.254.169.254/metadata/identity/oauth2/token");
  EXPECT_TRUE(mi.identity_header.empty());
  EXPECT_EQ(config.backend("bearer")->credential.secret, "tok");
  EXPECT_EQ(config.backend("pass")->credential.type, Type::passthrough);
}

TEST(ConfigAuth, ManagedIdentityFollowsAppServiceEnvironment) {
  setenv("IDENTITY_ENDPOINT", "http://127.0.0.1:41234/msi/token", 1);
  setenv("IDENTITY_HEADER", "hdr", 1);
  auto config = parse_config(R"(
backends:
  mi: { kind: azure, url: "https://127.0.0.1:2", credential: { type: managed_identity, client_id: uami } }
models:
  m: [ { backend: mi } ]
)",
                             "t.yaml");
  unsetenv("IDENTITY_ENDPOINT");
  unsetenv("IDENTITY_HEADER");
  const auto& mi = config.backend("mi")->credential;
  EXPECT_EQ(mi.token_url, "http://127.0.0.1:41234/msi/token");
  EXPECT_EQ(mi.identity_header, "hdr");
  EXPECT_EQ(mi.client_id, "uami");
}

TEST(ConfigAuth, RefusesCredentialMistakes) {
  auto problems = problems_of(R"(
backends:
  a: { kind: azure, url: "https://127.0.0.1:1", api_key: k, credential: { type: bearer, token: t } }
  b: { kind: azure, url: "https://127.0.0.1:1", credential: { type: entra_client_credentials, tenant: t, token: x } }
  c: { kind: azure, url: "https://127.0.0.1:1", credential: { type: kerberos } }
models:
  m: [ { backend: a } ]
)");
  EXPECT_TRUE(mentions(problems, "backends.a.credential: give either api_key or credential"));
  EXPECT_TRUE(mentions(problems, "backends.b.credential.token: does not apply"));
  EXPECT_TRUE(mentions(problems, "backends.b.credential.client_id: is required"));
  EXPECT_TRUE(mentions(problems, "backends.c.credential.type: must be api_key, bearer"));
}

}  // namespace
}  // namespace tollgate
