// `tollgate report`: chargeback over the calls an audit store holds — per group of the
// chosen dimensions, how many calls, how many tokens of each kind, at what cost, how many
// failed and how long they took (docs/report.md).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "analytics/report_source.h"
#include "analytics/report_spec.h"

namespace tollgate::analytics {

struct ReportRow {
  std::vector<std::optional<std::string>> keys;  // one per dimension of the spec; null: none
  std::int64_t calls = 0;
  // Calls that ended badly: an outcome other than ok, or an error status (4xx, 5xx).
  std::int64_t errors = 0;
  std::int64_t prompt_tokens = 0;
  std::int64_t completion_tokens = 0;  // reasoning tokens included
  std::int64_t total_tokens = 0;
  std::int64_t cached_tokens = 0;     // part of prompt_tokens
  std::int64_t reasoning_tokens = 0;  // part of completion_tokens
  // The sum of the calls' costs; null when none has one, or when they are in several
  // currencies (mixed_currencies), which are never added up.
  std::optional<double> cost;
  std::optional<std::string> currency;
  bool mixed_currencies = false;
  std::int64_t unpriced_calls = 0;  // calls with usage but no cost: no price configured
  std::optional<double> p50_ms;     // nearest-rank percentiles of the calls' durations
  std::optional<double> p95_ms;

  double error_rate() const { return calls == 0 ? 0 : static_cast<double>(errors) / calls; }
};

// Runs the report. Rows are sorted by their keys, null first, then by byte order. A period
// without calls gives no rows. Throws std::runtime_error from the source.
std::vector<ReportRow> run_report(ReportSource& source, const ReportSpec& spec);

}  // namespace tollgate::analytics
