#include "audit/sink.h"

#include <fmt/format.h>

#include <limits>
#include <stdexcept>

#include "audit/sinks/jsonl_sink.h"
#include "audit/sinks/kafka_client.h"
#include "audit/sinks/kafka_sink.h"
#include "audit/sinks/postgres_sink.h"
#include "audit/sinks/sink_settings.h"
#include "audit/sinks/sqlite_sink.h"
#include "audit/sinks/stdout_sink.h"

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
        "{}: setting 'format': the SQLite store takes typed events; apim is for the jsonl, "
        "stdout, kafka and postgres sinks",
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
  if (config.type == "stdout") {
    SinkSettings settings(config, {});
    return open ? std::make_unique<StdoutSink>() : nullptr;
  }
  throw std::runtime_error(fmt::format(
      "audit sink '{}': unknown type '{}' (the types are jsonl, sqlite, stdout, postgres and "
      "kafka)",
      config.name, config.type));
}

}  // namespace

std::unique_ptr<Sink> make_sink(const SinkConfig& config) { return build(config, true); }

void check_sink(const SinkConfig& config) { build(config, false); }

}  // namespace tollgate::audit
