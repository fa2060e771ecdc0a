// One sink's reader of the spool: reads the records after its position in order, checks each
// one, reports and skips damage, and stores the sink's cursor on commit.
//
// Threading: used by one thread at a time (the sink's worker). `state` must outlive it.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "audit/spool.h"
#include "audit/spool/log_limiter.h"
#include "audit/spool/record_reader.h"
#include "audit/spool/state.h"

namespace tollgate::audit::spool {

class SinkReader final : public Spool::Reader {
 public:
  // Reads the spool in `dir` for `sink`, starting at `start` (its recovered cursor).
  SinkReader(std::filesystem::path dir, std::string sink, SpoolState& state, SpoolPosition start);

  std::vector<SpoolRecord> next_batch(std::size_t max_records, std::size_t max_bytes,
                                      std::chrono::milliseconds wait) override;
  void commit(SpoolPosition end) override;

 private:
  enum class Progress { segment_done, batch_full, stalled };
  // Reads records of the current segment, up to its readable `end`, into `batch`.
  Progress read_segment(std::uint64_t end, std::size_t max_records, std::size_t max_bytes,
                        std::vector<SpoolRecord>& batch, std::size_t& batch_bytes);
  void skip_damage(std::uint64_t end, const std::string& problem);
  void move_to(std::uint64_t segment);

  const std::filesystem::path dir_;
  const std::string sink_;
  SpoolState& state_;
  // Where the next record starts. It runs ahead of the committed cursor, so that a batch
  // handed out is not handed out again unless the gateway restarts.
  SpoolPosition position_;
  std::optional<RecordReader> file_;  // position_.segment, opened on first use
  bool skipping_ = false;             // the rest of position_.segment is damaged
  LogLimiter error_log_;
};

}  // namespace tollgate::audit::spool
