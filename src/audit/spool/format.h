// The constants and names both sides of the spool share: the writer that lays records down,
// and the readers and recovery that check them. The layout is specified in
// docs/spool-format.md; change the two together.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace tollgate::audit::spool {

// A record: masked CRC32C (fixed32) of length bytes + payload, length (fixed32), payload.
inline constexpr std::size_t kHeaderBytes = 8;
inline constexpr std::uint32_t kMaxRecordBytes = std::uint32_t{256} << 20;

// A cursor file: masked CRC32C (fixed32) of the 16 bytes that follow, segment (fixed64),
// offset (fixed64).
inline constexpr std::size_t kCursorBytes = 20;

// Fills `header` (kHeaderBytes) for `payload`.
// REQUIRES: payload.size() <= kMaxRecordBytes.
void encode_record_header(std::string_view payload, char* header);

// "<dir>/00000000000000000042.seg" for segment 42.
std::filesystem::path segment_path(const std::filesystem::path& dir, std::uint64_t segment);
// The segment number of a file name in that form; nullopt for any other name.
std::optional<std::uint64_t> parse_segment_name(std::string_view filename);

// Sink names become file names, so they are limited to [A-Za-z0-9._-]+.
bool valid_sink_name(std::string_view name);
std::filesystem::path cursor_path(const std::filesystem::path& dir, std::string_view sink);

}  // namespace tollgate::audit::spool
