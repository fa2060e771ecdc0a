// The jsonl sink: appends each event to a file as one line of JSON (JSON Lines), and rotates
// the file by size and by time. A batch is written with one write, then fdatasync'd, before
// deliver() reports success, so an event the spool cursor has passed is on disk. A batch that
// fails is cut back off the file (the file is truncated to its size before the batch), so the
// retry does not leave a partial or a repeated line behind.
//
// Rotation renames the file to `<path>.<UTC time of the rotation, YYYYmmddTHHMMSSZ>` (with
// `.1`, `.2`, ... added if that name exists) and starts a new file at `path`. By size: before
// a batch that would take the file past rotate_bytes (a batch is never split across files, so
// a single batch larger than rotate_bytes makes a larger file). By time: at the first batch
// after each multiple of rotate_interval since the Unix epoch (daily files roll over at
// 00:00 UTC), including across restarts.
//
// A file found ending in part of a line (a crash in the middle of a write, whose batch the
// spool will deliver again) has that partial line cut off when the sink opens it, so that
// every line stays one whole event.
//
// The sink assumes it is the file's only writer. If the file is moved or deleted from outside
// (say by logrotate), the next batch opens a new file at `path` rather than writing on into
// the old inode.
//
// Threading: not thread-safe; the sink's worker thread is its only user.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>

#include "audit/sink.h"

namespace tollgate::audit {

struct JsonlOptions {
  std::filesystem::path path;
  std::uint64_t rotate_bytes = std::uint64_t{100} << 20;
  std::chrono::seconds rotate_interval{86'400};  // zero: never rotate by time
  // Tests replace the clock to cross rotation boundaries.
  std::function<std::chrono::system_clock::time_point()> clock = std::chrono::system_clock::now;
};

class JsonlSink final : public Sink {
 public:
  // Opens (creating it and its directory) options.path for appending. Throws
  // std::runtime_error if that fails.
  explicit JsonlSink(JsonlOptions options);
  ~JsonlSink() override;
  JsonlSink(const JsonlSink&) = delete;
  JsonlSink& operator=(const JsonlSink&) = delete;

  std::string deliver(const std::vector<std::string_view>& events) override;

 private:
  // Each returns an empty string on success, else what failed.
  // Makes the file ready to take `batch_bytes` more: cuts off what a failed batch left,
  // reopens `path` if it names another file now, rotates. Sets `start` to the file's size.
  std::string prepare(std::uint64_t batch_bytes, off_t& start);
  std::string open_file();
  // Cuts the file back to just after its last '\n'; sets `size` to the new size.
  std::string cut_torn_tail(int fd, off_t& size);
  std::string rotate(std::chrono::system_clock::time_point now);
  std::string write_batch();  // writes batch_ and syncs it
  void close_file();
  std::int64_t period_of(std::chrono::system_clock::time_point time) const;

  JsonlOptions options_;
  int fd_ = -1;
  dev_t device_ = 0;  // identify the open file, to notice when `path` names another one
  ino_t inode_ = 0;
  std::int64_t period_ = 0;  // the rotate_interval period the open file's events belong to
  // Set when a failed batch could not be cut off the file: the next deliver() retries the cut
  // before it writes anything.
  std::optional<off_t> cut_to_;
  std::string batch_;  // reused between batches
};

}  // namespace tollgate::audit
