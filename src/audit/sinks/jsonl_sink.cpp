#include "audit/sinks/jsonl_sink.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <ctime>
#include <stdexcept>
#include <system_error>

#include "audit/sinks/event_lines.h"

namespace tollgate::audit {
namespace {

std::string failure(std::string_view what, const std::string& path, int error) {
  return fmt::format("{} {}: {}", what, path, std::generic_category().message(error));
}

std::string utc_stamp(std::chrono::system_clock::time_point time) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(time);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[32];
  return std::string(text, std::strftime(text, sizeof text, "%Y%m%dT%H%M%SZ", &utc));
}

std::filesystem::path directory_of(const std::filesystem::path& path) {
  return path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
}

// A new or renamed file's directory entry is only durable once its directory is synced;
// without this, a power loss could take away a file whose contents were fdatasync'd.
std::string sync_directory(const std::filesystem::path& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return failure("cannot open directory", dir.string(), errno);
  const int result = ::fsync(fd);
  const int error = errno;
  ::close(fd);
  return result == 0 ? std::string() : failure("cannot sync directory", dir.string(), error);
}

// Renames `from` to `to` unless `to` exists; returns false with errno EEXIST if it does.
// RENAME_NOREPLACE makes the check and the rename one step; filesystems without it (NFS)
// get a check before the rename, which is enough for a file only this sink writes.
bool rename_no_replace(const std::string& from, const std::string& to) {
  if (::renameat2(AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), RENAME_NOREPLACE) == 0) return true;
  if (errno != EINVAL) return false;
  struct stat existing;
  if (::stat(to.c_str(), &existing) == 0) {
    errno = EEXIST;
    return false;
  }
  return ::rename(from.c_str(), to.c_str()) == 0;
}

}  // namespace

JsonlSink::JsonlSink(JsonlOptions options) : options_(std::move(options)) {
  if (auto error = open_file(); !error.empty()) throw std::runtime_error(error);
}

JsonlSink::~JsonlSink() { close_file(); }

std::string JsonlSink::deliver(const std::vector<std::string_view>& events) {
  if (events.empty()) return {};
  batch_.clear();
  append_event_lines(events, batch_);
  off_t start = 0;
  if (auto error = prepare(batch_.size(), start); !error.empty()) return error;
  auto error = write_batch();
  if (!error.empty() && ::ftruncate(fd_, start) != 0) {
    const int cut_error = errno;
    cut_to_ = start;
    error += "; cutting the failed batch off the file failed too: " +
             std::generic_category().message(cut_error);
  }
  return error;
}

std::string JsonlSink::prepare(std::uint64_t batch_bytes, off_t& start) {
  const std::string path = options_.path.string();
  if (cut_to_) {
    if (::ftruncate(fd_, *cut_to_) != 0)
      return failure("cannot cut a failed batch off", path, errno);
    cut_to_.reset();
  }
  if (fd_ >= 0) {
    struct stat named;
    if (::stat(path.c_str(), &named) != 0 || named.st_dev != device_ || named.st_ino != inode_)
      close_file();
  }
  if (fd_ < 0)
    if (auto error = open_file(); !error.empty()) return error;

  struct stat open;
  if (::fstat(fd_, &open) != 0) return failure("cannot stat", path, errno);
  const auto now = options_.clock();
  const bool full = static_cast<std::uint64_t>(open.st_size) + batch_bytes > options_.rotate_bytes;
  const bool old = options_.rotate_interval.count() > 0 && period_of(now) != period_;
  if (open.st_size > 0 && (full || old)) {
    if (auto error = rotate(now); !error.empty()) return error;
    if (::fstat(fd_, &open) != 0) return failure("cannot stat", path, errno);
  }
  start = open.st_size;
  return {};
}

std::string JsonlSink::open_file() {
  const std::string path = options_.path.string();
  const auto dir = directory_of(options_.path);
  std::error_code ignored;  // a directory that cannot be made shows up as open() failing
  std::filesystem::create_directories(dir, ignored);
  // Read access too: the torn tail of a crashed write is looked for.
  int fd = ::open(path.c_str(), O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return failure("cannot open", path, errno);
  struct stat file;
  if (::fstat(fd, &file) != 0 || !S_ISREG(file.st_mode)) {
    ::close(fd);
    return fmt::format("cannot use {}: not a regular file", path);
  }
  auto error = cut_torn_tail(fd, file.st_size);
  if (error.empty()) error = sync_directory(dir);
  if (!error.empty()) {
    ::close(fd);
    return error;
  }
  fd_ = fd;
  device_ = file.st_dev;
  inode_ = file.st_ino;
  // The last write is the newest event in the file, so the file's period is its mtime's.
  period_ = period_of(file.st_size > 0 ? std::chrono::system_clock::time_point(
                                             std::chrono::seconds(file.st_mtim.tv_sec))
                                       : options_.clock());
  return {};
}

std::string JsonlSink::cut_torn_tail(int fd, off_t& size) {
  const std::string path = options_.path.string();
  char buffer[4096];
  off_t end = size;  // the file is whole up to here once a '\n' ends it
  while (end > 0) {
    const off_t from = std::max<off_t>(0, end - off_t{sizeof buffer});
    const auto want = static_cast<std::size_t>(end - from);
    if (::pread(fd, buffer, want, from) != static_cast<ssize_t>(want))
      return failure("cannot read the end of", path, errno != 0 ? errno : EIO);
    if (const void* newline = ::memrchr(buffer, '\n', want); newline != nullptr) {
      end = from + (static_cast<const char*>(newline) - buffer) + 1;
      break;
    }
    end = from;
  }
  if (end == size) return {};
  if (::ftruncate(fd, end) != 0) return failure("cannot cut the torn last line off", path, errno);
  // Counted, never shown: the line holds part of an event.
  spdlog::warn(
      "jsonl sink {}: cut off a torn last line of {} bytes, left by a crash; its events "
      "are delivered again",
      path, size - end);
  size = end;
  return {};
}

std::string JsonlSink::rotate(std::chrono::system_clock::time_point now) {
  const std::string path = options_.path.string();
  const std::string stamped = path + "." + utc_stamp(now);
  for (int n = 0;; ++n) {
    // Zero-padded, so that names sort in the order the files were written.
    const std::string target = n == 0 ? stamped : fmt::format("{}.{:04}", stamped, n);
    if (rename_no_replace(path, target)) break;
    if (errno != EEXIST) return failure("cannot rotate", path, errno);
  }
  close_file();
  return open_file();
}

std::string JsonlSink::write_batch() {
  const char* data = batch_.data();
  std::size_t left = batch_.size();
  while (left > 0) {
    const ssize_t written = ::write(fd_, data, left);
    if (written < 0 && errno == EINTR) continue;
    if (written <= 0)
      return failure("cannot write", options_.path.string(), written < 0 ? errno : EIO);
    data += written;
    left -= static_cast<std::size_t>(written);
  }
  if (::fdatasync(fd_) != 0) return failure("cannot sync", options_.path.string(), errno);
  return {};
}

void JsonlSink::close_file() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

std::int64_t JsonlSink::period_of(std::chrono::system_clock::time_point time) const {
  const auto interval = options_.rotate_interval.count();
  if (interval <= 0) return 0;
  const auto seconds =
      std::chrono::duration_cast<std::chrono::seconds>(time.time_since_epoch()).count();
  return seconds / interval;
}

}  // namespace tollgate::audit
