// The configuration file, parsed into plain structs. Loading validates everything it can
// without touching the network, and reports every mistake with its file, line and column.
//
// A Config is immutable once loaded; the gateway shares one snapshot between its event loops.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace tollgate {

enum class BackendKind { azure, openai };

// An active health check: the backend is taken out of rotation while its check fails.
struct HealthCheckConfig {
  bool enabled = false;
  // Absolute path (and query) on the backend's host; empty: the backend's model list.
  std::string path;
  std::chrono::milliseconds interval{10'000};
  int expected_status = 200;
  std::chrono::milliseconds timeout{2'000};
};

// How the gateway proves itself to a backend (identity/upstream_credentials.h). Secrets are
// never logged.
struct CredentialConfig {
  enum class Type {
    none,                      // send nothing
    api_key,                   // `api-key` to Azure, `Authorization: Bearer` to OpenAI kinds
    bearer,                    // a static bearer token
    entra_client_credentials,  // an Entra ID app's client id + secret, exchanged for tokens
    managed_identity,          // the Azure host's identity (IMDS, or App Service's endpoint)
    passthrough,               // the caller's own Entra ID token, forwarded as is
  } type = Type::none;
  std::string secret;  // api_key: the key; bearer: the token; client credentials: the secret
  std::string tenant;
  std::string client_id;  // client credentials; managed identity: a user-assigned identity
  std::string scope = "https://cognitiveservices.azure.com/.default";
  // The token endpoint. Client credentials: Entra's v2 token URL for the tenant by default.
  // Managed identity: IDENTITY_ENDPOINT when the host sets it (App Service, Container Apps,
  // which also set IDENTITY_HEADER), else the instance metadata service.
  std::string token_url;
  std::string identity_header;  // managed identity, App Service style: X-IDENTITY-HEADER
  std::string ca_file;          // PEM CAs trusted for the token endpoint instead of the system's
};

struct BackendConfig {
  std::string name;
  BackendKind kind = BackendKind::openai;
  std::string url;  // as configured
  // Parsed from url.
  bool tls = false;
  std::string host;
  std::string port;
  std::string base_path;        // without a trailing slash: "" or "/v1"
  CredentialConfig credential;  // `api_key: K` is short for { type: api_key, key: K }
  std::string api_version;      // Azure: pinned api-version; empty keeps the client's
  std::string ca_file;          // PEM CAs trusted for this backend instead of the system store
  // Whether streamed calls may ask this backend for a final usage chunk
  // (stream_options.include_usage): auto decides by backend kind and api-version.
  enum class StreamUsage { auto_detect, always, never } stream_usage = StreamUsage::auto_detect;
  std::chrono::milliseconds connect_timeout{5'000};
  std::chrono::milliseconds first_byte_timeout{120'000};
  std::chrono::milliseconds idle_timeout{60'000};
  std::size_t max_idle_connections = 64;
  HealthCheckConfig health_check;
};

struct ModelTarget {
  std::string backend;
  std::string deployment;
  int priority = 1;
  unsigned weight = 1;  // share of the traffic within its priority group
};

// A model's price per million tokens, in effect from a time on (until the next entry's).
struct Price {
  double input = 0;
  double cached_input = 0;  // prompt tokens served from the cache
  double output = 0;        // completion tokens, reasoning tokens included
  std::string currency;     // ISO 4217 code: USD, EUR, ...
  // time_point::min() for the entry without effective_from: in effect since always.
  std::chrono::system_clock::time_point effective_from =
      std::chrono::system_clock::time_point::min();
};

struct ModelConfig {
  std::string name;
  std::vector<ModelTarget> targets;  // sorted by priority, stable in file order
  std::vector<Price> prices;         // from `prices:`, sorted by effective_from; may be empty
};

struct SinkConfig {
  std::string type;  // jsonl, sqlite, stdout
  std::string name;  // unique; names the sink's spool cursor (default: type, or type-N)
  enum class Format { typed, apim } format = Format::typed;
  std::size_t max_event_bytes = 1024 * 1024;  // larger events are truncated or split
  enum class Oversize { truncate, split } oversize = Oversize::truncate;
  // The sink's own settings (path, ...); a mapping's members as "NAME.MEMBER" (headers.X).
  std::map<std::string, std::string> settings;
};

struct MaskRule {
  std::string pattern;  // a regular expression (ECMAScript syntax, Boost.Regex)
  std::string replacement;
};

struct AuditConfig {
  bool enabled = false;  // true when the configuration has at least one sink
  std::string spool = "./data/spool";
  std::uint64_t spool_max_bytes = std::uint64_t{1} << 30;
  std::uint64_t spool_segment_bytes = std::uint64_t{64} << 20;
  std::chrono::milliseconds fsync_interval{100};
  enum class WhenFull { reject, drop } when_full = WhenFull::reject;
  bool bodies = true;          // record request and response bodies
  std::vector<MaskRule> mask;  // applied to prompts and completions before they are recorded
  std::vector<SinkConfig> sinks;
};

// `tollgate ingest`: from a Kafka topic (or Event Hub) into the PostgreSQL audit store.
struct IngestConfig {
  bool enabled = false;  // true when the configuration has an ingest section
  SinkConfig from;       // type kafka: brokers or connection_string, topic, group_id, properties
  SinkConfig to;         // type postgres: dsn
  std::size_t batch_events = 2000;            // at most this many events per transaction
  std::chrono::milliseconds batch_wait{200};  // how long a batch waits to fill
};

// A backend's circuit breaker (per backend and deployment): it opens when, within `window`,
// `failures` attempts failed, or at least `ratio` of at least `min_calls` attempts did; it stays
// open for `open`, then one probe decides. 0 turns a rule off.
struct BreakerConfig {
  unsigned failures = 5;
  double ratio = 0.5;
  unsigned min_calls = 20;
  std::chrono::milliseconds window{10'000};
  std::chrono::milliseconds open{30'000};
};

// How a model's backends share its calls and take over from each other (docs/failover.md).
struct RoutingConfig {
  enum class Strategy { weighted, least_outstanding } strategy = Strategy::weighted;
  unsigned max_attempts = 3;                   // backends tried per call, at most
  std::chrono::milliseconds timeout{300'000};  // per call, until an answer begins
  std::vector<int> retry_on{429, 500, 502, 503, 504};
  std::chrono::milliseconds max_cooldown{60'000};  // caps Retry-After; 0: no cool-downs
  BreakerConfig breaker;
};

// Inbound identity: who may call (identity/authenticator.h, docs/identity.md).
struct JwtIssuerConfig {
  // The `iss` value to trust. "{tenantid}" in it stands for the token's own `tid` (Entra
  // multi-tenant issuers); `auth.jwt.tenants` then says which tenants are allowed.
  std::string issuer;
  std::string discovery_url;  // OpenID configuration, which names the JWKS URL; or
  std::string jwks_url;       // the JWKS URL itself
  std::string ca_file;        // PEM CAs trusted for these URLs instead of the system's
};

struct JwtConfig {
  std::vector<JwtIssuerConfig> issuers;
  std::vector<std::string> audiences;  // `aud` must name one of them
  std::vector<std::string> tenants;    // when set, `tid` must be one of them
  std::vector<std::string> algorithms{"RS256"};
  std::chrono::seconds clock_skew{60};
  std::chrono::seconds keys_refresh{24 * 3600};
  // An unknown `kid` refetches the keys, at most this often (key rotation without a restart,
  // without letting forged kids hammer the identity provider).
  std::chrono::seconds unknown_kid_refetch{300};
  std::chrono::milliseconds fetch_timeout{10'000};
  // Each listed claim must hold at least one of the listed values (`scp` is split on spaces).
  std::map<std::string, std::vector<std::string>> required_claims;
};

struct ApiKeyConfig {
  std::string name;    // names the key in logs and events; not secret
  std::string sha256;  // lowercase hex SHA-256 of the key; the key itself is never stored
  std::string app_id;  // the application it bills to
  std::vector<std::string> roles;
  std::optional<std::chrono::system_clock::time_point> expires;
};

// Who may do something: callers whose application is listed, or who hold a listed role.
struct AccessList {
  std::vector<std::string> apps;
  std::vector<std::string> roles;
};

struct AuthConfig {
  std::vector<std::string> modes{"none"};  // none, jwt, api_key; several may be listed
  JwtConfig jwt;
  std::vector<ApiKeyConfig> api_keys;
  std::map<std::string, AccessList> models;         // per model; models not listed are open to all
  AccessList admin;                                 // who may call /admin/*
  std::map<std::string, std::string> applications;  // app id -> friendly name

  bool allows(std::string_view mode) const;
};

struct Config {
  std::string source;  // the file it came from
  std::string listen_host = "127.0.0.1";
  std::uint16_t listen_port = 8080;
  unsigned threads = 0;  // 0: one per core
  std::size_t max_body_bytes = 32 * 1024 * 1024;
  std::size_t max_header_bytes = 64 * 1024;
  std::chrono::milliseconds drain_timeout{30'000};
  std::string log_level = "info";
  bool access_log = true;
  AuthConfig auth;
  std::vector<BackendConfig> backends;  // in file order
  std::vector<ModelConfig> models;      // in file order
  RoutingConfig routing;
  AuditConfig audit;
  IngestConfig ingest;

  const BackendConfig* backend(const std::string& name) const;
  const ModelConfig* model(const std::string& name) const;
};

// Every mistake found in a configuration, one "FILE:LINE:COL: key: message" line each.
class ConfigError : public std::runtime_error {
 public:
  explicit ConfigError(std::vector<std::string> problems);
  const std::vector<std::string>& problems() const { return problems_; }

 private:
  std::vector<std::string> problems_;
};

// Reads and validates a configuration file. ${NAME} and ${NAME:-default} in values are
// replaced from the environment. Throws ConfigError.
Config load_config(const std::string& path);

// As load_config, from text; `source` names it in messages.
Config parse_config(const std::string& text, const std::string& source);

}  // namespace tollgate
