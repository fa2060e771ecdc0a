#include <gtest/gtest.h>

#include <string>

#include "sim/text.h"

namespace tollgate::sim {
namespace {

std::string joined(const Tokens& tokens) {
  std::string out;
  for (std::size_t i = 0; i < tokens.size(); ++i) out += tokens[i];
  return out;
}

// True when `piece` is whole UTF-8: it starts on a character and ends on a character boundary.
bool whole_utf8(std::string_view piece) {
  auto continuation = [](unsigned char c) { return (c & 0xc0) == 0x80; };
  if (piece.empty() || continuation(piece.front())) return false;
  std::size_t i = 0;
  while (i < piece.size()) {
    unsigned char lead = piece[i];
    std::size_t length = lead < 0x80 ? 1 : lead < 0xe0 ? 2 : lead < 0xf0 ? 3 : 4;
    if (i + length > piece.size()) return false;
    i += length;
  }
  return true;
}

TEST(SimText, Fnv1aMatchesReferenceVectors) {
  EXPECT_EQ(fnv1a(""), 0xcbf29ce484222325ull);
  EXPECT_EQ(fnv1a("a"), 0xaf63dc4c8601ec8cull);
  EXPECT_EQ(fnv1a("bar", fnv1a("foo")), fnv1a("foobar"));
}

TEST(SimText, WordsAreDeterministicAndOneTokenEach) {
  Tokens a = words(42, 16);
  Tokens b = words(42, 16);
  EXPECT_EQ(a.text, b.text);
  ASSERT_EQ(a.size(), 16u);
  EXPECT_EQ(joined(a), a.text);
  EXPECT_EQ(a[0].find(' '), std::string_view::npos);
  for (std::size_t i = 1; i < a.size(); ++i) {
    EXPECT_EQ(a[i].front(), ' ') << i;
    EXPECT_EQ(a[i].find(' ', 1), std::string_view::npos) << i;
  }
  EXPECT_NE(words(43, 16).text, a.text);
}

TEST(SimText, WordsOfZeroIsEmpty) {
  Tokens none = words(1, 0);
  EXPECT_TRUE(none.text.empty());
  EXPECT_EQ(none.size(), 0u);
}

TEST(SimText, PiecesKeepTheTextAndNeverSplitACharacter) {
  const std::string text =
      "h\xc3\xa9llo \xf0\x9f\x98\x80 \xe4\xb8\x96\xe7\x95\x8c \xd7\xa9\xd7\x9c"
      "\xd7\x95\xd7\x9d \xf0\x9f\x91\xa9\xe2\x80\x8d\xf0\x9f\x91\xa9";
  Tokens tokens = pieces(text);
  EXPECT_EQ(tokens.text, text);
  EXPECT_EQ(joined(tokens), text);
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    EXPECT_TRUE(whole_utf8(tokens[i])) << i;
    EXPECT_LE(tokens[i].size(), 4u) << i;
  }
}

TEST(SimText, PiecesOfAsciiAreFourBytes) {
  Tokens tokens = pieces("abcdefghij");
  ASSERT_EQ(tokens.size(), 3u);
  EXPECT_EQ(tokens[0], "abcd");
  EXPECT_EQ(tokens[1], "efgh");
  EXPECT_EQ(tokens[2], "ij");
  EXPECT_EQ(pieces("").size(), 0u);
}

TEST(SimText, PiecesSurviveInvalidUtf8) {
  const std::string bad = "\x80\xff\xe4\xb8";  // a stray continuation, 0xff, a cut sequence
  Tokens tokens = pieces(bad);
  EXPECT_EQ(joined(tokens), bad);
}

TEST(SimText, EchoIsTheRestVerbatim) {
  EXPECT_EQ(echo_of("echo: hi there"), " hi there");
  EXPECT_EQ(echo_of("echo:"), "");
  EXPECT_EQ(echo_of("Echo: no"), std::nullopt);
  EXPECT_EQ(echo_of(" echo:no"), std::nullopt);
}

TEST(SimText, EstimateRoundsUp) {
  EXPECT_EQ(estimate_tokens(0), 0);
  EXPECT_EQ(estimate_tokens(1), 1);
  EXPECT_EQ(estimate_tokens(4), 1);
  EXPECT_EQ(estimate_tokens(5), 2);
}

TEST(SimText, Hex64IsSixteenDigits) {
  EXPECT_EQ(hex64(0), "0000000000000000");
  EXPECT_EQ(hex64(0xabcdef0123456789ull), "abcdef0123456789");
}

}  // namespace
}  // namespace tollgate::sim
