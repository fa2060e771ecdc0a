#include "analytics/report_format.h"

#include <fmt/format.h>

#include <algorithm>
#include <boost/json.hpp>
#include <optional>

#include "core/clock.h"

namespace tollgate::analytics {

namespace json = boost::json;

namespace {

// The metric columns, after the dimensions, in every format.
constexpr std::string_view metric_names[] = {
    "calls",          "errors",           "error_rate",   "prompt_tokens", "completion_tokens",
    "cached_tokens",  "reasoning_tokens", "total_tokens", "cost",          "currency",
    "unpriced_calls", "p50_ms",           "p95_ms"};

json::value number_or_null(const std::optional<double>& value) {
  if (!value) return nullptr;
  return *value;
}

json::value currency_value(const ReportRow& row) {
  if (row.mixed_currencies) return "mixed";
  if (!row.currency) return nullptr;
  return json::string(*row.currency);
}

// The metric values of a row as JSON: numbers, strings and nulls.
json::array metric_values(const ReportRow& row) {
  return {row.calls,
          row.errors,
          row.error_rate(),
          row.prompt_tokens,
          row.completion_tokens,
          row.cached_tokens,
          row.reasoning_tokens,
          row.total_tokens,
          number_or_null(row.cost),
          currency_value(row),
          row.unpriced_calls,
          number_or_null(row.p50_ms),
          number_or_null(row.p95_ms)};
}

json::value time_or_null(const std::optional<std::chrono::system_clock::time_point>& time) {
  if (!time) return nullptr;
  return json::string(rfc3339_micros(*time));
}

std::string as_json(const ReportSpec& spec, const std::vector<ReportRow>& rows) {
  json::object out;
  json::array by;
  for (auto dimension : spec.by) by.emplace_back(dimension_name(dimension));
  out["by"] = std::move(by);
  out["since"] = time_or_null(spec.since);
  out["until"] = time_or_null(spec.until);
  json::array items;
  for (const auto& row : rows) {
    json::object item;
    for (std::size_t i = 0; i < spec.by.size(); ++i)
      item[dimension_name(spec.by[i])] =
          row.keys[i] ? json::value(*row.keys[i]) : json::value(nullptr);
    auto values = metric_values(row);
    for (std::size_t i = 0; i < values.size(); ++i) item[metric_names[i]] = values[i];
    items.push_back(std::move(item));
  }
  out["rows"] = std::move(items);
  return json::serialize(out) + "\n";
}

// The dimensions' names, then the metrics'.
std::vector<std::string> column_names(const ReportSpec& spec) {
  std::vector<std::string> names;
  for (auto dimension : spec.by) names.emplace_back(dimension_name(dimension));
  for (auto name : metric_names) names.emplace_back(name);
  return names;
}

// A CSV field (RFC 4180): quoted when it holds a separator, a quote or a line break.
std::string csv_field(std::string_view text) {
  if (text.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(text);
  std::string quoted = "\"";
  for (char c : text) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return quoted + "\"";
}

// A value as CSV writes it: numbers in full precision, null as an empty field.
std::string csv_value(const json::value& value) {
  if (value.is_null()) return "";
  if (value.is_string()) return csv_field(value.get_string());
  if (value.is_double()) return fmt::format("{}", value.get_double());
  return json::serialize(value);
}

std::string as_csv(const ReportSpec& spec, const std::vector<ReportRow>& rows) {
  std::string out = fmt::format("{}\r\n", fmt::join(column_names(spec), ","));
  for (const auto& row : rows) {
    std::vector<std::string> fields;
    for (const auto& key : row.keys) fields.push_back(key ? csv_field(*key) : "");
    for (const auto& value : metric_values(row)) fields.push_back(csv_value(value));
    out += fmt::format("{}\r\n", fmt::join(fields, ","));
  }
  return out;
}

// A value as the table shows it: rounded for reading, "-" for null.
std::string table_value(std::string_view column, const json::value& value) {
  if (value.is_null()) return "-";
  if (value.is_string()) return std::string(value.get_string());
  if (column == "error_rate") return fmt::format("{:.1f}%", value.get_double() * 100);
  if (column == "cost") return fmt::format("{:.6f}", value.get_double());
  if (value.is_double()) return fmt::format("{:.1f}", value.get_double());
  return json::serialize(value);
}

std::string as_table(const ReportSpec& spec, const std::vector<ReportRow>& rows) {
  const auto header = column_names(spec);
  std::vector<std::vector<std::string>> cells{header};
  for (const auto& row : rows) {
    std::vector<std::string> line;
    for (const auto& key : row.keys) line.push_back(key ? *key : "(none)");
    auto values = metric_values(row);
    for (std::size_t i = 0; i < values.size(); ++i)
      line.push_back(table_value(metric_names[i], values[i]));
    cells.push_back(std::move(line));
  }
  std::vector<std::size_t> widths(header.size(), 0);
  for (const auto& line : cells)
    for (std::size_t i = 0; i < line.size(); ++i) widths[i] = std::max(widths[i], line[i].size());
  // Dimensions are text, aligned left; metrics are numbers, aligned right.
  std::string out;
  for (const auto& line : cells) {
    std::string text;
    for (std::size_t i = 0; i < line.size(); ++i) {
      if (i > 0) text += "  ";
      text += i < spec.by.size() ? fmt::format("{:<{}}", line[i], widths[i])
                                 : fmt::format("{:>{}}", line[i], widths[i]);
    }
    while (!text.empty() && text.back() == ' ') text.pop_back();
    out += text + "\n";
  }
  if (rows.empty()) out += "(no calls in this period)\n";
  return out;
}

}  // namespace

std::string format_report(const ReportSpec& spec, const std::vector<ReportRow>& rows,
                          ReportFormat format) {
  switch (format) {
    case ReportFormat::json:
      return as_json(spec, rows);
    case ReportFormat::csv:
      return as_csv(spec, rows);
    case ReportFormat::table:
      return as_table(spec, rows);
  }
  return {};
}

}  // namespace tollgate::analytics
