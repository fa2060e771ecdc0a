#include "audit/spool/sink_reader.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <limits>

#include "audit/spool/cursor_file.h"
#include "audit/spool/format.h"
#include "audit/spool/segment_files.h"

namespace tollgate::audit::spool {

SinkReader::SinkReader(std::filesystem::path dir, std::string sink, SpoolState& state,
                       SpoolPosition start)
    : dir_(std::move(dir)), sink_(std::move(sink)), state_(state), position_(start) {}

std::vector<SpoolRecord> SinkReader::next_batch(std::size_t max_records, std::size_t max_bytes,
                                                std::chrono::milliseconds wait) {
  const auto deadline = std::chrono::steady_clock::now() + wait;
  max_records = std::max<std::size_t>(max_records, 1);
  std::vector<SpoolRecord> batch;
  std::size_t batch_bytes = 0;
  for (;;) {
    const SegmentView view = state_.view(position_.segment);
    Progress progress = Progress::segment_done;
    if (view.exists && !skipping_) {
      progress = read_segment(view.readable_end, max_records, max_bytes, batch, batch_bytes);
      if (progress == Progress::batch_full) return batch;
    }
    if (progress == Progress::segment_done && view.next) {
      move_to(*view.next);
      continue;
    }
    // Caught up with the writer (or unable to read for now): wait for its next publication.
    if (!batch.empty() || !state_.wait_for_change(view.generation, deadline)) return batch;
  }
}

SinkReader::Progress SinkReader::read_segment(std::uint64_t end, std::size_t max_records,
                                              std::size_t max_bytes,
                                              std::vector<SpoolRecord>& batch,
                                              std::size_t& batch_bytes) {
  if (!file_) {
    File file;
    if (auto ec = open_file(segment_path(dir_, position_.segment), O_RDONLY, file)) {
      std::uint64_t suppressed = 0;
      if (error_log_.allow(suppressed)) {
        spdlog::error("spool sink={} segment={} cannot be opened: {}", sink_, position_.segment,
                      ec.message());
      }
      return Progress::stalled;
    }
    file_.emplace(std::move(file));
  }
  std::string problem;
  while (batch.size() < max_records) {
    // A record larger than max_bytes still goes out, alone, or it would block the sink.
    const std::size_t budget = batch.empty()             ? std::numeric_limits<std::size_t>::max()
                               : batch_bytes < max_bytes ? max_bytes - batch_bytes
                                                         : 0;
    std::string payload;
    switch (file_->read(position_.offset, end, budget, payload, problem)) {
      case ReadStatus::ok:
        position_.offset += kHeaderBytes + payload.size();
        batch_bytes += payload.size();
        batch.push_back({position_, std::move(payload)});
        break;
      case ReadStatus::end:
        return Progress::segment_done;
      case ReadStatus::over_budget:
        return Progress::batch_full;
      case ReadStatus::incomplete:  // below a published end, a record cut short is damage
      case ReadStatus::damaged:
        skip_damage(end, problem);
        return Progress::segment_done;
      case ReadStatus::io_error: {
        std::uint64_t suppressed = 0;
        if (error_log_.allow(suppressed)) {
          spdlog::error("spool sink={} segment={} offset={} cannot be read: {}", sink_,
                        position_.segment, position_.offset, problem);
        }
        return Progress::stalled;
      }
    }
  }
  return Progress::batch_full;
}

void SinkReader::skip_damage(std::uint64_t end, const std::string& problem) {
  // Record boundaries are known only from the lengths, which can no longer be trusted past
  // this point, so the rest of the segment is lost (docs/spool-format.md).
  spdlog::warn(
      "spool sink={} segment={} offset={} damaged ({}); skipping the rest of the segment, {} "
      "bytes",
      sink_, position_.segment, position_.offset, problem, end - position_.offset);
  state_.report_damage(position_);
  skipping_ = true;
}

void SinkReader::move_to(std::uint64_t segment) {
  position_ = {segment, 0};
  file_.reset();
  skipping_ = false;
}

void SinkReader::commit(SpoolPosition end) {
  if (auto ec = store_cursor(cursor_path(dir_, sink_), end)) {
    // The previous cursor stays valid: after a restart the sink receives these events again.
    std::uint64_t suppressed = 0;
    if (error_log_.allow(suppressed)) {
      spdlog::error("spool sink={} cursor cannot be stored: {}", sink_, ec.message());
    }
    return;
  }
  state_.set_cursor(sink_, end);
  delete_segments(dir_, state_.take_deletable());
}

}  // namespace tollgate::audit::spool
