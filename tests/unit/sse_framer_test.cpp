#include <gtest/gtest.h>

#include "http/sse.h"

namespace tollgate::http {
namespace {

std::vector<std::string> feed_all(SseFramer& framer, std::string_view bytes) {
  std::vector<std::string> out;
  for (auto event : framer.feed(bytes)) out.emplace_back(event);
  return out;
}

TEST(SseFramer, SplitsWholeEvents) {
  SseFramer framer;
  auto events = feed_all(framer, "data: a\n\ndata: b\n\n");
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0], "data: a\n\n");
  EXPECT_EQ(events[1], "data: b\n\n");
  EXPECT_TRUE(framer.pending().empty());
}

TEST(SseFramer, HoldsPartialEventUntilItsEnd) {
  SseFramer framer;
  EXPECT_TRUE(feed_all(framer, "data: hel").empty());
  EXPECT_TRUE(feed_all(framer, "lo\n").empty());
  auto events = feed_all(framer, "\ndata: x");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0], "data: hello\n\n");
  EXPECT_EQ(framer.pending(), "data: x");
}

TEST(SseFramer, EveryCutOfTheStreamGivesTheSameEvents) {
  const std::string stream =
      "event: response.created\r\ndata: {\"a\":1}\r\n\r\ndata: b\n\ndata: c\r\rdata: [DONE]\n\n";
  for (std::size_t cut = 0; cut <= stream.size(); ++cut) {
    SseFramer framer;
    auto events = feed_all(framer, std::string_view(stream).substr(0, cut));
    auto rest = feed_all(framer, std::string_view(stream).substr(cut));
    events.insert(events.end(), rest.begin(), rest.end());
    ASSERT_EQ(events.size(), 4u) << "cut at " << cut;
    EXPECT_EQ(events[0], "event: response.created\r\ndata: {\"a\":1}\r\n\r\n");
    EXPECT_EQ(events[1], "data: b\n\n");
    EXPECT_EQ(events[2], "data: c\r\r");
    EXPECT_EQ(events[3], "data: [DONE]\n\n");
  }
}

TEST(SseFramer, TrailingCrWaitsForAPossibleLf) {
  SseFramer framer;
  EXPECT_TRUE(feed_all(framer, "data: a\r\n\r").empty());
  auto events = feed_all(framer, "\n");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0], "data: a\r\n\r\n");
}

TEST(SseData, JoinsDataLines) {
  EXPECT_EQ(sse_data("event: x\ndata: one\ndata:two\n\n"), "one\ntwo");
  EXPECT_EQ(sse_data(": comment\n\n"), "");
}

}  // namespace
}  // namespace tollgate::http
