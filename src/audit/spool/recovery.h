// What Spool::open finds in the spool directory and repairs before the writer starts: the
// segments, a torn record at the end of the last one, and each sink's starting position.
// The rules are in docs/spool-format.md, "Recovery at open" and "Cursor files".
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "audit/spool.h"
#include "audit/spool/posix_file.h"

namespace tollgate::audit::spool {

struct RecoveredSpool {
  // Segment number → readable size. The last one is the active segment.
  std::map<std::uint64_t, std::uint64_t> segments;
  File active;  // the last segment, open for appending at its end
  // Where each sink starts: its cursor, moved inside the spool when it points outside.
  std::map<std::string, SpoolPosition> cursors;
};

// Creates `dir` if needed and recovers it. Throws std::invalid_argument for a sink name
// that is invalid or repeated, and std::system_error when the directory cannot be read or
// repaired.
RecoveredSpool recover(const std::filesystem::path& dir, const std::vector<std::string>& sinks);

}  // namespace tollgate::audit::spool
