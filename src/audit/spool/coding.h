// Fixed-width little-endian integers, the only integer encoding in the spool's files
// (docs/spool-format.md). Byte by byte rather than memcpy, so the files read the same on any
// host; compilers turn these loops into single loads and stores on little-endian machines.
#pragma once

#include <cstdint>

namespace tollgate::audit::spool {

// REQUIRES: `dst` has room for 4 bytes.
inline void encode_fixed32(char* dst, std::uint32_t value) {
  for (int i = 0; i < 4; ++i) dst[i] = static_cast<char>(value >> (8 * i));
}

// REQUIRES: `dst` has room for 8 bytes.
inline void encode_fixed64(char* dst, std::uint64_t value) {
  for (int i = 0; i < 8; ++i) dst[i] = static_cast<char>(value >> (8 * i));
}

// REQUIRES: `src` holds at least 4 bytes.
inline std::uint32_t decode_fixed32(const char* src) {
  std::uint32_t value = 0;
  for (int i = 0; i < 4; ++i) value |= std::uint32_t{static_cast<unsigned char>(src[i])} << (8 * i);
  return value;
}

// REQUIRES: `src` holds at least 8 bytes.
inline std::uint64_t decode_fixed64(const char* src) {
  std::uint64_t value = 0;
  for (int i = 0; i < 8; ++i) value |= std::uint64_t{static_cast<unsigned char>(src[i])} << (8 * i);
  return value;
}

}  // namespace tollgate::audit::spool
