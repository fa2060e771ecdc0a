#include "audit/sinks/sqlite_schema.h"

#include <fmt/format.h>

#include <array>
#include <stdexcept>
#include <string>

#include "audit/sinks/sqlite_db.h"

namespace tollgate::audit {

namespace {

// migrations[n] takes a database from version n to version n + 1. A released migration is
// never edited: a later change to the schema is a new entry.
constexpr std::array<const char*, sqlite_schema_version> migrations{{
    R"sql(
CREATE TABLE events (
  event_id   TEXT NOT NULL,
  message_id TEXT,
  event_type TEXT,
  time       TEXT,
  part       INTEGER NOT NULL,  -- 0: a whole event; 1..parts: one part of a split event
  parts      INTEGER,           -- NULL for a whole event
  body       TEXT NOT NULL,     -- the event's JSON text; for a part, its slice of that text
  PRIMARY KEY (event_id, part)
);
CREATE INDEX events_by_message ON events (message_id);

CREATE TABLE calls (
  message_id          TEXT PRIMARY KEY NOT NULL,
  request_time        TEXT,
  response_time       TEXT,
  operation           TEXT,
  api_style           TEXT,
  model               TEXT,
  served_model        TEXT,
  deployment          TEXT,
  api_version         TEXT,
  stream              INTEGER,
  backend             TEXT,
  region              TEXT,
  auth_method         TEXT,
  app_id              TEXT,
  object_id           TEXT,
  tenant_id           TEXT,
  subject             TEXT,
  name                TEXT,
  client_ip           TEXT,
  user_agent          TEXT,
  end_user            TEXT,
  status              INTEGER,
  outcome             TEXT,
  prompt_tokens       INTEGER,
  completion_tokens   INTEGER,
  total_tokens        INTEGER,
  cached_tokens       INTEGER,
  reasoning_tokens    INTEGER,
  usage_source        TEXT,
  cost_amount         REAL,
  cost_currency       TEXT,
  duration_ms         REAL,
  upstream_ttfb_ms    REAL,
  model_time_ms       REAL,
  gateway_overhead_us INTEGER,
  request_bytes       INTEGER,
  response_bytes      INTEGER,
  attempts            INTEGER
);
-- Chargeback reads calls by period, by application and by model.
CREATE INDEX calls_by_request_time ON calls (request_time);
CREATE INDEX calls_by_app ON calls (app_id, request_time);
CREATE INDEX calls_by_model ON calls (model, request_time);
)sql",
}};

}  // namespace

void migrate(Database& db) {
  db.exec("BEGIN IMMEDIATE");
  try {
    const int version = std::stoi(db.query_text("PRAGMA user_version"));
    if (version > sqlite_schema_version)
      throw std::runtime_error(
          fmt::format("the database is at schema version {}, newer than this gateway's {}", version,
                      sqlite_schema_version));
    for (int next = version; next < sqlite_schema_version; ++next)
      db.exec(migrations[static_cast<std::size_t>(next)]);
    if (version != sqlite_schema_version)
      db.exec(fmt::format("PRAGMA user_version = {}", sqlite_schema_version));
    db.exec("COMMIT");
  } catch (...) {
    db.rollback();
    throw;
  }
}

}  // namespace tollgate::audit
