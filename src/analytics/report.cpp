#include "analytics/report.h"

#include <algorithm>

#include "analytics/report_sql.h"

namespace tollgate::analytics {

namespace {

ReportRow read_row(const ResultRow& result, std::size_t dimensions) {
  ReportRow row;
  for (std::size_t i = 0; i < dimensions; ++i) {
    const int column = static_cast<int>(i);
    row.keys.push_back(result.null(column) ? std::nullopt
                                           : std::optional<std::string>(result.text(column)));
  }
  auto at = [&](ReportColumn column) {
    return static_cast<int>(dimensions) + static_cast<int>(column);
  };
  auto integer = [&](ReportColumn column) {
    return result.null(at(column)) ? 0 : result.integer(at(column));
  };
  auto real = [&](ReportColumn column) {
    return result.null(at(column)) ? std::nullopt : std::optional<double>(result.real(at(column)));
  };
  row.calls = integer(ReportColumn::calls);
  row.errors = integer(ReportColumn::errors);
  row.prompt_tokens = integer(ReportColumn::prompt_tokens);
  row.completion_tokens = integer(ReportColumn::completion_tokens);
  row.total_tokens = integer(ReportColumn::total_tokens);
  row.cached_tokens = integer(ReportColumn::cached_tokens);
  row.reasoning_tokens = integer(ReportColumn::reasoning_tokens);
  row.unpriced_calls = integer(ReportColumn::unpriced_calls);
  row.p50_ms = real(ReportColumn::p50_ms);
  row.p95_ms = real(ReportColumn::p95_ms);
  if (integer(ReportColumn::currencies) > 1) {
    row.mixed_currencies = true;
  } else {
    row.cost = real(ReportColumn::cost);
    if (!result.null(at(ReportColumn::currency)))
      row.currency = result.text(at(ReportColumn::currency));
  }
  return row;
}

}  // namespace

std::vector<ReportRow> run_report(ReportSource& source, const ReportSpec& spec) {
  const auto query = report_query(spec, source.engine());
  std::vector<ReportRow> rows;
  source.query(query.sql, query.parameters, [&](const ResultRow& result) {
    auto row = read_row(result, spec.by.size());
    if (row.calls > 0) rows.push_back(std::move(row));  // no GROUP BY: one row even for none
  });
  // Sorted here rather than in SQL: the engines order nulls and text differently.
  std::sort(rows.begin(), rows.end(),
            [](const ReportRow& a, const ReportRow& b) { return a.keys < b.keys; });
  return rows;
}

}  // namespace tollgate::analytics
