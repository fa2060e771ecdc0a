// A chargeback report written out as an aligned text table (for people), CSV (for
// spreadsheets) or JSON (for programs). docs/report.md lists the columns.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "analytics/report.h"
#include "analytics/report_spec.h"

namespace tollgate::analytics {

enum class ReportFormat { table, csv, json };

std::string format_report(const ReportSpec& spec, const std::vector<ReportRow>& rows,
                          ReportFormat format);

}  // namespace tollgate::analytics
