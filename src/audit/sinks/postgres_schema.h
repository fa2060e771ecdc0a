// The schema of the PostgreSQL audit store (docs/sinks.md describes it for its readers) and
// its migrations. The `calls` table has the column names of the SQLite store's
// (call_columns.h), with PostgreSQL's types: timestamptz times, bigint counts, numeric cost.
// The database records its version in tollgate_schema_version; connecting applies what it
// lacks.
#pragma once

namespace tollgate::audit {

class PgConnection;

// The version this code writes.
inline constexpr int postgres_schema_version = 1;

// Brings the database to postgres_schema_version in one transaction, holding an advisory lock
// so that gateways and ingest processes starting at once do not race. Throws PgError, or
// std::runtime_error for a database newer than this code knows.
void migrate(PgConnection& db);

}  // namespace tollgate::audit
