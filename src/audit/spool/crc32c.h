// CRC-32C (Castagnoli), the checksum of every spool record and cursor file, and the masking
// applied before a CRC is stored (docs/spool-format.md).
#pragma once

#include <cstdint>
#include <string_view>

namespace tollgate::audit::spool {

// The CRC-32C of `a` followed by `b`: records checksum their length bytes and payload
// together without copying them into one buffer.
std::uint32_t crc32c(std::string_view a, std::string_view b = {});

// Stored checksums are masked, as in LevelDB: the CRC of a string that contains embedded CRCs
// is prone to accidental agreement, and a masked value no longer looks like the CRC of nearby
// bytes. A run of zero bytes does not carry a valid masked CRC either.
inline std::uint32_t mask_crc(std::uint32_t crc) {
  return ((crc >> 15) | (crc << 17)) + 0xa282ead8u;
}

inline std::uint32_t unmask_crc(std::uint32_t masked) {
  const std::uint32_t rotated = masked - 0xa282ead8u;
  return (rotated >> 17) | (rotated << 15);
}

}  // namespace tollgate::audit::spool
