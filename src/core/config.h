// The configuration file, parsed into plain structs. Loading validates everything it can
// without touching the network, and reports every mistake with its file, line and column.
//
// A Config is immutable once loaded; the gateway shares one snapshot between its event loops.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
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

struct BackendConfig {
  std::string name;
  BackendKind kind = BackendKind::openai;
  std::string url;  // as configured
  // Parsed from url.
  bool tls = false;
  std::string host;
  std::string port;
  std::string base_path;    // without a trailing slash: "" or "/v1"
  std::string api_key;      // secret: never logged
  std::string api_version;  // Azure: pinned api-version; empty keeps the client's
  std::string ca_file;      // PEM CAs trusted for this backend instead of the system store
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

struct ModelConfig {
  std::string name;
  std::vector<ModelTarget> targets;  // sorted by priority, stable in file order
};

struct SinkConfig {
  std::string type;  // jsonl, sqlite, stdout
  std::string name;  // unique; names the sink's spool cursor (default: type, or type-N)
  enum class Format { typed, apim } format = Format::typed;
  std::size_t max_event_bytes = 1024 * 1024;  // larger events are truncated or split
  enum class Oversize { truncate, split } oversize = Oversize::truncate;
  std::map<std::string, std::string> settings;  // the sink's own settings (path, ...)
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
  std::vector<std::string> auth_modes{"none"};
  std::vector<BackendConfig> backends;  // in file order
  std::vector<ModelConfig> models;      // in file order
  RoutingConfig routing;
  AuditConfig audit;

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
