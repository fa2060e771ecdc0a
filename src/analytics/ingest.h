// `tollgate ingest`: the Stream Analytics leg of the reference pattern. A member of a Kafka
// consumer group (the topic the kafka sinks of many gateways publish to, or an Azure Event
// Hub) that loads the events into the PostgreSQL audit store through the postgres sink's own
// writer (audit/sinks/postgres_sink.h), one transaction per batch.
//
// Offsets are committed only after the batch's rows are stored, so a crash at any point loses
// nothing: the group's next member re-reads from the last commit, and the store, keyed on
// event_id, keeps each event once. Several processes may run side by side; the group spreads
// the partitions over them. SIGTERM or SIGINT: the batch in hand is stored and committed, the
// process leaves the group and exits 0.
//
// Threading: run_ingest() blocks on the calling thread; a signal thread only asks it to stop.
#pragma once

#include "core/config.h"

namespace tollgate::analytics {

// Reads the ingest section's settings as run_ingest() does, without connecting: what
// `tollgate check` runs. Throws std::runtime_error naming the setting.
void check_ingest(const IngestConfig& config);

// Runs until a signal; returns the process exit code (non-zero if it could not start).
int run_ingest(const Config& config);

}  // namespace tollgate::analytics
