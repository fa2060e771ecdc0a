// Helpers shared by the spool and sink worker tests: a scratch spool directory per test,
// appends driven by an io_context, whole-spool reads and raw file access for damaging it.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/io_context.hpp>
#include <cerrno>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

#include "audit/spool.h"

namespace tollgate::audit::spool_test {

// A fresh directory under /tmp, removed with its contents when the test ends.
class TempDir {
 public:
  TempDir() {
    std::string pattern = "/tmp/tollgate-spool-test-XXXXXX";
    if (::mkdtemp(pattern.data()) == nullptr) {
      throw std::system_error(errno, std::generic_category(), "mkdtemp");
    }
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

inline SpoolOptions small_spool(const std::filesystem::path& dir) {
  SpoolOptions options;
  options.dir = dir;
  options.segment_bytes = 4096;
  options.fsync_interval = std::chrono::milliseconds(100);
  return options;
}

// Appends `payload` and runs an io_context until the append completes. The io_context only
// keeps running if the spool holds its outstanding work, so a missing completion shows up as
// an empty result rather than a hang.
inline std::optional<boost::system::error_code> append(
    Spool& spool, std::string payload, Spool::Admission admission = Spool::Admission::may_refuse) {
  boost::asio::io_context io;
  std::optional<boost::system::error_code> result;
  spool.async_append(
      std::move(payload), admission,
      boost::asio::bind_executor(io, [&](boost::system::error_code ec) { result = ec; }));
  io.run();
  return result;
}

inline void append_all(Spool& spool, const std::vector<std::string>& payloads) {
  for (const auto& payload : payloads) {
    auto result = append(spool, payload);
    ASSERT_TRUE(result.has_value());
    ASSERT_FALSE(*result) << result->message();
  }
}

// Reads everything the reader has now, committing after each batch if asked to.
inline std::vector<std::string> read_all(Spool::Reader& reader, bool commit = true) {
  std::vector<std::string> payloads;
  for (;;) {
    auto batch = reader.next_batch(64, 1 << 20, std::chrono::milliseconds(0));
    if (batch.empty()) return payloads;
    for (auto& record : batch) payloads.push_back(std::move(record.payload));
    if (commit) reader.commit(batch.back().end);
  }
}

inline std::vector<std::string> numbered(const std::string& prefix, int count) {
  std::vector<std::string> payloads;
  for (int i = 0; i < count; ++i) payloads.push_back(prefix + std::to_string(i));
  return payloads;
}

inline std::string file_bytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

inline void write_bytes(const std::filesystem::path& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// The segment files of `dir`, oldest first.
inline std::vector<std::filesystem::path> segment_files(const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() == ".seg") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace tollgate::audit::spool_test
