// Deterministic text for the simulator's answers. The same input always yields the same words,
// so tests can assert on content, and every answer is cut into tokens the simulator can count
// for usage and pace when streaming.
//
// Thread safety: everything here is a pure function or an immutable value.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tollgate::sim {

inline constexpr std::uint64_t kFnvOffset = 0xcbf29ce484222325ull;

// 64-bit FNV-1a of `bytes`, continuing from `state`, so that several pieces of a request can be
// hashed in turn. For choosing words, not for security.
std::uint64_t fnv1a(std::string_view bytes, std::uint64_t state = kFnvOffset);

// splitmix64's finalizer: scrambles `x` so that neighbouring seeds give unrelated outputs.
std::uint64_t mix(std::uint64_t x);

// The i-th value of the pseudo-random sequence that `seed` starts.
std::uint64_t nth(std::uint64_t seed, std::uint64_t i);

// `value` as 16 lowercase hex digits, for ids.
std::string hex64(std::uint64_t value);

// A text cut into tokens: token i is text[ends[i-1], ends[i]), the first starting at 0.
// Concatenating the tokens gives the text back exactly.
struct Tokens {
  std::string text;
  std::vector<std::uint32_t> ends;

  std::size_t size() const { return ends.size(); }
  std::string_view operator[](std::size_t i) const;
};

// `count` words from the simulator's vocabulary, chosen by `seed` and joined by single spaces.
// Each word is one token, the space before it included.
Tokens words(std::uint64_t seed, int count);

// `text` cut into tokens of at most 4 bytes, each ending at a UTF-8 character boundary, so that
// every streamed piece is valid UTF-8 on its own. Invalid bytes are cut as if they were valid.
Tokens pieces(std::string text);

// The text after a leading "echo:", byte for byte, or nullopt when `text` does not start so.
std::optional<std::string_view> echo_of(std::string_view text);

// The simulator's token estimate for `bytes` bytes of text: one token per 4 bytes, rounded up.
std::int64_t estimate_tokens(std::size_t bytes);

}  // namespace tollgate::sim
