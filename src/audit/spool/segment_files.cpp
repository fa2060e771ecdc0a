#include "audit/spool/segment_files.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>

#include "audit/spool/format.h"

namespace tollgate::audit::spool {

std::error_code create_segment(const std::filesystem::path& dir, std::uint64_t segment,
                               File& file) {
  const auto path = segment_path(dir, segment);
  File created;
  if (auto ec = open_file(path, O_WRONLY | O_CREAT | O_EXCL | O_APPEND, created)) return ec;
  if (auto ec = sync_dir(dir)) {
    // Without a durable name the segment could vanish with a power loss, synced data and all;
    // remove it so that the next attempt can create it again.
    std::error_code ignored;
    std::filesystem::remove(path, ignored);
    return ec;
  }
  file = std::move(created);
  return {};
}

void delete_segments(const std::filesystem::path& dir, const std::vector<std::uint64_t>& segments) {
  for (std::uint64_t segment : segments) {
    std::error_code ec;
    std::filesystem::remove(segment_path(dir, segment), ec);
    if (ec) spdlog::error("spool segment={} cannot be deleted: {}", segment, ec.message());
  }
}

}  // namespace tollgate::audit::spool
