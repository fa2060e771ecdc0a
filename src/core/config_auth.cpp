// The `auth` section and the backends' `credential` entries (docs/identity.md).
#include <algorithm>
#include <cctype>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <map>
#include <optional>
#include <set>

#include "core/config_reader.h"
#include "core/endpoint_url.h"

namespace tollgate::config_detail {

namespace {

constexpr const char* azure_login = "https://login.microsoftonline.com";
constexpr const char* imds_token_url = "http://169.254.169.254/metadata/identity/oauth2/token";

void check_url(Reader& r, const YAML::Node& node, const std::string& key, const std::string& url) {
  auto parsed = parse_endpoint_url(url);
  if (auto* why = std::get_if<std::string>(&parsed)) r.problem(node, key, *why);
}

void readable_file(Reader& r, const YAML::Node& node, const std::string& key, std::string& path) {
  path = r.text(node, key);
  if (!std::ifstream(path)) r.problem(node, key, "cannot be read");
}

std::chrono::seconds seconds(Reader& r, const YAML::Node& node, const std::string& key) {
  return std::chrono::seconds(r.number<long>(node, key, 0, 366L * 86'400));
}

// "2027-01-31" (midnight UTC) or "2027-01-31T12:00:00Z".
std::optional<std::chrono::system_clock::time_point> utc_time(const std::string& text) {
  std::tm tm{};
  char zulu = 0;
  int consumed = 0;
  if (std::sscanf(text.c_str(), "%4d-%2d-%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &consumed) !=
      3)
    return std::nullopt;
  if (static_cast<std::size_t>(consumed) != text.size() &&
      (std::sscanf(text.c_str() + consumed, "T%2d:%2d:%2d%c%n", &tm.tm_hour, &tm.tm_min, &tm.tm_sec,
                   &zulu, &consumed) != 4 ||
       zulu != 'Z'))
    return std::nullopt;
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  if (tm.tm_mon < 0 || tm.tm_mon > 11 || tm.tm_mday < 1 || tm.tm_mday > 31) return std::nullopt;
  return std::chrono::system_clock::from_time_t(::timegm(&tm));
}

void parse_issuer(Reader& r, const YAML::Node& node, const std::string& key, JwtConfig& jwt) {
  if (!r.expect_map(node, key, {"issuer", "discovery_url", "jwks_url", "ca_file"})) return;
  JwtIssuerConfig issuer;
  if (!node["issuer"])
    r.problem(node, key + ".issuer", "is required: the token's `iss` value to trust");
  else
    issuer.issuer = r.text(node["issuer"], key + ".issuer");
  if (node["discovery_url"]) {
    issuer.discovery_url = r.text(node["discovery_url"], key + ".discovery_url");
    check_url(r, node["discovery_url"], key + ".discovery_url", issuer.discovery_url);
  }
  if (node["jwks_url"]) {
    issuer.jwks_url = r.text(node["jwks_url"], key + ".jwks_url");
    check_url(r, node["jwks_url"], key + ".jwks_url", issuer.jwks_url);
  }
  if (issuer.discovery_url.empty() == issuer.jwks_url.empty())
    r.problem(node, key,
              "needs exactly one of discovery_url (OpenID configuration) or jwks_url, to find "
              "the issuer's signing keys");
  if (node["ca_file"]) readable_file(r, node["ca_file"], key + ".ca_file", issuer.ca_file);
  jwt.issuers.push_back(std::move(issuer));
}

void parse_jwt(Reader& r, const YAML::Node& node, JwtConfig& jwt) {
  if (!r.expect_map(node, "auth.jwt",
                    {"issuers", "audiences", "tenants", "algorithms", "clock_skew_s",
                     "keys_refresh_s", "unknown_kid_refetch_s", "fetch_timeout_ms", "require"}))
    return;
  if (!node["issuers"] || !node["issuers"].IsSequence() || node["issuers"].size() == 0) {
    r.problem(node["issuers"] ? node["issuers"] : node, "auth.jwt.issuers",
              "must list at least one issuer");
  } else {
    for (std::size_t i = 0; i < node["issuers"].size(); ++i)
      parse_issuer(r, node["issuers"][i], fmt::format("auth.jwt.issuers[{}]", i), jwt);
  }
  if (!node["audiences"])
    r.problem(node, "auth.jwt.audiences",
              "is required: the `aud` values tokens must be issued for (the gateway's app id "
              "URI or client id)");
  else
    jwt.audiences = string_list(r, node["audiences"], "auth.jwt.audiences");
  if (node["tenants"]) jwt.tenants = string_list(r, node["tenants"], "auth.jwt.tenants");
  if (node["algorithms"]) {
    jwt.algorithms = string_list(r, node["algorithms"], "auth.jwt.algorithms");
    static const std::set<std::string> supported{"RS256", "RS384", "RS512",
                                                 "PS256", "ES256", "ES384"};
    for (const auto& alg : jwt.algorithms)
      if (!supported.count(alg))
        r.problem(node["algorithms"], "auth.jwt.algorithms",
                  "'" + alg + "' is not supported (RS256, RS384, RS512, PS256, ES256, ES384 are)");
  }
  if (node["clock_skew_s"])
    jwt.clock_skew = seconds(r, node["clock_skew_s"], "auth.jwt.clock_skew_s");
  if (node["keys_refresh_s"])
    jwt.keys_refresh = seconds(r, node["keys_refresh_s"], "auth.jwt.keys_refresh_s");
  if (node["unknown_kid_refetch_s"])
    jwt.unknown_kid_refetch =
        seconds(r, node["unknown_kid_refetch_s"], "auth.jwt.unknown_kid_refetch_s");
  if (node["fetch_timeout_ms"])
    jwt.fetch_timeout = r.millis(node["fetch_timeout_ms"], "auth.jwt.fetch_timeout_ms");
  if (const auto& require = node["require"]) {
    if (!require.IsMap()) {
      r.problem(require, "auth.jwt.require", "must map claim names to accepted values");
    } else {
      for (const auto& item : require) {
        auto claim = item.first.as<std::string>();
        jwt.required_claims[claim] = string_list(r, item.second, "auth.jwt.require." + claim);
      }
    }
  }
}

void parse_api_key(Reader& r, const YAML::Node& node, const std::string& key,
                   std::vector<ApiKeyConfig>& keys) {
  if (!r.expect_map(node, key, {"name", "sha256", "app_id", "roles", "expires"})) return;
  ApiKeyConfig entry;
  if (!node["name"]) r.problem(node, key + ".name", "is required");
  if (node["name"]) entry.name = r.text(node["name"], key + ".name");
  if (!node["sha256"]) {
    r.problem(node, key + ".sha256",
              "is required: the key's SHA-256 in hex (`tollgate key new` prints it)");
  } else {
    entry.sha256 = r.text(node["sha256"], key + ".sha256");
    std::transform(entry.sha256.begin(), entry.sha256.end(), entry.sha256.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (entry.sha256.size() != 64 ||
        entry.sha256.find_first_not_of("0123456789abcdef") != std::string::npos)
      r.problem(node["sha256"], key + ".sha256", "must be 64 hexadecimal digits");
  }
  if (!node["app_id"])
    r.problem(node, key + ".app_id", "is required: the application the key's calls bill to");
  else
    entry.app_id = r.text(node["app_id"], key + ".app_id");
  if (node["roles"]) entry.roles = string_list(r, node["roles"], key + ".roles");
  if (node["expires"]) {
    entry.expires = utc_time(r.text(node["expires"], key + ".expires"));
    if (!entry.expires)
      r.problem(node["expires"], key + ".expires",
                "must be a UTC date (2027-01-31) or time (2027-01-31T12:00:00Z)");
  }
  for (const auto& other : keys) {
    if (!entry.name.empty() && other.name == entry.name)
      r.problem(node, key + ".name", "'" + entry.name + "' names another key too");
    if (!entry.sha256.empty() && other.sha256 == entry.sha256)
      r.problem(node, key + ".sha256", "is the hash of another key too");
  }
  keys.push_back(std::move(entry));
}

void parse_access_list(Reader& r, const YAML::Node& node, const std::string& key,
                       AccessList& list) {
  if (!r.expect_map(node, key, {"apps", "roles"})) return;
  if (node["apps"]) list.apps = string_list(r, node["apps"], key + ".apps");
  if (node["roles"]) list.roles = string_list(r, node["roles"], key + ".roles");
}

}  // namespace

void parse_auth(Reader& r, const YAML::Node& node, AuthConfig& auth) {
  if (!r.expect_map(node, "auth", {"mode", "jwt", "api_keys", "models", "admin", "applications"}))
    return;
  if (const auto& mode = node["mode"]) {
    auth.modes = string_list(r, mode, "auth.mode");
    for (const auto& value : auth.modes)
      if (value != "none" && value != "jwt" && value != "api_key")
        r.problem(mode, "auth.mode", "'" + value + "' is not a mode (none, jwt, api_key)");
  }
  if (auth.allows("jwt")) {
    if (!node["jwt"])
      r.problem(node, "auth.jwt", "is required when auth.mode includes jwt");
    else
      parse_jwt(r, node["jwt"], auth.jwt);
  } else if (node["jwt"]) {
    r.problem(node["jwt"], "auth.jwt", "is set, but auth.mode does not include jwt");
  }
  if (const auto& keys = node["api_keys"]) {
    if (!keys.IsSequence()) {
      r.problem(keys, "auth.api_keys", "must be a list of { name, sha256, app_id } entries");
    } else {
      for (std::size_t i = 0; i < keys.size(); ++i)
        parse_api_key(r, keys[i], fmt::format("auth.api_keys[{}]", i), auth.api_keys);
    }
  }
  if (auth.allows("api_key") && auth.api_keys.empty() && !node["api_keys"])
    r.problem(node, "auth.api_keys",
              "is required when auth.mode includes api_key (`tollgate key new` makes one)");
  if (const auto& models = node["models"]) {
    if (!models.IsMap()) {
      r.problem(models, "auth.models", "must map model names to { apps, roles }");
    } else {
      for (const auto& item : models) {
        auto name = item.first.as<std::string>();
        parse_access_list(r, item.second, "auth.models." + name, auth.models[name]);
      }
    }
  }
  if (node["admin"]) parse_access_list(r, node["admin"], "auth.admin", auth.admin);
  if (const auto& apps = node["applications"]) {
    if (!apps.IsMap()) {
      r.problem(apps, "auth.applications", "must map application ids to names");
    } else {
      for (const auto& item : apps) {
        auto id = item.first.as<std::string>();
        auth.applications[id] = r.text(item.second, "auth.applications." + id);
      }
    }
  }
}

void parse_credential(Reader& r, const YAML::Node& node, const std::string& key,
                      CredentialConfig& credential) {
  if (!r.expect_map(node, key,
                    {"type", "key", "token", "tenant", "client_id", "client_secret", "scope",
                     "token_url", "identity_header", "ca_file"}))
    return;
  using Type = CredentialConfig::Type;
  static const std::map<std::string, Type> types{
      {"api_key", Type::api_key},
      {"bearer", Type::bearer},
      {"entra_client_credentials", Type::entra_client_credentials},
      {"managed_identity", Type::managed_identity},
      {"passthrough", Type::passthrough}};
  auto type_name = node["type"] ? r.text(node["type"], key + ".type") : std::string{};
  auto type = types.find(type_name);
  if (type == types.end()) {
    r.problem(node["type"] ? node["type"] : node, key + ".type",
              "must be api_key, bearer, entra_client_credentials, managed_identity or "
              "passthrough");
    return;
  }
  credential.type = type->second;
  // The keys each type takes, and the one secret it requires.
  auto only = [&](std::initializer_list<const char*> allowed) {
    for (const auto& item : node) {
      auto name = item.first.as<std::string>();
      if (name != "type" &&
          std::none_of(allowed.begin(), allowed.end(), [&](const char* a) { return name == a; }))
        r.problem(item.first, key + "." + name,
                  "does not apply to a credential of type " + type_name);
    }
  };
  auto required = [&](const char* name, std::string& out) {
    if (!node[name])
      r.problem(node, key + "." + name, "is required for a credential of type " + type_name);
    else
      out = r.text(node[name], key + "." + name);
  };
  if (node["scope"]) credential.scope = r.text(node["scope"], key + ".scope");
  if (node["ca_file"]) readable_file(r, node["ca_file"], key + ".ca_file", credential.ca_file);
  switch (credential.type) {
    case Type::api_key:
      only({"key"});
      required("key", credential.secret);
      break;
    case Type::bearer:
      only({"token"});
      required("token", credential.secret);
      break;
    case Type::entra_client_credentials:
      only({"tenant", "client_id", "client_secret", "scope", "token_url", "ca_file"});
      required("tenant", credential.tenant);
      required("client_id", credential.client_id);
      required("client_secret", credential.secret);
      credential.token_url = node["token_url"] ? r.text(node["token_url"], key + ".token_url")
                                               : fmt::format("{}/{}/oauth2/v2.0/token", azure_login,
                                                             credential.tenant);
      break;
    case Type::managed_identity: {
      only({"client_id", "scope", "token_url", "identity_header", "ca_file"});
      if (node["client_id"]) credential.client_id = r.text(node["client_id"], key + ".client_id");
      // App Service and Container Apps announce their endpoint in the environment.
      const char* endpoint = std::getenv("IDENTITY_ENDPOINT");
      const char* header = std::getenv("IDENTITY_HEADER");
      if (node["token_url"]) {
        credential.token_url = r.text(node["token_url"], key + ".token_url");
        if (node["identity_header"])
          credential.identity_header = r.text(node["identity_header"], key + ".identity_header");
      } else if (endpoint && *endpoint && header && *header) {
        credential.token_url = endpoint;
        credential.identity_header = header;
      } else {
        credential.token_url = imds_token_url;
      }
      break;
    }
    case Type::passthrough:
    case Type::none:
      only({});
      break;
  }
  if (!credential.token_url.empty())
    check_url(r, node["token_url"] ? node["token_url"] : node, key + ".token_url",
              credential.token_url);
}

}  // namespace tollgate::config_detail
