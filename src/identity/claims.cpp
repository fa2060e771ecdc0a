#include "identity/claims.h"

#include <algorithm>
#include <boost/json/value.hpp>
#include <sstream>

namespace tollgate::identity {

namespace json = boost::json;

namespace {

std::string text_claim(const json::object& claims, std::string_view name) {
  const auto* value = claims.if_contains(name);
  return value && value->is_string() ? std::string(value->as_string()) : std::string{};
}

// A NumericDate claim (seconds since the epoch; RFC 7519 allows fractions).
std::optional<double> time_claim(const json::object& claims, std::string_view name) {
  const auto* value = claims.if_contains(name);
  if (!value) return std::nullopt;
  if (value->is_int64()) return static_cast<double>(value->as_int64());
  if (value->is_uint64()) return static_cast<double>(value->as_uint64());
  if (value->is_double()) return value->as_double();
  return std::nullopt;
}

// A claim as a list of values: an array of strings, or a string of space-separated values
// (`scp`).
std::vector<std::string> list_claim(const json::object& claims, std::string_view name) {
  std::vector<std::string> out;
  const auto* value = claims.if_contains(name);
  if (!value) return out;
  if (value->is_array()) {
    for (const auto& item : value->as_array())
      if (item.is_string()) out.emplace_back(item.as_string());
  } else if (value->is_string()) {
    std::istringstream words{std::string(value->as_string())};
    for (std::string word; words >> word;) out.push_back(word);
  }
  return out;
}

bool contains(const std::vector<std::string>& list, const std::string& value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

std::string first_of(const json::object& claims, std::initializer_list<std::string_view> names) {
  for (auto name : names)
    if (auto value = text_claim(claims, name); !value.empty()) return value;
  return {};
}

}  // namespace

Claims::Claims(const JwtConfig& config, const std::map<std::string, std::string>& applications)
    : config_(config), applications_(applications) {}

const JwtIssuerConfig* Claims::issuer(const Jwt& jwt) const {
  auto iss = text_claim(jwt.claims, "iss");
  if (iss.empty()) return nullptr;
  auto tid = text_claim(jwt.claims, "tid");
  for (const auto& issuer : config_.issuers) {
    std::string expected = issuer.issuer;
    if (auto at = expected.find("{tenantid}"); at != std::string::npos) {
      if (tid.empty()) continue;
      expected.replace(at, 10, tid);
    }
    if (expected == iss) return &issuer;
  }
  return nullptr;
}

std::optional<std::string> Claims::validity(const Jwt& jwt,
                                            std::chrono::system_clock::time_point now) const {
  const double seconds_now = std::chrono::duration<double>(now.time_since_epoch()).count();
  const double skew = static_cast<double>(config_.clock_skew.count());
  auto exp = time_claim(jwt.claims, "exp");
  if (!exp) return "the token has no expiry time (exp)";
  if (seconds_now > *exp + skew) return "the token has expired";
  if (auto nbf = time_claim(jwt.claims, "nbf"); nbf && seconds_now + skew < *nbf)
    return "the token is not valid yet (nbf)";
  if (jwt.claims.contains("nbf") && !time_claim(jwt.claims, "nbf"))
    return "the token's nbf is not a time";

  auto audiences = list_claim(jwt.claims, "aud");
  if (std::none_of(audiences.begin(), audiences.end(),
                   [&](const std::string& aud) { return contains(config_.audiences, aud); }))
    return "the token is not issued for this gateway (aud)";
  if (!config_.tenants.empty() && !contains(config_.tenants, text_claim(jwt.claims, "tid")))
    return "the token's tenant is not allowed (tid)";
  return std::nullopt;
}

std::optional<std::string> Claims::missing_requirement(const Jwt& jwt) const {
  for (const auto& requirement : config_.required_claims) {
    const auto& [claim, accepted] = requirement;
    auto held = list_claim(jwt.claims, claim);
    if (std::none_of(held.begin(), held.end(),
                     [&](const std::string& value) { return contains(requirement.second, value); }))
      return claim;
  }
  return std::nullopt;
}

std::chrono::system_clock::time_point Claims::valid_until(const Jwt& jwt) const {
  auto exp = time_claim(jwt.claims, "exp").value_or(0);
  return std::chrono::system_clock::time_point(
             std::chrono::duration_cast<std::chrono::system_clock::duration>(
                 std::chrono::duration<double>(exp))) +
         config_.clock_skew;
}

Identity Claims::identity(const Jwt& jwt) const {
  Identity identity;
  identity.auth_method = "jwt";
  const auto& claims = jwt.claims;
  identity.app_id = first_of(claims, {"azp", "appid"});
  identity.object_id = text_claim(claims, "oid");
  identity.tenant_id = text_claim(claims, "tid");
  identity.subject = text_claim(claims, "sub");
  identity.name = first_of(claims, {"upn", "preferred_username", "unique_name"});
  if (identity.name.empty()) {
    if (auto app = applications_.find(identity.app_id); app != applications_.end())
      identity.name = app->second;
    else
      identity.name = text_claim(claims, "app_displayname");
  }
  identity.roles = list_claim(claims, "roles");
  identity.scopes = list_claim(claims, "scp");
  return identity;
}

}  // namespace tollgate::identity
