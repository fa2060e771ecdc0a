#include "sim/text.h"

#include <array>

namespace tollgate::sim {

namespace {

// 64 plain ASCII words: answers stay readable in logs, and any word is safe in JSON, SSE and
// shell scripts without escaping.
constexpr std::array<std::string_view, 64> kVocabulary = {
    "alpha",  "amber",  "anchor", "apple",  "arrow",   "aspen",   "autumn",  "badge",
    "basil",  "beacon", "birch",  "blue",   "bridge",  "brook",   "cedar",   "cloud",
    "comet",  "coral",  "delta",  "desert", "dune",    "eagle",   "echo",    "ember",
    "fern",   "field",  "flame",  "forest", "garden",  "glade",   "granite", "harbor",
    "hazel",  "island", "ivory",  "jade",   "lagoon",  "lantern", "lemon",   "maple",
    "meadow", "mesa",   "mint",   "moss",   "nectar",  "north",   "oak",     "ocean",
    "olive",  "orbit",  "pebble", "pine",   "prairie", "quartz",  "river",   "saffron",
    "shadow", "silver", "spruce", "stone",  "summit",  "thistle", "valley",  "willow",
};

// The length of the UTF-8 sequence that `lead` starts; 1 for a byte that cannot start one, so
// that invalid input still advances.
std::size_t sequence_length(unsigned char lead) {
  if (lead >= 0xf0 && lead <= 0xf4) return 4;
  if (lead >= 0xe0 && lead <= 0xef) return 3;
  if (lead >= 0xc2 && lead <= 0xdf) return 2;
  return 1;
}

}  // namespace

std::uint64_t fnv1a(std::string_view bytes, std::uint64_t state) {
  for (unsigned char c : bytes) {
    state ^= c;
    state *= 0x100000001b3ull;
  }
  return state;
}

std::uint64_t mix(std::uint64_t x) {
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

std::uint64_t nth(std::uint64_t seed, std::uint64_t i) {
  return mix(seed + (i + 1) * 0x9e3779b97f4a7c15ull);
}

std::string hex64(std::uint64_t value) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(16, '0');
  for (int i = 15; i >= 0; --i, value >>= 4) out[i] = kDigits[value & 0xf];
  return out;
}

std::string_view Tokens::operator[](std::size_t i) const {
  std::size_t begin = i == 0 ? 0 : ends[i - 1];
  return std::string_view(text).substr(begin, ends[i] - begin);
}

Tokens words(std::uint64_t seed, int count) {
  Tokens tokens;
  tokens.ends.reserve(count > 0 ? count : 0);
  for (int i = 0; i < count; ++i) {
    if (i > 0) tokens.text += ' ';
    tokens.text += kVocabulary[nth(seed, i) % kVocabulary.size()];
    tokens.ends.push_back(static_cast<std::uint32_t>(tokens.text.size()));
  }
  return tokens;
}

Tokens pieces(std::string text) {
  Tokens tokens;
  tokens.text = std::move(text);
  const std::string_view all = tokens.text;
  std::size_t i = 0;
  while (i < all.size()) {
    std::size_t start = i;
    while (i < all.size()) {
      std::size_t length = std::min(sequence_length(all[i]), all.size() - i);
      if (i > start && i - start + length > 4) break;
      i += length;
    }
    tokens.ends.push_back(static_cast<std::uint32_t>(i));
  }
  return tokens;
}

std::optional<std::string_view> echo_of(std::string_view text) {
  constexpr std::string_view kPrefix = "echo:";
  if (!text.starts_with(kPrefix)) return std::nullopt;
  return text.substr(kPrefix.size());
}

std::int64_t estimate_tokens(std::size_t bytes) {
  return static_cast<std::int64_t>((bytes + 3) / 4);
}

}  // namespace tollgate::sim
