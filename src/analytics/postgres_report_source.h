// The report source over the PostgreSQL audit store (the postgres sink's database; `tollgate
// ingest` loads the same tables), in a read-only session. The connection string may hold a
// password: no message quotes it.
#pragma once

#include <memory>
#include <string>

#include "analytics/report_source.h"

namespace tollgate::analytics {

// Connects with `dsn` (a libpq keyword/value string or URI). Throws std::runtime_error when
// it cannot connect or the database has no `calls` table.
std::unique_ptr<ReportSource> open_postgres_report_source(const std::string& dsn);

}  // namespace tollgate::analytics
