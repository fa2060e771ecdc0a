// The sqlite sink: the embedded audit store. Each event is kept raw in `events` (one row per
// event, or per part of a split event), and each call is summarized in `calls`, one row per
// call with its identity, model, usage, cost and timing, for chargeback queries. The schema
// is in sqlite_schema.cpp and, for readers, in docs/sinks.md.
//
// Delivery is idempotent: a batch is one transaction; events are keyed by (event_id, part)
// and inserted only once; a call's row is upserted by message_id so that its final content
// does not depend on the order or the number of times its events arrive (call_columns.h).
// A split event is joined back, and applied to `calls`, once all its parts are stored.
// Events that are not audit JSON are kept in `events` under a content-hash id, counted in a
// warning that never shows their contents.
//
// The database is opened in WAL mode, so readers (reports, the sqlite3 shell) never block the
// sink, and waits up to busy_timeout for another writer.
//
// Threading: not thread-safe; the sink's worker thread is its only user.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "audit/sink.h"

namespace tollgate::audit {

struct SqliteOptions {
  std::string path;
  std::chrono::milliseconds busy_timeout{5'000};
  // NORMAL: a commit survives a process crash, but a power loss may undo the last ones in
  // WAL mode. FULL: a commit also survives a power loss, at one fsync per batch.
  enum class Synchronous { normal, full } synchronous = Synchronous::normal;
};

// Opens (creating it and its directory, and migrating its schema) the database at
// options.path. Throws std::runtime_error if that fails.
std::unique_ptr<Sink> open_sqlite_sink(const SqliteOptions& options);

}  // namespace tollgate::audit
