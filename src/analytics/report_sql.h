// The one query a chargeback report runs, written for the source's engine. Everything the
// engines disagree on is decided here, in one small place:
//   - the call's time: SQLite stores fixed-width RFC 3339 UTC text (which compares in time
//     order as text), PostgreSQL a timestamptz;
//   - day and month buckets (substr of the text; to_char in UTC);
//   - placeholders (?1; $1::timestamptz).
// Percentiles are computed the same way on both, with window functions (neither engine's
// own percentile function is shared): the nearest-rank p-th percentile of n durations is the
// ceil(p × n / 100)-th smallest.
#pragma once

#include <string>
#include <vector>

#include "analytics/report_source.h"
#include "analytics/report_spec.h"

namespace tollgate::analytics {

// The columns of each result row, in order: one per dimension of the spec (text or null),
// then these.
enum class ReportColumn {
  calls,
  errors,
  prompt_tokens,
  completion_tokens,
  total_tokens,
  cached_tokens,
  reasoning_tokens,
  cost,        // null when no call of the group has a cost
  currencies,  // distinct currencies among the group's costs
  currency,    // one of them
  unpriced_calls,
  p50_ms,  // null when no call of the group has a duration
  p95_ms,
};

struct ReportQuery {
  std::string sql;
  std::vector<std::string> parameters;
};

ReportQuery report_query(const ReportSpec& spec, Engine engine);

}  // namespace tollgate::analytics
