// The schema of the SQLite audit store (docs/sinks.md describes it for its readers) and its
// migrations. A database file records its schema version in PRAGMA user_version; opening it
// applies the migrations it lacks.
#pragma once

namespace tollgate::audit {

class Database;

// The version this code writes.
inline constexpr int sqlite_schema_version = 1;

// Brings the database to sqlite_schema_version, creating the tables in a new file. The
// version is read and the migrations applied in one write transaction, so two gateways
// opening a new file at once do not both create it. Throws SqliteError, or std::runtime_error
// for a file whose version is newer than this code knows.
void migrate(Database& db);

}  // namespace tollgate::audit
