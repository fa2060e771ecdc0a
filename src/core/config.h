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
};

struct ModelTarget {
  std::string backend;
  std::string deployment;
  int priority = 1;
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
