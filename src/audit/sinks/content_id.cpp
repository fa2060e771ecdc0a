#include "audit/sinks/content_id.h"

#include <fmt/format.h>

#include <cstdint>

namespace tollgate::audit {

std::string content_id(std::string_view text) {
  std::uint64_t hash = 14695981039346656037ull;  // FNV-1a, 64 bits
  for (unsigned char c : text) {
    hash ^= c;
    hash *= 1099511628211ull;
  }
  return fmt::format("unreadable-{:016x}-{}", hash, text.size());
}

}  // namespace tollgate::audit
