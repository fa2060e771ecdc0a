// The spool's writer: a thread that takes every queued append at once (a group), writes the
// group to the active segment with as few writev calls as the iovec limit allows, rolls over
// to a new segment when one fills, applies the fsync policy, publishes the new readable end
// to the readers and completes the group's appends together (docs/spool-format.md, "Writing").
//
// Threading: append() may be called from any thread. close() may be called from any thread
// but not concurrently with itself. Everything else runs on the writer's own thread, started
// by the constructor and joined by close() or the destructor.
#pragma once

#include <array>
#include <boost/asio/any_completion_handler.hpp>
#include <boost/system/error_code.hpp>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "audit/spool.h"
#include "audit/spool/format.h"
#include "audit/spool/log_limiter.h"
#include "audit/spool/posix_file.h"
#include "audit/spool/state.h"

namespace tollgate::audit::spool {

class GroupWriter {
 public:
  using Handler = boost::asio::any_completion_handler<void(boost::system::error_code)>;

  // Appends to `active`, the open file of segment `active_segment`, which holds
  // `active_size` bytes of intact records.
  // REQUIRES: `options` and `state` outlive the writer; `active_segment` is the last segment
  // in `state`.
  GroupWriter(const SpoolOptions& options, SpoolState& state, File active,
              std::uint64_t active_segment, std::uint64_t active_size);
  ~GroupWriter();
  GroupWriter(const GroupWriter&) = delete;
  GroupWriter& operator=(const GroupWriter&) = delete;

  // Queues `payload` for the next group, or completes `handler` at once with too_large, full,
  // dropped or closed. `handler` must post to its caller's executor itself (see
  // Spool::AppendHandler): the writer invokes it directly.
  void append(std::string payload, bool beyond_max, Handler handler);
  // Writes and syncs what is queued, then stops the thread. Later appends fail with closed.
  void close();

 private:
  struct Pending {
    std::array<char, kHeaderBytes> header;
    std::string payload;
    Handler handler;
    std::uint64_t bytes() const { return kHeaderBytes + payload.size(); }
  };

  void run();
  void write_group(std::vector<Pending>& group);
  std::error_code write_records(std::vector<Pending>& group, std::size_t begin, std::size_t end);
  bool start_next_segment();
  void seal_active();
  void abandon_active();
  std::error_code sync_active();
  void log_error(const char* what, std::error_code ec);
  static void complete(Pending& pending, boost::system::error_code ec);

  const SpoolOptions& options_;
  SpoolState& state_;
  LogLimiter full_log_;
  LogLimiter error_log_;

  std::mutex mutex_;
  std::condition_variable wake_;
  std::vector<Pending> queue_;  // GUARDED_BY(mutex_)
  bool closing_ = false;        // GUARDED_BY(mutex_)

  // Used by the writer thread only.
  File active_;  // closed after an I/O error, until the next group starts a new segment
  std::uint64_t active_segment_;
  std::uint64_t active_size_;  // the published end of the active segment
  bool dirty_ = false;         // written since the last fdatasync
  std::chrono::steady_clock::time_point last_sync_;

  std::thread thread_;  // last: it starts once everything above is initialized
};

}  // namespace tollgate::audit::spool
