#include "audit/spool/format.h"

#include <fmt/format.h>

#include <algorithm>

#include "audit/spool/coding.h"
#include "audit/spool/crc32c.h"

namespace tollgate::audit::spool {

namespace {
constexpr std::size_t kSegmentDigits = 20;  // enough for any uint64_t
constexpr std::string_view kSegmentSuffix = ".seg";
}  // namespace

void encode_record_header(std::string_view payload, char* header) {
  char* length = header + 4;
  encode_fixed32(length, static_cast<std::uint32_t>(payload.size()));
  encode_fixed32(header, mask_crc(crc32c(std::string_view(length, 4), payload)));
}

std::filesystem::path segment_path(const std::filesystem::path& dir, std::uint64_t segment) {
  return dir / fmt::format("{:0{}}{}", segment, kSegmentDigits, kSegmentSuffix);
}

std::optional<std::uint64_t> parse_segment_name(std::string_view filename) {
  if (filename.size() != kSegmentDigits + kSegmentSuffix.size() ||
      !filename.ends_with(kSegmentSuffix)) {
    return std::nullopt;
  }
  std::uint64_t segment = 0;
  for (char c : filename.substr(0, kSegmentDigits)) {
    if (c < '0' || c > '9') return std::nullopt;
    const std::uint64_t digit = static_cast<std::uint64_t>(c - '0');
    if (segment > (UINT64_MAX - digit) / 10) return std::nullopt;
    segment = segment * 10 + digit;
  }
  return segment;
}

bool valid_sink_name(std::string_view name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == '-';
  });
}

std::filesystem::path cursor_path(const std::filesystem::path& dir, std::string_view sink) {
  return dir / fmt::format("cursor-{}", sink);
}

}  // namespace tollgate::audit::spool
