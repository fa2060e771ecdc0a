// The postgres sink: audit events into a PostgreSQL database, for chargeback across many
// gateways. The schema (postgres_schema.h) is created and migrated on connecting: each event
// is kept in `events` (jsonb), and each call is summarized in `calls`, one row per call, with
// the SQLite store's column names (call_columns.h).
//
// Delivery is idempotent: a batch is one transaction of multi-row statements; events are
// keyed by (event_id, part) and inserted with ON CONFLICT DO NOTHING; a call's row is upserted
// by message_id so that its content depends only on which of its events arrived, not on their
// order, batches or repetitions. A split event is joined back, and applied to `calls`, once
// all its parts are stored, whichever batches brought them. Both the typed and the apim
// formats are understood (apim events are keyed "apim:<message-id>:<event-type>"); text that
// is not an audit event is kept raw under a content-hash id.
//
// `tollgate ingest` writes through this same sink (analytics/ingest.h).
//
// The connection is made on the first delivery and made again after it is lost; the
// connection string (it may hold a password) is never logged.
//
// Threading: not thread-safe; one thread (the sink's worker, or ingest's loop) uses it.
#pragma once

#include <memory>
#include <string>

#include "audit/sink.h"

namespace tollgate::audit {

struct PostgresOptions {
  std::string dsn;  // libpq keyword/value string or postgresql:// URI
};

// Builds the sink without connecting. Throws std::runtime_error if the dsn cannot be read.
std::unique_ptr<Sink> open_postgres_sink(const PostgresOptions& options);

}  // namespace tollgate::audit
