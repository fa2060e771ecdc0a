// The few POSIX file operations the spool needs, with EINTR and short transfers handled once
// here. Errors are returned as std::error_code (errno values); nothing throws.
#pragma once

#include <sys/uio.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <system_error>

namespace tollgate::audit::spool {

// An owned file descriptor, closed on destruction.
class File {
 public:
  File() = default;
  explicit File(int fd) : fd_(fd) {}
  ~File() { reset(); }
  File(File&& other) noexcept : fd_(other.release()) {}
  File& operator=(File&& other) noexcept;
  File(const File&) = delete;
  File& operator=(const File&) = delete;

  bool is_open() const { return fd_ >= 0; }
  int get() const { return fd_; }
  int release();
  void reset();

 private:
  int fd_ = -1;
};

// open(2) with O_CLOEXEC added.
std::error_code open_file(const std::filesystem::path& path, int flags, File& file,
                          int mode = 0644);
// Writes all `count` buffers. `iov` is modified to track partial writes.
// REQUIRES: count <= IOV_MAX.
std::error_code write_all(int fd, iovec* iov, int count);
// Reads up to `n` bytes at `offset`; fewer only at end of file. `*got` says how many.
std::error_code read_at(int fd, char* dst, std::size_t n, std::uint64_t offset, std::size_t* got);
std::error_code sync_data(int fd);
std::error_code truncate_file(int fd, std::uint64_t size);
// Makes the directory's entries (created, renamed files) durable.
std::error_code sync_dir(const std::filesystem::path& dir);

}  // namespace tollgate::audit::spool
