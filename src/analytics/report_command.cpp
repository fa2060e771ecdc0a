#include "analytics/report_command.h"

#include <fmt/format.h>

#include <cstdio>
#include <memory>
#include <stdexcept>

#include "analytics/postgres_report_source.h"
#include "analytics/report.h"
#include "analytics/report_format.h"
#include "analytics/sqlite_report_source.h"
#include "core/clock.h"
#include "core/config.h"

namespace tollgate::analytics {

namespace {

// A usage mistake: printed as is, exit code 1.
class ReportError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

std::optional<std::chrono::system_clock::time_point> time_option(const std::string& text,
                                                                 std::string_view option) {
  if (text.empty()) return std::nullopt;
  auto time = parse_time(text);
  if (!time)
    throw ReportError(fmt::format(
        "{}: '{}' is neither a date (2026-11-01) nor an RFC 3339 time (2026-11-01T09:30:00Z) "
        "from 1970 to 2199",
        option, text));
  return time;
}

// The store of the configuration's sqlite or postgres sink: the one named --sink, or the
// first of them.
std::unique_ptr<ReportSource> source_from_config(const ReportCommandOptions& options) {
  Config config;
  try {
    config = load_config(options.config);
  } catch (const ConfigError& e) {
    throw ReportError(e.what());
  }
  for (const auto& sink : config.audit.sinks) {
    if (!options.sink.empty() && sink.name != options.sink) continue;
    if (sink.type == "sqlite") {
      auto path = sink.settings.find("path");
      if (path == sink.settings.end())
        throw ReportError(fmt::format("{}: sink '{}' has no path", options.config, sink.name));
      return open_sqlite_report_source(path->second);
    }
    if (sink.type == "postgres") {
      auto dsn = sink.settings.find("dsn");
      if (dsn == sink.settings.end())
        throw ReportError(fmt::format("{}: sink '{}' has no dsn", options.config, sink.name));
      return open_postgres_report_source(dsn->second);
    }
    if (!options.sink.empty())
      throw ReportError(
          fmt::format("{}: sink '{}' is a {} sink; a report reads a sqlite or postgres sink",
                      options.config, sink.name, sink.type));
  }
  if (!options.sink.empty())
    throw ReportError(fmt::format("{}: no audit sink is named '{}'", options.config, options.sink));
  throw ReportError(
      fmt::format("{}: no sqlite or postgres audit sink to report on", options.config));
}

std::unique_ptr<ReportSource> open_source(const ReportCommandOptions& options) {
  const int given = !options.sqlite.empty() + !options.postgres.empty() + !options.config.empty();
  if (given != 1)
    throw ReportError("name one source: --sqlite PATH, --postgres CONNINFO or --config FILE");
  if (!options.sink.empty() && options.config.empty())
    throw ReportError("--sink chooses among the sinks of --config");
  if (!options.sqlite.empty()) return open_sqlite_report_source(options.sqlite);
  if (!options.postgres.empty()) return open_postgres_report_source(options.postgres);
  return source_from_config(options);
}

ReportFormat format_option(const std::string& text) {
  if (text == "table") return ReportFormat::table;
  if (text == "csv") return ReportFormat::csv;
  if (text == "json") return ReportFormat::json;
  throw ReportError(fmt::format("--format: '{}' is not table, csv or json", text));
}

}  // namespace

int run_report_command(const ReportCommandOptions& options) {
  try {
    ReportSpec spec;
    try {
      spec.by = parse_dimensions(options.by);
    } catch (const std::invalid_argument& e) {
      throw ReportError(fmt::format("--by: {}", e.what()));
    }
    spec.since = time_option(options.since, "--since");
    spec.until = time_option(options.until, "--until");
    if (spec.since && spec.until && *spec.until <= *spec.since)
      throw ReportError("--until must be later than --since");
    const auto format = format_option(options.format);
    auto source = open_source(options);
    const auto rows = run_report(*source, spec);
    std::fputs(format_report(spec, rows, format).c_str(), stdout);
    std::size_t mixed = 0;
    for (const auto& row : rows) mixed += row.mixed_currencies;
    if (mixed > 0)
      fmt::print(stderr,
                 "tollgate report: {} rows mix costs in several currencies; their cost is not "
                 "added up (shown as currency 'mixed'). Group by model, and by month when a "
                 "model's price changed currency.\n",
                 mixed);
    return 0;
  } catch (const std::exception& e) {
    fmt::print(stderr, "tollgate report: {}\n", e.what());
    return 1;
  }
}

}  // namespace tollgate::analytics
