#include "audit/sinks/postgres_schema.h"

#include <fmt/format.h>

#include <array>
#include <stdexcept>
#include <string>

#include "audit/sinks/postgres_connection.h"

namespace tollgate::audit {

namespace {

// Any constant, shared by every process that migrates this schema.
constexpr long long migration_lock = 0x746f6c6c67617465;  // "tollgate"

// migrations[n] takes a database from version n to version n + 1. A released migration is
// never edited: a later change to the schema is a new entry.
constexpr std::array<const char*, postgres_schema_version> migrations{{
    R"sql(
CREATE TABLE events (
  event_id   text NOT NULL,
  part       integer NOT NULL,  -- 0: a whole event; 1..parts: one part of a split event
  parts      integer,           -- NULL for a whole event
  message_id text,
  event_type text,              -- request or response (either format)
  time       timestamptz,       -- a part's is set once all parts are in
  format     text,              -- typed or apim; NULL when unreadable
  body       jsonb,             -- the event, or the part's envelope with its slice in "data"
  raw        bytea,             -- instead of body: what jsonb cannot hold, or is not JSON
  PRIMARY KEY (event_id, part)
);
CREATE INDEX events_by_message ON events (message_id);
CREATE INDEX events_by_time ON events (time);

CREATE TABLE calls (
  message_id          text PRIMARY KEY,
  request_time        timestamptz,
  response_time       timestamptz,
  operation           text,
  api_style           text,
  model               text,
  served_model        text,
  deployment          text,
  api_version         text,
  stream              boolean,
  backend             text,
  region              text,
  auth_method         text,
  app_id              text,
  object_id           text,
  tenant_id           text,
  subject             text,
  name                text,
  client_ip           text,
  user_agent          text,
  end_user            text,
  status              integer,
  outcome             text,
  prompt_tokens       bigint,
  completion_tokens   bigint,
  total_tokens        bigint,
  cached_tokens       bigint,
  reasoning_tokens    bigint,
  usage_source        text,
  cost_amount         numeric,
  cost_currency       text,
  duration_ms         double precision,
  upstream_ttfb_ms    double precision,
  model_time_ms       double precision,
  gateway_overhead_us double precision,
  request_bytes       bigint,
  response_bytes      bigint,
  attempts            integer
);
-- Chargeback reads calls by period, by application and by model.
CREATE INDEX calls_by_request_time ON calls (request_time);
CREATE INDEX calls_by_app ON calls (app_id, request_time);
CREATE INDEX calls_by_model ON calls (model, request_time);
)sql",
}};

}  // namespace

void migrate(PgConnection& db) {
  db.exec("BEGIN");
  try {
    db.exec(fmt::format("SELECT pg_advisory_xact_lock({})", migration_lock));
    db.exec("CREATE TABLE IF NOT EXISTS tollgate_schema_version (version integer NOT NULL)");
    auto rows = db.query("SELECT version FROM tollgate_schema_version");
    const int version = rows.empty() || !rows[0][0] ? 0 : std::stoi(*rows[0][0]);
    if (version > postgres_schema_version)
      throw std::runtime_error(
          fmt::format("the database is at schema version {}, newer than this gateway's {}", version,
                      postgres_schema_version));
    for (int next = version; next < postgres_schema_version; ++next)
      db.exec(migrations[static_cast<std::size_t>(next)]);
    if (version != postgres_schema_version) {
      db.exec("DELETE FROM tollgate_schema_version");
      db.exec(
          fmt::format("INSERT INTO tollgate_schema_version VALUES ({})", postgres_schema_version));
    }
    db.exec("COMMIT");
  } catch (...) {
    db.rollback();
    throw;
  }
}

}  // namespace tollgate::audit
