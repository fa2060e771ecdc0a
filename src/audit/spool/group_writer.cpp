#include "audit/spool/group_writer.h"

#include <spdlog/spdlog.h>
#include <sys/uio.h>

#include <algorithm>
#include <climits>

#include "audit/spool/segment_files.h"

namespace tollgate::audit::spool {

GroupWriter::GroupWriter(const SpoolOptions& options, SpoolState& state, File active,
                         std::uint64_t active_segment, std::uint64_t active_size)
    : options_(options),
      state_(state),
      active_(std::move(active)),
      active_segment_(active_segment),
      active_size_(active_size),
      last_sync_(std::chrono::steady_clock::now()),
      thread_([this] { run(); }) {}

GroupWriter::~GroupWriter() { close(); }

void GroupWriter::append(std::string payload, bool beyond_max, Handler handler) {
  Pending pending{{}, std::move(payload), std::move(handler)};
  if (pending.payload.size() > kMaxRecordBytes) {
    complete(pending, SpoolError::too_large);
    return;
  }
  // The checksum is computed here, on the appending thread, so that its cost is spread over
  // the event loops instead of serializing on the writer.
  encode_record_header(pending.payload, pending.header.data());

  boost::system::error_code refusal;
  bool was_empty = false;
  {
    std::lock_guard lock(mutex_);
    if (closing_) {
      refusal = SpoolError::closed;
    } else if (!state_.try_reserve(pending.bytes(), beyond_max)) {
      refusal = options_.when_full == SpoolOptions::WhenFull::reject ? SpoolError::full
                                                                     : SpoolError::dropped;
    } else {
      was_empty = queue_.empty();
      queue_.push_back(std::move(pending));
    }
  }
  if (refusal) {
    std::uint64_t suppressed = 0;
    if (refusal != SpoolError::closed && full_log_.allow(suppressed)) {
      spdlog::warn(
          "spool full: pending_bytes={} max_bytes={}; {} an event ({} more since the last "
          "warning)",
          state_.stats().pending_bytes, options_.max_bytes,
          refusal == SpoolError::full ? "rejected" : "dropped", suppressed);
    }
    complete(pending, refusal);
    return;
  }
  // The writer only waits while the queue is empty, so only the first append wakes it.
  if (was_empty) wake_.notify_one();
}

void GroupWriter::close() {
  {
    std::lock_guard lock(mutex_);
    closing_ = true;
  }
  wake_.notify_one();
  if (thread_.joinable()) thread_.join();
}

void GroupWriter::run() {
  std::vector<Pending> group;
  for (;;) {
    bool closing = false;
    {
      std::unique_lock lock(mutex_);
      while (queue_.empty() && !closing_) {
        if (!dirty_) {
          wake_.wait(lock);
        } else if (wake_.wait_until(lock, last_sync_ + options_.fsync_interval) ==
                   std::cv_status::timeout) {
          break;
        }
      }
      group.swap(queue_);
      closing = closing_;
    }
    if (!group.empty()) write_group(group);
    group.clear();
    if (dirty_ &&
        (closing || std::chrono::steady_clock::now() >= last_sync_ + options_.fsync_interval)) {
      // Appends of interval > 0 have completed already; a failed sync can only be reported.
      if (auto ec = sync_active()) log_error("periodic fdatasync failed", ec);
    }
    // Appends are refused once closing_ is set, so the group just written was the last.
    if (closing) return;
  }
}

void GroupWriter::write_group(std::vector<Pending>& group) {
  std::size_t done = 0;  // group[0, done) is written as the fsync policy requires, and published
  while (done < group.size()) {
    if (!active_.is_open() && !start_next_segment()) break;
    if (active_size_ > 0 && active_size_ + group[done].bytes() > options_.segment_bytes) {
      seal_active();
      if (!start_next_segment()) break;
    }
    // The run: as many records as fit in this segment, and always at least one.
    std::size_t end = done + 1;
    std::uint64_t bytes = group[done].bytes();
    while (end < group.size() &&
           active_size_ + bytes + group[end].bytes() <= options_.segment_bytes) {
      bytes += group[end++].bytes();
    }
    if (auto ec = write_records(group, done, end)) {
      log_error("write failed", ec);
      abandon_active();
      break;
    }
    dirty_ = true;
    if (options_.fsync_interval.count() == 0) {
      if (auto ec = sync_active()) {
        log_error("fdatasync failed", ec);
        abandon_active();
        break;
      }
    }
    active_size_ += bytes;
    state_.publish(active_segment_, active_size_, end - done);
    done = end;
  }
  for (std::size_t i = 0; i < group.size(); ++i) {
    if (i < done) {
      complete(group[i], {});
    } else {
      state_.release(group[i].bytes());
      complete(group[i], SpoolError::io_error);
    }
  }
}

std::error_code GroupWriter::write_records(std::vector<Pending>& group, std::size_t begin,
                                           std::size_t end) {
  std::vector<iovec> iov;
  iov.reserve(std::min<std::size_t>(IOV_MAX, 2 * (end - begin)));
  for (std::size_t i = begin; i < end;) {
    iov.clear();
    for (; i < end && iov.size() + 2 <= IOV_MAX; ++i) {
      iov.push_back({group[i].header.data(), kHeaderBytes});
      if (!group[i].payload.empty())
        iov.push_back({group[i].payload.data(), group[i].payload.size()});
    }
    if (auto ec = write_all(active_.get(), iov.data(), static_cast<int>(iov.size()))) return ec;
  }
  return {};
}

bool GroupWriter::start_next_segment() {
  const std::uint64_t next = active_segment_ + 1;
  if (auto ec = create_segment(options_.dir, next, active_)) {
    log_error("cannot create a new segment", ec);
    return false;
  }
  active_segment_ = next;
  active_size_ = 0;
  dirty_ = false;
  state_.add_segment(next);
  // A cursor at the very end of the segment just sealed lets it go now.
  delete_segments(options_.dir, state_.take_deletable());
  return true;
}

void GroupWriter::seal_active() {
  // Sealed segments are complete on disk whatever the policy, so recovery need only look at
  // the last one.
  if (dirty_) {
    if (auto ec = sync_active()) log_error("fdatasync of a sealed segment failed", ec);
  }
  active_.reset();
}

void GroupWriter::abandon_active() {
  // Cut off whatever part of the failed records reached the file, so that nothing
  // unacknowledged is read after a restart; the next group starts a new segment.
  if (auto ec = truncate_file(active_.get(), active_size_)) {
    log_error("cannot truncate a failed write", ec);
  }
  if (dirty_) {
    if (auto ec = sync_active()) log_error("fdatasync of an abandoned segment failed", ec);
  }
  dirty_ = false;
  active_.reset();
}

std::error_code GroupWriter::sync_active() {
  auto ec = sync_data(active_.get());
  // Even after a failure the pages are no longer dirty as far as the kernel is concerned
  // (a retry would report success without writing anything), so the state is reset.
  dirty_ = false;
  last_sync_ = std::chrono::steady_clock::now();
  return ec;
}

void GroupWriter::log_error(const char* what, std::error_code ec) {
  std::uint64_t suppressed = 0;
  if (error_log_.allow(suppressed)) {
    spdlog::error("spool segment={} {}: {} ({} more errors since the last report)", active_segment_,
                  what, ec.message(), suppressed);
  }
}

void GroupWriter::complete(Pending& pending, boost::system::error_code ec) {
  std::move(pending.handler)(ec);
}

}  // namespace tollgate::audit::spool
