// The report source over the embedded audit store (the sqlite sink's database), opened read
// only: the store is in WAL mode, so a report reads while the gateway writes, without
// blocking it.
#pragma once

#include <memory>
#include <string>

#include "analytics/report_source.h"

namespace tollgate::analytics {

// Opens the database at `path`. Throws std::runtime_error when it does not exist, cannot be
// read, or has no `calls` table.
std::unique_ptr<ReportSource> open_sqlite_report_source(const std::string& path);

}  // namespace tollgate::analytics
