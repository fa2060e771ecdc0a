#include "audit/sink.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <limits>
#include <stdexcept>

#include "audit/sinks/event_hubs.h"
#include "audit/sinks/eventhubs_sink.h"
#include "audit/sinks/http_sink.h"
#include "audit/sinks/jsonl_sink.h"
#include "audit/sinks/kafka_client.h"
#include "audit/sinks/kafka_sink.h"
#include "audit/sinks/postgres_sink.h"
#include "audit/sinks/sas_token.h"
#include "audit/sinks/sink_settings.h"
#include "audit/sinks/sqlite_sink.h"
#include "audit/sinks/stdout_sink.h"
#include "core/endpoint_url.h"

namespace tollgate::audit {

namespace {

constexpr std::uint64_t no_limit = std::numeric_limits<std::int64_t>::max();

// Builds a sink, naming it in the message if its destination cannot be opened.
template <class Open>
std::unique_ptr<Sink> opened(const SinkSettings& settings, Open open) {
  try {
    return open();
  } catch (const std::exception& e) {
    throw std::runtime_error(fmt::format("{}: {}", settings.sink(), e.what()));
  }
}

JsonlOptions jsonl_options(const SinkSettings& settings) {
  JsonlOptions options;
  options.path = settings.required("path");
  options.rotate_bytes = settings.number("rotate_bytes", options.rotate_bytes, 4096, no_limit);
  options.rotate_interval = std::chrono::seconds(settings.number(
      "rotate_interval_s", static_cast<std::uint64_t>(options.rotate_interval.count()), 0,
      366 * 86'400));
  return options;
}

SqliteOptions sqlite_options(const SinkConfig& config, const SinkSettings& settings) {
  // The store's `calls` table is read from the typed event's fields.
  if (config.format == SinkConfig::Format::apim)
    throw std::runtime_error(fmt::format(
        "{}: setting 'format': the SQLite store takes typed events; apim is for the other "
        "sinks",
        settings.sink()));
  SqliteOptions options;
  options.path = settings.required("path");
  options.busy_timeout = std::chrono::milliseconds(settings.number(
      "busy_timeout_ms", static_cast<std::uint64_t>(options.busy_timeout.count()), 0, 600'000));
  if (settings.choice("synchronous", "normal", {"normal", "full"}) == "full")
    options.synchronous = SqliteOptions::Synchronous::full;
  return options;
}

PostgresOptions postgres_options(const SinkSettings& settings) {
  return {.dsn = settings.required("dsn")};
}

KafkaSinkOptions kafka_options(const SinkSettings& settings) {
  auto client = read_kafka_client(settings);
  KafkaSinkOptions options;
  options.properties = std::move(client.properties);
  options.topic = std::move(client.topic);
  options.label = std::move(client.label);
  if (settings.choice("key", "message_id", {"message_id", "app_id"}) == "app_id")
    options.key = KafkaSinkOptions::Key::app_id;
  options.properties["compression.type"] =
      settings.choice("compression", "lz4", {"none", "gzip", "snappy", "lz4", "zstd"});
  options.properties["linger.ms"] = std::to_string(settings.number("linger_ms", 5, 0, 60'000));
  options.delivery_timeout = std::chrono::milliseconds(settings.number(
      "delivery_timeout_ms", static_cast<std::uint64_t>(options.delivery_timeout.count()), 1000,
      3'600'000));
  // `properties` win over the settings above.
  for (auto& [key, value] : settings.group("properties.")) options.properties[key] = value;
  return options;
}

// The URL setting `key` of an HTTP sink.
EndpointUrl url_setting(const SinkSettings& settings, std::string_view key, std::string_view text) {
  auto parsed = parse_endpoint_url(text);
  if (auto* why = std::get_if<std::string>(&parsed)) settings.fail(key, *why);
  if (std::get<EndpointUrl>(parsed).has_fragment) settings.fail(key, "must not have a fragment");
  return std::get<EndpointUrl>(std::move(parsed));
}

// The settings both HTTP sinks take: the server's CAs, the timeout and the retries.
void read_delivery_settings(const SinkSettings& settings, http::SyncClient::Options& client,
                            RetryPolicy& retry) {
  client.ca_file = settings.optional("ca_file");
  if (!client.ca_file.empty() && !std::ifstream(client.ca_file))
    settings.fail("ca_file", fmt::format("cannot read '{}'", client.ca_file));
  client.timeout = std::chrono::milliseconds(settings.number(
      "timeout_ms", static_cast<std::uint64_t>(client.timeout.count()), 1, 600'000));
  retry.retries = static_cast<unsigned>(settings.number("retries", retry.retries, 0, 20));
  retry.backoff = std::chrono::milliseconds(
      settings.number("backoff_ms", static_cast<std::uint64_t>(retry.backoff.count()), 1, 60'000));
  retry.max_backoff = std::max(retry.max_backoff, retry.backoff);
}

// A request header from the configuration: a valid field name, a value on one line, and none
// of the fields the sink sets itself.
Header header_setting(const SinkSettings& settings, const std::string& name,
                      const std::string& value) {
  const std::string key = "headers." + name;
  auto token_char = [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) ||
           std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
  };
  if (name.empty() || !std::all_of(name.begin(), name.end(), token_char))
    settings.fail(key, "is not a valid header name");
  if (value.find_first_of("\r\n") != std::string::npos)
    settings.fail(key, "must be a single line");  // the value may be a secret: not shown
  std::string lower(name);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  for (std::string_view own :
       {"host", "content-type", "content-length", "transfer-encoding", "connection"})
    if (lower == own) settings.fail(key, "is set by the sink itself");
  return {name, value};
}

HttpSinkOptions http_options(const SinkSettings& settings) {
  HttpSinkOptions options;
  auto url = url_setting(settings, "url", settings.required("url"));
  options.target = url.target();
  options.client.server = std::move(url);
  read_delivery_settings(settings, options.client, options.retry);
  for (const auto& [name, value] : settings.group("headers."))
    options.headers.push_back(header_setting(settings, name, value));
  options.max_batch_bytes =
      settings.number("max_batch_bytes", options.max_batch_bytes, 1024, std::size_t{1} << 30);
  return options;
}

EventHubsOptions eventhubs_options(const SinkConfig& config, const SinkSettings& settings) {
  EventHubsConnection connection;
  try {
    connection = parse_event_hubs_connection(settings.required("connection_string"));
  } catch (const std::runtime_error& e) {
    settings.fail("connection_string", e.what());
  }
  if (connection.key.empty())
    settings.fail("connection_string",
                  "needs SharedAccessKeyName and SharedAccessKey: this sink signs its own tokens");
  auto hub = settings.optional("hub");
  if (hub.empty()) hub = connection.entity_path;
  if (hub.empty()) settings.fail("hub", "is required when the connection string has no EntityPath");
  if (!connection.entity_path.empty() && hub != connection.entity_path)
    settings.fail("hub", "differs from the connection string's EntityPath");

  EventHubsOptions options;
  // The endpoint may stand in for the namespace (a private endpoint, a proxy, a test);
  // tokens are still signed for the namespace's hub.
  auto endpoint_text = settings.optional("endpoint");
  if (endpoint_text.empty()) endpoint_text = "https://" + connection.host;
  auto endpoint = url_setting(settings, "endpoint", endpoint_text);
  while (!endpoint.path.empty() && endpoint.path.back() == '/') endpoint.path.pop_back();
  options.target =
      fmt::format("{}/{}/messages?timeout=60&api-version=2014-01", endpoint.path, url_encode(hub));
  options.client.server = std::move(endpoint);
  read_delivery_settings(settings, options.client, options.retry);
  options.resource_uri = fmt::format("https://{}/{}", connection.host, hub);
  options.key_name = connection.key_name;
  options.key = connection.key;
  options.token_ttl = std::chrono::seconds(settings.number(
      "token_ttl_s", static_cast<std::uint64_t>(options.token_ttl.count()), 60, 366 * 86'400));
  options.max_batch_bytes =
      settings.number("max_batch_bytes", options.max_batch_bytes, 4096, 1024 * 1024);
  // An event must fit a batch of its own, escaped (at most twice its size) into a Body.
  const std::size_t largest_event =
      (options.max_batch_bytes - eventhubs_batch_overhead - eventhubs_entry_overhead) / 2;
  if (config.max_event_bytes > largest_event)
    settings.fail("max_event_bytes",
                  fmt::format("must be at most {} for batches of {} bytes (an event escaped into "
                              "a batch may take twice its size); oversize: split keeps larger "
                              "events whole, in parts",
                              largest_event, options.max_batch_bytes));
  return options;
}

const std::initializer_list<std::string_view> kafka_settings{
    "brokers", "connection_string", "topic",     "properties.",
    "key",     "compression",       "linger_ms", "delivery_timeout_ms"};

// Reads `config`'s settings, then builds the sink if `open`, else returns null.
std::unique_ptr<Sink> build(const SinkConfig& config, bool open) {
  if (config.type == "jsonl") {
    SinkSettings settings(config, {"path", "rotate_bytes", "rotate_interval_s"});
    auto options = jsonl_options(settings);
    if (!open) return nullptr;
    return opened(settings, [&] { return std::make_unique<JsonlSink>(std::move(options)); });
  }
  if (config.type == "sqlite") {
    SinkSettings settings(config, {"path", "busy_timeout_ms", "synchronous"});
    auto options = sqlite_options(config, settings);
    if (!open) return nullptr;
    return opened(settings, [&] { return open_sqlite_sink(options); });
  }
  if (config.type == "postgres") {
    SinkSettings settings(config, {"dsn"});
    auto options = postgres_options(settings);
    // Opening reads the dsn only: the sink connects on its first delivery.
    auto sink = opened(settings, [&] { return open_postgres_sink(options); });
    return open ? std::move(sink) : nullptr;
  }
  if (config.type == "kafka") {
    SinkSettings settings(config, kafka_settings);
    auto options = kafka_options(settings);
    if (!open)
      return opened(settings, [&] {
        make_kafka_conf(options.properties, settings.sink());  // librdkafka checks them
        return std::unique_ptr<Sink>();
      });
    return opened(settings, [&] { return open_kafka_sink(std::move(options)); });
  }
  if (config.type == "http") {
    SinkSettings settings(config, {"url", "headers.", "ca_file", "timeout_ms", "retries",
                                   "backoff_ms", "max_batch_bytes"});
    auto options = http_options(settings);
    if (!open) return nullptr;
    return opened(settings, [&] { return make_http_sink(std::move(options)); });
  }
  if (config.type == "eventhubs_http") {
    SinkSettings settings(config, {"connection_string", "hub", "endpoint", "ca_file", "timeout_ms",
                                   "retries", "backoff_ms", "max_batch_bytes", "token_ttl_s"});
    auto options = eventhubs_options(config, settings);
    if (!open) return nullptr;
    return opened(settings, [&] { return make_eventhubs_sink(std::move(options)); });
  }
  if (config.type == "stdout") {
    SinkSettings settings(config, {});
    return open ? std::make_unique<StdoutSink>() : nullptr;
  }
  throw std::runtime_error(fmt::format(
      "audit sink '{}': unknown type '{}' (the types are jsonl, sqlite, stdout, postgres, "
      "kafka, http and eventhubs_http)",
      config.name, config.type));
}

}  // namespace

std::unique_ptr<Sink> make_sink(const SinkConfig& config) { return build(config, true); }

void check_sink(const SinkConfig& config) { build(config, false); }

}  // namespace tollgate::audit
