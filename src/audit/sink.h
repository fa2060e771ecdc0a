// A destination for audit events. Sinks are fed by a SinkWorker (audit/sink_worker.h) from
// the spool, in order, in batches; a batch that fails is offered again, whole, later, so a
// sink must tolerate seeing events again (deduplicating on event_id where it can).
//
// Threading: a sink is used by its one worker thread only.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/config.h"

namespace tollgate::audit {

class Sink {
 public:
  virtual ~Sink() = default;
  // Delivers `events` (serialized JSON, one event or event part each, in spool order).
  // Returns an empty string on success, else a message saying what failed.
  virtual std::string deliver(const std::vector<std::string_view>& events) = 0;
};

// Builds the sink `config` describes (jsonl, sqlite, stdout, postgres, kafka, http,
// eventhubs_http). Throws std::runtime_error with a message naming the sink when its settings
// are wrong or its destination cannot be opened. The network sinks connect later, on their
// own thread.
std::unique_ptr<Sink> make_sink(const SinkConfig& config);

// Reads `config`'s settings as make_sink does, throwing the same messages, without opening
// anything: what `tollgate check` runs.
void check_sink(const SinkConfig& config);

}  // namespace tollgate::audit
