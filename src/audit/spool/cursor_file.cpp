#include "audit/spool/cursor_file.h"

#include <fcntl.h>

#include <array>
#include <cerrno>
#include <cstdio>

#include "audit/spool/coding.h"
#include "audit/spool/crc32c.h"
#include "audit/spool/format.h"
#include "audit/spool/posix_file.h"

namespace tollgate::audit::spool {

std::string encode_cursor(SpoolPosition position) {
  std::string bytes(kCursorBytes, '\0');
  encode_fixed64(bytes.data() + 4, position.segment);
  encode_fixed64(bytes.data() + 12, position.offset);
  encode_fixed32(bytes.data(), mask_crc(crc32c(std::string_view(bytes).substr(4))));
  return bytes;
}

std::optional<SpoolPosition> decode_cursor(std::string_view bytes) {
  if (bytes.size() != kCursorBytes) return std::nullopt;
  if (unmask_crc(decode_fixed32(bytes.data())) != crc32c(bytes.substr(4))) return std::nullopt;
  return SpoolPosition{decode_fixed64(bytes.data() + 4), decode_fixed64(bytes.data() + 12)};
}

LoadedCursor load_cursor(const std::filesystem::path& path) {
  File file;
  if (auto ec = open_file(path, O_RDONLY, file)) {
    if (ec == std::errc::no_such_file_or_directory) return {};
    throw std::system_error(ec, "spool: cannot open " + path.string());
  }
  // One byte more than a cursor, so that an overlong file is seen as invalid.
  std::array<char, kCursorBytes + 1> bytes;
  std::size_t got = 0;
  if (auto ec = read_at(file.get(), bytes.data(), bytes.size(), 0, &got)) {
    throw std::system_error(ec, "spool: cannot read " + path.string());
  }
  auto position = decode_cursor(std::string_view(bytes.data(), got));
  if (!position) return {CursorState::invalid, {}};
  return {CursorState::ok, *position};
}

std::error_code store_cursor(const std::filesystem::path& path, SpoolPosition position) {
  const std::filesystem::path temp = path.string() + ".tmp";
  File file;
  if (auto ec = open_file(temp, O_WRONLY | O_CREAT | O_TRUNC, file)) return ec;
  std::string bytes = encode_cursor(position);
  iovec iov{bytes.data(), bytes.size()};
  if (auto ec = write_all(file.get(), &iov, 1)) return ec;
  if (auto ec = sync_data(file.get())) return ec;
  if (std::rename(temp.c_str(), path.c_str()) != 0) return {errno, std::system_category()};
  return {};
}

}  // namespace tollgate::audit::spool
