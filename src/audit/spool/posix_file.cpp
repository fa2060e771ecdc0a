#include "audit/spool/posix_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <utility>

namespace tollgate::audit::spool {

namespace {
std::error_code last_error() { return {errno, std::system_category()}; }
}  // namespace

File& File::operator=(File&& other) noexcept {
  if (this != &other) {
    reset();
    fd_ = other.release();
  }
  return *this;
}

int File::release() { return std::exchange(fd_, -1); }

void File::reset() {
  // close(2) may report a deferred write error, but the spool never relies on it: data that
  // matters is fdatasynced first, and a failed sync is reported there.
  if (fd_ >= 0) ::close(std::exchange(fd_, -1));
}

std::error_code open_file(const std::filesystem::path& path, int flags, File& file, int mode) {
  int fd;
  do {
    fd = ::open(path.c_str(), flags | O_CLOEXEC, mode);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) return last_error();
  file = File(fd);
  return {};
}

std::error_code write_all(int fd, iovec* iov, int count) {
  while (count > 0) {
    const ssize_t n = ::writev(fd, iov, count);
    if (n < 0) {
      if (errno == EINTR) continue;
      return last_error();
    }
    auto left = static_cast<std::size_t>(n);
    while (count > 0 && left >= iov->iov_len) {
      left -= iov->iov_len;
      ++iov;
      --count;
    }
    if (count > 0) {
      iov->iov_base = static_cast<char*>(iov->iov_base) + left;
      iov->iov_len -= left;
    }
  }
  return {};
}

std::error_code read_at(int fd, char* dst, std::size_t n, std::uint64_t offset, std::size_t* got) {
  *got = 0;
  while (*got < n) {
    const ssize_t r = ::pread(fd, dst + *got, n - *got, static_cast<off_t>(offset + *got));
    if (r < 0) {
      if (errno == EINTR) continue;
      return last_error();
    }
    if (r == 0) break;
    *got += static_cast<std::size_t>(r);
  }
  return {};
}

std::error_code sync_data(int fd) {
  while (::fdatasync(fd) != 0) {
    if (errno != EINTR) return last_error();
  }
  return {};
}

std::error_code truncate_file(int fd, std::uint64_t size) {
  while (::ftruncate(fd, static_cast<off_t>(size)) != 0) {
    if (errno != EINTR) return last_error();
  }
  return {};
}

std::error_code sync_dir(const std::filesystem::path& dir) {
  File file;
  if (auto ec = open_file(dir, O_RDONLY | O_DIRECTORY, file)) return ec;
  // fsync, not fdatasync: for a directory the entries are the metadata that matters.
  while (::fsync(file.get()) != 0) {
    if (errno != EINTR) return last_error();
  }
  return {};
}

}  // namespace tollgate::audit::spool
