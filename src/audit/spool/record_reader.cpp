#include "audit/spool/record_reader.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>

#include "audit/spool/coding.h"
#include "audit/spool/crc32c.h"
#include "audit/spool/format.h"

namespace tollgate::audit::spool {

namespace {
constexpr std::size_t kReadAheadBytes = 64 << 10;
}  // namespace

ReadStatus RecordReader::read(std::uint64_t offset, std::uint64_t limit, std::size_t budget,
                              std::string& payload, std::string& problem) {
  if (offset >= limit) return ReadStatus::end;
  if (limit - offset < kHeaderBytes) {
    problem = fmt::format("{} bytes left, too few for a record header", limit - offset);
    return ReadStatus::incomplete;
  }
  char header[kHeaderBytes];
  bool short_read = false;
  if (auto ec = fetch(offset, kHeaderBytes, limit, header, short_read)) {
    problem = ec.message();
    return ReadStatus::io_error;
  }
  if (short_read) {
    problem = "the file is shorter than its readable end";
    return ReadStatus::damaged;
  }
  const std::uint32_t length = decode_fixed32(header + 4);
  // The length is checked before it is trusted with an allocation or a read.
  if (length > kMaxRecordBytes) {
    problem = fmt::format("record length {} exceeds the maximum", length);
    return ReadStatus::damaged;
  }
  if (limit - offset - kHeaderBytes < length) {
    problem = fmt::format("record of {} bytes runs past the end ({} bytes left)", length,
                          limit - offset - kHeaderBytes);
    return ReadStatus::incomplete;
  }
  if (length > budget) return ReadStatus::over_budget;
  payload.resize(length);
  if (auto ec = fetch(offset + kHeaderBytes, length, limit, payload.data(), short_read)) {
    problem = ec.message();
    return ReadStatus::io_error;
  }
  if (short_read) {
    problem = "the file is shorter than its readable end";
    return ReadStatus::damaged;
  }
  const std::uint32_t expected = unmask_crc(decode_fixed32(header));
  if (crc32c(std::string_view(header + 4, 4), payload) != expected) {
    problem = fmt::format("checksum mismatch in a record of {} bytes", length);
    return ReadStatus::damaged;
  }
  return ReadStatus::ok;
}

std::error_code RecordReader::fetch(std::uint64_t offset, std::size_t n, std::uint64_t limit,
                                    char* dst, bool& short_read) {
  short_read = false;
  if (offset >= buffer_offset_ && offset + n <= buffer_offset_ + buffer_.size()) {
    std::memcpy(dst, buffer_.data() + (offset - buffer_offset_), n);
    return {};
  }
  std::size_t got = 0;
  if (n >= kReadAheadBytes / 2) {
    // Large payloads go straight to their destination rather than through the window.
    auto ec = read_at(file_.get(), dst, n, offset, &got);
    short_read = !ec && got < n;
    return ec;
  }
  buffer_.resize(
      static_cast<std::size_t>(std::min<std::uint64_t>(kReadAheadBytes, limit - offset)));
  buffer_offset_ = offset;
  auto ec = read_at(file_.get(), buffer_.data(), buffer_.size(), offset, &got);
  buffer_.resize(ec ? 0 : got);
  if (ec) return ec;
  short_read = got < n;
  if (!short_read) std::memcpy(dst, buffer_.data(), n);
  return {};
}

}  // namespace tollgate::audit::spool
