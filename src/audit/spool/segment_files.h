// Creating and deleting segment files, shared by recovery at open and the writer.
#pragma once

#include <cstdint>
#include <filesystem>
#include <system_error>
#include <vector>

#include "audit/spool/posix_file.h"

namespace tollgate::audit::spool {

// Creates the empty segment `segment` in `dir`, open for appending, and fsyncs the directory
// so that the new name survives a power loss. Fails if the file already exists: segment
// numbers are never reused.
std::error_code create_segment(const std::filesystem::path& dir, std::uint64_t segment, File& file);

// Unlinks the given segments of `dir`; a failure is logged, not returned, because a segment
// left behind is harmless (it is deleted again at the next open).
void delete_segments(const std::filesystem::path& dir, const std::vector<std::uint64_t>& segments);

}  // namespace tollgate::audit::spool
