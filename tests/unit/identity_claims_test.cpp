// Claims, access rules, API keys and token-endpoint answers.
#include <gtest/gtest.h>

#include "identity/access_rules.h"
#include "identity/api_keys.h"
#include "identity/claims.h"
#include "identity/token_provider.h"

namespace tollgate::identity {
namespace {

namespace json = boost::json;
using std::chrono::system_clock;

Jwt jwt_with(json::object claims) {
  Jwt jwt;
  jwt.alg = "RS256";
  jwt.claims = std::move(claims);
  return jwt;
}

class ClaimsTest : public ::testing::Test {
 protected:
  ClaimsTest() {
    config.issuers.push_back({"https://login.microsoftonline.com/{tenantid}/v2.0", "", "u", ""});
    config.issuers.push_back({"https://sts.windows.net/t1/", "", "u", ""});
    config.audiences = {"api://tollgate", "client-id"};
    applications["app-2"] = "Nightly batch";
  }
  std::int64_t now_s = 1'800'000'000;
  system_clock::time_point now = system_clock::from_time_t(now_s);
  JwtConfig config;
  std::map<std::string, std::string> applications;

  json::object valid() const {
    return {{"iss", "https://sts.windows.net/t1/"},
            {"aud", "api://tollgate"},
            {"tid", "t1"},
            {"exp", now_s + 600},
            {"nbf", now_s - 10},
            {"sub", "s"}};
  }
  std::string validity(json::object claims) const {
    auto why = Claims(config, applications).validity(jwt_with(std::move(claims)), now);
    return why ? *why : "";
  }
};

TEST_F(ClaimsTest, MatchesIssuersIncludingTheTenantTemplate) {
  Claims claims(config, applications);
  EXPECT_EQ(claims.issuer(jwt_with(valid())), &config.issuers[1]);
  EXPECT_EQ(claims.issuer(
                jwt_with({{"iss", "https://login.microsoftonline.com/t9/v2.0"}, {"tid", "t9"}})),
            &config.issuers[0]);
  // The template stands for the token's own tenant only.
  EXPECT_EQ(claims.issuer(
                jwt_with({{"iss", "https://login.microsoftonline.com/t9/v2.0"}, {"tid", "t8"}})),
            nullptr);
  EXPECT_EQ(claims.issuer(jwt_with({{"iss", "https://evil.example/"}})), nullptr);
  EXPECT_EQ(claims.issuer(jwt_with({})), nullptr);
}

TEST_F(ClaimsTest, ChecksTimesWithSkew) {
  EXPECT_EQ(validity(valid()), "");
  auto claims = valid();
  claims.erase("exp");
  EXPECT_EQ(validity(claims), "the token has no expiry time (exp)");
  claims["exp"] = "tomorrow";
  EXPECT_EQ(validity(claims), "the token has no expiry time (exp)");
  claims["exp"] = now_s - 59;  // within the 60 s skew
  EXPECT_EQ(validity(claims), "");
  claims["exp"] = now_s - 61;
  EXPECT_EQ(validity(claims), "the token has expired");
  claims = valid();
  claims["nbf"] = now_s + 59;
  EXPECT_EQ(validity(claims), "");
  claims["nbf"] = now_s + 61;
  EXPECT_EQ(validity(claims), "the token is not valid yet (nbf)");
  config.clock_skew = std::chrono::seconds(0);
  claims = valid();
  claims["exp"] = now_s - 1;
  EXPECT_EQ(validity(claims), "the token has expired");
}

TEST_F(ClaimsTest, ChecksAudienceAndTenant) {
  auto claims = valid();
  claims["aud"] = "api://other";
  EXPECT_EQ(validity(claims), "the token is not issued for this gateway (aud)");
  claims["aud"] = json::array{"api://other", "client-id"};
  EXPECT_EQ(validity(claims), "");
  claims.erase("aud");
  EXPECT_EQ(validity(claims), "the token is not issued for this gateway (aud)");
  config.tenants = {"t2"};
  EXPECT_EQ(validity(valid()), "the token's tenant is not allowed (tid)");
  config.tenants = {"t1", "t2"};
  EXPECT_EQ(validity(valid()), "");
}

TEST_F(ClaimsTest, RequiredClaims) {
  config.required_claims["roles"] = {"Tollgate.Use"};
  config.required_claims["scp"] = {"llm.call"};
  Claims claims(config, applications);
  auto token = valid();
  EXPECT_EQ(claims.missing_requirement(jwt_with(token)), "roles");
  token["roles"] = json::array{"Other", "Tollgate.Use"};
  EXPECT_EQ(claims.missing_requirement(jwt_with(token)), "scp");
  token["scp"] = "openid llm.call profile";
  EXPECT_EQ(claims.missing_requirement(jwt_with(token)), std::nullopt);
}

TEST_F(ClaimsTest, IdentityFromV1AndV2Tokens) {
  Claims claims(config, applications);
  auto v1 = claims.identity(jwt_with({{"appid", "app-1"},
                                      {"oid", "o1"},
                                      {"tid", "t1"},
                                      {"sub", "s1"},
                                      {"upn", "alice@contoso.com"},
                                      {"roles", json::array{"A", "B"}}}));
  EXPECT_EQ(v1.auth_method, "jwt");
  EXPECT_EQ(v1.app_id, "app-1");
  EXPECT_EQ(v1.object_id, "o1");
  EXPECT_EQ(v1.tenant_id, "t1");
  EXPECT_EQ(v1.subject, "s1");
  EXPECT_EQ(v1.name, "alice@contoso.com");
  EXPECT_EQ(v1.roles, (std::vector<std::string>{"A", "B"}));
  auto v2 = claims.identity(jwt_with({{"azp", "app-2"}, {"preferred_username", "bob"}}));
  EXPECT_EQ(v2.app_id, "app-2");
  EXPECT_EQ(v2.name, "bob");
  // An app-only token: the configured application name.
  auto app = claims.identity(jwt_with({{"azp", "app-2"}, {"oid", "sp"}}));
  EXPECT_EQ(app.name, "Nightly batch");
}

Identity caller(std::string app, std::vector<std::string> roles = {}) {
  Identity identity;
  identity.auth_method = "jwt";
  identity.app_id = std::move(app);
  identity.roles = std::move(roles);
  return identity;
}

TEST(AccessRules, PerModelListsAndAdmin) {
  AuthConfig auth;
  auth.modes = {"jwt"};
  auth.models["gpt-4o"] = {{"billing"}, {"Premium"}};
  auth.admin = {{}, {"Admin"}};
  AccessRules rules(auth);
  auto billing = caller("billing");
  auto premium = caller("other", {"Premium"});
  auto plain = caller("other");
  EXPECT_FALSE(rules.may_use(billing, "gpt-4o"));
  EXPECT_FALSE(rules.may_use(premium, "gpt-4o"));
  ASSERT_TRUE(rules.may_use(plain, "gpt-4o"));
  EXPECT_EQ(rules.may_use(plain, "gpt-4o")->kind, AuthFailure::Kind::forbidden);
  EXPECT_FALSE(rules.may_use(plain, "small"));  // not listed: open
  EXPECT_TRUE(rules.may_administer(plain));
  auto admin = caller("ops", {"Admin"});
  EXPECT_FALSE(rules.may_administer(admin));
  EXPECT_EQ(rules.may_administer(Identity{})->kind, AuthFailure::Kind::unauthenticated);
  auth.modes = {"none"};
  EXPECT_FALSE(rules.may_administer(Identity{}));
}

TEST(ApiKeys, ValidWrongAndExpired) {
  auto key = new_api_key();
  EXPECT_EQ(key.rfind("tg-", 0), 0u);
  EXPECT_EQ(key.size(), 46u);
  EXPECT_NE(new_api_key(), key);
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  AuthConfig auth;
  auth.applications["billing"] = "Billing";
  auth.api_keys.push_back({"batch", sha256_hex(key), "billing", {"r"}, std::nullopt});
  auth.api_keys.push_back(
      {"old", sha256_hex("old-key"), "legacy", {}, system_clock::from_time_t(1'700'000'000)});
  ApiKeys keys(auth);
  auto now = system_clock::from_time_t(1'800'000'000);
  auto ok = keys.check(key, now);
  ASSERT_TRUE(std::holds_alternative<Identity>(ok));
  const auto& identity = std::get<Identity>(ok);
  EXPECT_EQ(identity.auth_method, "api_key");
  EXPECT_EQ(identity.app_id, "billing");
  EXPECT_EQ(identity.subject, "batch");
  EXPECT_EQ(identity.name, "Billing");
  EXPECT_EQ(identity.roles, std::vector<std::string>{"r"});
  auto wrong = keys.check(key + "x", now);
  ASSERT_TRUE(std::holds_alternative<AuthFailure>(wrong));
  EXPECT_EQ(std::get<AuthFailure>(wrong).reason, "the API key is not valid");
  auto expired = keys.check("old-key", now);
  ASSERT_TRUE(std::holds_alternative<AuthFailure>(expired));
  EXPECT_EQ(std::get<AuthFailure>(expired).reason, "the API key 'old' has expired");
}

TEST(TokenAnswer, ReadsEntraAndImdsShapes) {
  auto now = system_clock::from_time_t(1'800'000'000);
  auto entra = read_token_answer(
      R"({"token_type":"Bearer","expires_in":3599,"access_token":"eyJ.a.b"})", now);
  ASSERT_TRUE(std::holds_alternative<AccessToken>(entra));
  EXPECT_EQ(std::get<AccessToken>(entra).value, "eyJ.a.b");
  EXPECT_EQ(std::get<AccessToken>(entra).expires, now + std::chrono::seconds(3599));
  auto imds = read_token_answer(
      R"({"access_token":"t","expires_in":"86399","expires_on":"1800086399"})", now);
  EXPECT_EQ(std::get<AccessToken>(imds).expires, now + std::chrono::seconds(86399));
  auto app_service = read_token_answer(R"({"access_token":"t","expires_on":"1800000600"})", now);
  EXPECT_EQ(std::get<AccessToken>(app_service).expires, now + std::chrono::seconds(600));
  EXPECT_TRUE(std::holds_alternative<std::string>(read_token_answer(R"({"x":1})", now)));
  EXPECT_TRUE(std::holds_alternative<std::string>(read_token_answer("oops", now)));
  EXPECT_TRUE(
      std::holds_alternative<std::string>(read_token_answer(R"({"access_token":"t"})", now)));
}

}  // namespace
}  // namespace tollgate::identity
