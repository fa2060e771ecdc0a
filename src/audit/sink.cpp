#include "audit/sink.h"

#include <fmt/format.h>

#include <limits>
#include <stdexcept>

#include "audit/sinks/jsonl_sink.h"
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

std::unique_ptr<Sink> make_jsonl_sink(const SinkConfig& config) {
  SinkSettings settings(config, {"path", "rotate_bytes", "rotate_interval_s"});
  JsonlOptions options;
  options.path = settings.required("path");
  options.rotate_bytes = settings.number("rotate_bytes", options.rotate_bytes, 4096, no_limit);
  options.rotate_interval = std::chrono::seconds(settings.number(
      "rotate_interval_s", static_cast<std::uint64_t>(options.rotate_interval.count()), 0,
      366 * 86'400));
  return opened(settings, [&] { return std::make_unique<JsonlSink>(std::move(options)); });
}

std::unique_ptr<Sink> make_sqlite_sink(const SinkConfig& config) {
  SinkSettings settings(config, {"path", "busy_timeout_ms", "synchronous"});
  // The store's `calls` table is read from the typed event's fields.
  if (config.format == SinkConfig::Format::apim)
    throw std::runtime_error(fmt::format(
        "{}: setting 'format': the SQLite store takes typed events; apim is for the jsonl and "
        "stdout sinks",
        settings.sink()));
  SqliteOptions options;
  options.path = settings.required("path");
  options.busy_timeout = std::chrono::milliseconds(settings.number(
      "busy_timeout_ms", static_cast<std::uint64_t>(options.busy_timeout.count()), 0, 600'000));
  if (settings.choice("synchronous", "normal", {"normal", "full"}) == "full")
    options.synchronous = SqliteOptions::Synchronous::full;
  return opened(settings, [&] { return open_sqlite_sink(options); });
}

}  // namespace

std::unique_ptr<Sink> make_sink(const SinkConfig& config) {
  if (config.type == "jsonl") return make_jsonl_sink(config);
  if (config.type == "sqlite") return make_sqlite_sink(config);
  if (config.type == "stdout") {
    SinkSettings settings(config, {});
    return std::make_unique<StdoutSink>();
  }
  throw std::runtime_error(
      fmt::format("audit sink '{}': unknown type '{}' (the types are jsonl, sqlite and stdout)",
                  config.name, config.type));
}

}  // namespace tollgate::audit
