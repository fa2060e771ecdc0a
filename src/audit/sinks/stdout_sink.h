// The stdout sink: writes each event as one line of JSON to standard output (or another
// stream), flushed once per batch, for containers whose log collector reads stdout. A batch is
// written with one fwrite, so its lines do not interleave with other output. A failed batch
// may have been written in part; its retry writes it whole again.
//
// Threading: not thread-safe; the sink's worker thread is its only user. `out` must stay open
// while the sink lives; the sink never closes it.
#pragma once

#include <cstdio>
#include <string>

#include "audit/sink.h"

namespace tollgate::audit {

class StdoutSink final : public Sink {
 public:
  explicit StdoutSink(std::FILE* out = stdout) : out_(out) {}

  std::string deliver(const std::vector<std::string_view>& events) override;

 private:
  std::FILE* out_;
  std::string batch_;  // reused between batches
};

}  // namespace tollgate::audit
