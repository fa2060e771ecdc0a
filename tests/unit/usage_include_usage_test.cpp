#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <string>

#include "core/config.h"
#include "http/sse.h"
#include "usage/include_usage.h"
#include "usage_test_vectors.h"

namespace tollgate::usage {
namespace {

namespace json = boost::json;

using StreamUsage = BackendConfig::StreamUsage;

bool azure(std::string_view version) {
  return accepts_stream_options(BackendKind::azure, version, StreamUsage::auto_detect);
}

TEST(IncludeUsageBackend, OpenAiAlwaysAccepts) {
  EXPECT_TRUE(accepts_stream_options(BackendKind::openai, "", StreamUsage::auto_detect));
  EXPECT_TRUE(accepts_stream_options(BackendKind::openai, "2023-05-15", StreamUsage::auto_detect));
}

TEST(IncludeUsageBackend, AzureFromSeptember2024Preview) {
  EXPECT_TRUE(azure("2024-09-01-preview"));
  EXPECT_TRUE(azure("2024-09-01"));
  EXPECT_TRUE(azure("2024-10-01-preview"));
  EXPECT_TRUE(azure("2024-10-21"));
  EXPECT_TRUE(azure("2024-12-01-preview"));
  EXPECT_TRUE(azure("2025-04-01-preview"));
  EXPECT_TRUE(azure("2030-01-01"));
  EXPECT_FALSE(azure("2024-08-01-preview"));
  EXPECT_FALSE(azure("2024-07-01-preview"));
  EXPECT_FALSE(azure("2024-06-01"));
  EXPECT_FALSE(azure("2024-02-01"));
  EXPECT_FALSE(azure("2023-05-15"));
  EXPECT_FALSE(azure("2024-08-31"));
}

TEST(IncludeUsageBackend, AzureV1SurfaceAccepts) {
  EXPECT_TRUE(azure("v1"));
  EXPECT_TRUE(azure("preview"));
}

TEST(IncludeUsageBackend, AzureMissingOrUnreadableVersionDoesNot) {
  for (std::string_view version : {"", "latest", "2024-9-1", "2024/10/21", "20241021",
                                   "2024-10-21x", "2024-10-2", "v2", "2024-1O-21", "Preview"})
    EXPECT_FALSE(azure(version)) << version;
}

TEST(IncludeUsageBackend, SettingOverrides) {
  for (BackendKind kind : {BackendKind::azure, BackendKind::openai}) {
    EXPECT_TRUE(accepts_stream_options(kind, "", StreamUsage::always));
    EXPECT_TRUE(accepts_stream_options(kind, "2023-05-15", StreamUsage::always));
    EXPECT_FALSE(accepts_stream_options(kind, "2024-10-21", StreamUsage::never));
    EXPECT_FALSE(accepts_stream_options(kind, "v1", StreamUsage::never));
  }
}

std::string added(std::string_view body) {
  auto changed = add_include_usage(body);
  return changed ? *changed : "<nullopt>";
}

TEST(IncludeUsageAdd, InsertsAfterTheOpeningBrace) {
  EXPECT_EQ(
      added(R"({"model":"gpt-4o","stream":true,"messages":[]})"),
      R"({"stream_options":{"include_usage":true},"model":"gpt-4o","stream":true,"messages":[]})");
}

TEST(IncludeUsageAdd, KeepsOddWhitespaceAndEveryOtherByte) {
  EXPECT_EQ(added(" \n{ \t\"stream\" : true ,\r\n \"model\":\"x\" }\n"),
            " \n{\"stream_options\":{\"include_usage\":true}, \t\"stream\" : true ,\r\n "
            "\"model\":\"x\" }\n");
  // Number spellings, escapes and non-ASCII text survive, which a reserialization would not.
  const std::string body =
      "{\"temperature\":1.0E0,\"messages\":[{\"role\":\"user\",\"content\":\"Gr\\u00fc\xc3\x9f"
      "e \\/ \\\"x\\\"\"}],\"stream\":true}";
  EXPECT_EQ(added(body), "{\"stream_options\":{\"include_usage\":true}," + body.substr(1));
}

TEST(IncludeUsageAdd, ResultMeansTheSameWithIncludeUsage) {
  const std::string_view body =
      R"({"model":"gpt-4o","stream":true,"n":2,"tools":[{"type":"function","function":)"
      R"({"name":"f","parameters":{"type":"object","properties":{}}}}],)"
      R"("messages":[{"role":"user","content":"hi"}]})";
  json::value expected = json::parse(body);
  expected.as_object()["stream_options"] = {{"include_usage", true}};
  EXPECT_EQ(json::parse(added(body)), expected);
}

TEST(IncludeUsageAdd, OnlyForStreamTrue) {
  EXPECT_EQ(added(R"({"model":"gpt-4o","messages":[]})"), "<nullopt>");
  EXPECT_EQ(added(R"({"model":"gpt-4o","stream":false})"), "<nullopt>");
  EXPECT_EQ(added(R"({"stream":"true"})"), "<nullopt>");
  EXPECT_EQ(added(R"({"stream":1})"), "<nullopt>");
  EXPECT_EQ(added(R"({"stream":null})"), "<nullopt>");
  // A "stream" that is not a top-level member does not count.
  EXPECT_EQ(added(R"({"metadata":{"stream":true},"messages":[{"content":"\"stream\":true"}]})"),
            "<nullopt>");
  // The last of repeated keys wins, as in the upstream's parser.
  EXPECT_EQ(added(R"({"stream":true,"stream":false})"), "<nullopt>");
  EXPECT_NE(added(R"({"stream":false,"stream":true})"), "<nullopt>");
}

TEST(IncludeUsageAdd, RecognisesEscapedKeys) {
  EXPECT_EQ(added(R"({"str\u0065am":true})"),
            R"({"stream_options":{"include_usage":true},"str\u0065am":true})");
  EXPECT_EQ(added(R"({"stream":true,"stream_options":{"include\u005fusage":true}})"), "<nullopt>");
}

TEST(IncludeUsageAdd, AddsToAnExistingStreamOptionsObject) {
  EXPECT_EQ(added(R"({"stream":true,"stream_options":{}})"),
            R"({"stream":true,"stream_options":{"include_usage":true}})");
  EXPECT_EQ(added(R"({"stream":true,"stream_options":{ }})"),
            R"({"stream":true,"stream_options":{"include_usage":true }})");
  EXPECT_EQ(
      added(R"({"stream_options": {"include_obfuscation":false} ,"stream":true})"),
      R"({"stream_options": {"include_usage":true,"include_obfuscation":false} ,"stream":true})");
}

TEST(IncludeUsageAdd, SetsIncludeUsageTheClientTurnedOff) {
  EXPECT_EQ(added(R"({"stream":true,"stream_options":{"include_usage" : false , "x":1}})"),
            R"({"stream":true,"stream_options":{"include_usage" : true , "x":1}})");
  EXPECT_EQ(added(R"({"stream":true,"stream_options":{"include_usage":null}})"),
            R"({"stream":true,"stream_options":{"include_usage":true}})");
}

TEST(IncludeUsageAdd, ReplacesANullStreamOptions) {
  EXPECT_EQ(added(R"({"stream":true,"stream_options": null})"),
            R"({"stream":true,"stream_options": {"include_usage":true}})");
}

TEST(IncludeUsageAdd, LeavesAClientThatAskedForUsageAlone) {
  EXPECT_EQ(added(R"({"stream":true,"stream_options":{"include_usage":true}})"), "<nullopt>");
  EXPECT_EQ(added(R"({"stream_options":{ "x":[1], "include_usage" :	true },"stream":true})"),
            "<nullopt>");
}

TEST(IncludeUsageAdd, LeavesBodiesTheUpstreamWillRejectAlone) {
  for (std::string_view body :
       {R"({"stream":true,"stream_options":"yes"})", R"({"stream":true,"stream_options":[]})",
        R"({"stream":true,"stream_options":true})", R"([{"stream":true}])", R"({"stream":true)",
        R"({"stream":true} x)", R"({"stream":true,})", R"({"stream":tru})", "", "   ",
        R"({"stream":true,"a":01})", "{\"stream\":true,\"a\":\"\x01\"}"})
    EXPECT_EQ(added(body), "<nullopt>") << body;
}

TEST(IncludeUsageChunk, UsageOnlyChunk) {
  EXPECT_TRUE(is_usage_only_chunk(
      R"({"id":"c","object":"chat.completion.chunk","choices":[],"usage":{"prompt_tokens":1}})"));
  EXPECT_TRUE(is_usage_only_chunk(" {\"choices\" : [ \n ] , \"usage\" : { } }\r\n"));
}

TEST(IncludeUsageChunk, NotUsageOnly) {
  for (std::string_view data :
       {R"({"choices":[{"index":0,"delta":{}}],"usage":null})",
        R"({"choices":[{"index":0,"delta":{}}],"usage":{"total_tokens":3}})",
        R"({"choices":[],"usage":null})", R"({"choices":[]})", R"({"usage":{"total_tokens":3}})",
        R"({"choices":[],"usage":"3"})", R"({"choices":{},"usage":{}})",
        R"({"choices":[],"usage":{})", R"({"x":{"choices":[],"usage":{}}})", "[DONE]", "",
        R"({"choices":[],"usage":{}} trailing)"})
    EXPECT_FALSE(is_usage_only_chunk(data)) << data;
}

TEST(IncludeUsageChunk, AzurePromptFilterChunkIsNotUsageOnly) {
  http::SseFramer framer;
  const auto& events = framer.feed(test::kAzureFiltered);
  ASSERT_EQ(events.size(), 8u);
  EXPECT_FALSE(is_usage_only_chunk(http::sse_data(events[0])));
  EXPECT_TRUE(is_usage_only_chunk(http::sse_data(events[6])));
  for (std::size_t i = 1; i < 6; ++i) EXPECT_FALSE(is_usage_only_chunk(http::sse_data(events[i])));
}

TEST(IncludeUsageNullUsage, RemovesTheMemberAndItsComma) {
  EXPECT_EQ(without_null_usage("data: {\"a\":1,\"usage\":null}\n\n"), "data: {\"a\":1}\n\n");
  EXPECT_EQ(without_null_usage("data: {\"usage\":null,\"a\":1}\n\n"), "data: {\"a\":1}\n\n");
  EXPECT_EQ(without_null_usage("data: {\"a\":1,\"usage\":null,\"b\":2}\n\n"),
            "data: {\"a\":1,\"b\":2}\n\n");
  EXPECT_EQ(without_null_usage("data: {\"usage\":null}\n\n"), "data: {}\n\n");
}

TEST(IncludeUsageNullUsage, SpacingVariants) {
  EXPECT_EQ(without_null_usage("data: {\"a\":1, \"usage\": null}\n\n"), "data: {\"a\":1}\n\n");
  EXPECT_EQ(without_null_usage("data: {\"a\":1 , \"usage\" :null }\n\n"), "data: {\"a\":1 }\n\n");
  EXPECT_EQ(without_null_usage("data: {\"a\":1,\"usage\"\t:\tnull\t}\n\n"),
            "data: {\"a\":1\t}\n\n");
  EXPECT_EQ(without_null_usage("data: { \"usage\" : null , \"a\":1}\n\n"), "data: { \"a\":1}\n\n");
  EXPECT_EQ(without_null_usage("data:{\"a\":1,\"usage\":null}\n\n"), "data:{\"a\":1}\n\n");
  EXPECT_EQ(without_null_usage("data:   {\"a\":1,\"usage\":null}  \n\n"),
            "data:   {\"a\":1}  \n\n");
}

TEST(IncludeUsageNullUsage, LineEndings) {
  EXPECT_EQ(without_null_usage("data: {\"a\":1,\"usage\":null}\r\n\r\n"),
            "data: {\"a\":1}\r\n\r\n");
  EXPECT_EQ(without_null_usage("data: {\"a\":1,\"usage\":null}\r\r"), "data: {\"a\":1}\r\r");
  EXPECT_EQ(without_null_usage("event: chunk\r\nid: 7\r\ndata: {\"a\":1,\"usage\":null}\r\n\r\n"),
            "event: chunk\r\nid: 7\r\ndata: {\"a\":1}\r\n\r\n");
  EXPECT_EQ(without_null_usage("data: {\"a\":1,\"usage\":null}"), "data: {\"a\":1}");
}

TEST(IncludeUsageNullUsage, LeavesEverythingElse) {
  for (std::string_view event : {
           "data: {\"choices\":[{\"delta\":{\"content\":\"\\\"usage\\\":null\"}}]}\n\n",
           "data: {\"response\":{\"usage\":null},\"type\":\"response.created\"}\n\n",
           "data: {\"choices\":[],\"usage\":{\"total_tokens\":3}}\n\n",
           "data: {\"usage\":null,\"usage\":null}\n\n",
           "data: {\"usage\":null\n\n",
           "data: {\"a\":1,\n\"usage\":null}\n\n",
           "data: {\"a\":1,\ndata: \"usage\":null}\n\n",
           "data: [DONE]\n\n",
           ": keep-alive \"usage\":null\n\n",
           "event: x\n\n",
           "",
           "data: {\"usage\":nulll}\n\n",
           " data: {\"usage\":null}\n\n",
           "data: {\"usage\":\"null\"}\n\n",
       })
    EXPECT_EQ(without_null_usage(event), event) << event;
}

TEST(IncludeUsageNullUsage, TopLevelMemberGoesStringLookalikeStays) {
  EXPECT_EQ(
      without_null_usage("data: {\"choices\":[{\"delta\":{\"content\":\",\\\"usage\\\":null\"}}],"
                         "\"usage\":null}\n\n"),
      "data: {\"choices\":[{\"delta\":{\"content\":\",\\\"usage\\\":null\"}}]}\n\n");
}

// Cut anywhere, an event either loses exactly its ,"usage":null or stays as it was.
TEST(IncludeUsageNullUsage, EveryTruncationRemovesTheMemberOrNothing) {
  http::SseFramer framer;
  for (auto event : framer.feed(test::kSimChatToolCall)) {
    for (std::size_t cut = 0; cut <= event.size(); ++cut) {
      const std::string_view piece = event.substr(0, cut);
      const std::string out = without_null_usage(piece);
      if (out == piece) continue;
      const std::size_t at = piece.find(",\"usage\":null");
      ASSERT_NE(at, std::string_view::npos) << piece;
      EXPECT_EQ(out, std::string(piece.substr(0, at)) + std::string(piece.substr(at + 13)));
    }
  }
}

// The whole client-side treatment, on the simulator's stream with include_usage, gives back
// byte for byte the stream the same request without stream_options gets.
TEST(IncludeUsageNullUsage, ClientSeesTheStreamItAskedFor) {
  http::SseFramer framer;
  std::string relayed;
  for (auto event : framer.feed(test::kSimChatTwoChoices)) {
    if (is_usage_only_chunk(http::sse_data(event))) continue;
    relayed += without_null_usage(event);
  }
  std::string expected(test::kSimChatTwoChoicesPlain);
  // The simulator derives the completion id from the request, which differed.
  const std::string plain_id = "chatcmpl-06d7501b4dda53c0";
  for (std::size_t at = expected.find(plain_id); at != std::string::npos;
       at = expected.find(plain_id, at))
    expected.replace(at, plain_id.size(), "chatcmpl-93134b41589f2a5a");
  EXPECT_EQ(relayed, expected);
}

}  // namespace
}  // namespace tollgate::usage
