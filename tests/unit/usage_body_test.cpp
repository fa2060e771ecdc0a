#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "usage/usage.h"

namespace tollgate::usage {
namespace {

namespace json = boost::json;

Usage from(std::string_view body) { return usage_from_body(json::parse(body)); }

TEST(UsageFromBody, ChatCompletionWithDetails) {
  const Usage usage = from(R"({"id":"chatcmpl-1","object":"chat.completion","choices":[],
      "usage":{"prompt_tokens":2006,"completion_tokens":300,"total_tokens":2306,
               "prompt_tokens_details":{"cached_tokens":1920,"audio_tokens":0},
               "completion_tokens_details":{"reasoning_tokens":256,"audio_tokens":0,
                   "accepted_prediction_tokens":0,"rejected_prediction_tokens":0}}})");
  EXPECT_EQ(usage.source, Usage::Source::upstream);
  EXPECT_EQ(usage.prompt_tokens, 2006);
  EXPECT_EQ(usage.completion_tokens, 300);
  EXPECT_EQ(usage.total_tokens, 2306);
  EXPECT_EQ(usage.cached_tokens, 1920);
  EXPECT_EQ(usage.reasoning_tokens, 256);
}

TEST(UsageFromBody, ResponsesApiNames) {
  const Usage usage = from(R"({"object":"response","status":"completed",
      "usage":{"input_tokens":36,"input_tokens_details":{"cached_tokens":4},
               "output_tokens":87,"output_tokens_details":{"reasoning_tokens":64},
               "total_tokens":123}})");
  EXPECT_EQ(usage.source, Usage::Source::upstream);
  EXPECT_EQ(usage.prompt_tokens, 36);
  EXPECT_EQ(usage.completion_tokens, 87);
  EXPECT_EQ(usage.total_tokens, 123);
  EXPECT_EQ(usage.cached_tokens, 4);
  EXPECT_EQ(usage.reasoning_tokens, 64);
}

TEST(UsageFromBody, OldApiVersionWithoutDetails) {
  const Usage usage = from(R"({"usage":{"completion_tokens":9,"prompt_tokens":12,
                                        "total_tokens":21}})");
  EXPECT_EQ(usage.source, Usage::Source::upstream);
  EXPECT_EQ(usage.total_tokens, 21);
  EXPECT_FALSE(usage.cached_tokens);
  EXPECT_FALSE(usage.reasoning_tokens);
}

TEST(UsageFromBody, EmbeddingsHaveNoCompletion) {
  Usage usage = from(R"({"object":"list","data":[{"object":"embedding","index":0,
      "embedding":[0.1]}],"model":"text-embedding-3-small",
      "usage":{"prompt_tokens":8,"total_tokens":8}})");
  EXPECT_EQ(usage.source, Usage::Source::upstream);
  EXPECT_EQ(usage.prompt_tokens, 8);
  EXPECT_EQ(usage.completion_tokens, 0);
  EXPECT_EQ(usage.total_tokens, 8);
  usage = from(R"({"object":"list","usage":{"prompt_tokens":8,"completion_tokens":0,
                                            "total_tokens":8}})");
  EXPECT_EQ(usage.completion_tokens, 0);
  // Only an embeddings list gets the 0: elsewhere a missing count stays missing.
  usage = from(R"({"object":"chat.completion","usage":{"prompt_tokens":8,"total_tokens":8}})");
  EXPECT_FALSE(usage.completion_tokens);
}

TEST(UsageFromBody, NoUsage) {
  for (std::string_view body :
       {R"({"object":"chat.completion"})", R"({"usage":null})", R"({"usage":{}})",
        R"({"usage":[1,2]})", R"({"usage":"10"})", R"([{"usage":{"total_tokens":1}}])", "null",
        R"({"usage":{"prompt_tokens":"5","total_tokens":"5"}})",
        R"({"object":"list","usage":{}})"}) {
    const Usage usage = from(body);
    EXPECT_EQ(usage.source, Usage::Source::none) << body;
    EXPECT_FALSE(usage.prompt_tokens || usage.completion_tokens || usage.total_tokens ||
                 usage.cached_tokens || usage.reasoning_tokens)
        << body;
  }
}

TEST(UsageFromBody, OnlyIntegralNonNegativeNumbersCount) {
  const Usage usage = from(R"({"usage":{"prompt_tokens":"12","completion_tokens":5.0,
      "total_tokens":1.7E1,"prompt_tokens_details":{"cached_tokens":-1},
      "completion_tokens_details":{"reasoning_tokens":2.5}}})");
  EXPECT_EQ(usage.source, Usage::Source::upstream);
  EXPECT_FALSE(usage.prompt_tokens);
  EXPECT_EQ(usage.completion_tokens, 5);
  EXPECT_EQ(usage.total_tokens, 17);
  EXPECT_FALSE(usage.cached_tokens);
  EXPECT_FALSE(usage.reasoning_tokens);
}

TEST(UsageFromBody, CountsBeyondInt64AreAbsent) {
  const Usage usage = from(R"({"usage":{"prompt_tokens":9223372036854775807,
      "completion_tokens":9223372036854775808,"total_tokens":1e19,
      "prompt_tokens_details":{"cached_tokens":true}}})");
  EXPECT_EQ(usage.prompt_tokens, 9223372036854775807);
  EXPECT_FALSE(usage.completion_tokens);
  EXPECT_FALSE(usage.total_tokens);
  EXPECT_FALSE(usage.cached_tokens);
}

TEST(UsageFromBody, DetailsThatAreNotObjectsAreIgnored) {
  const Usage usage = from(R"({"usage":{"prompt_tokens":1,"prompt_tokens_details":null,
      "completion_tokens_details":[{"reasoning_tokens":3}]}})");
  EXPECT_EQ(usage.prompt_tokens, 1);
  EXPECT_FALSE(usage.cached_tokens);
  EXPECT_FALSE(usage.reasoning_tokens);
}

TEST(UsageToJson, AllCountsAndSource) {
  Usage usage;
  usage.prompt_tokens = 10;
  usage.completion_tokens = 20;
  usage.total_tokens = 30;
  usage.cached_tokens = 0;
  usage.reasoning_tokens = 4;
  usage.source = Usage::Source::upstream;
  EXPECT_EQ(to_json(usage), json::parse(R"({"prompt_tokens":10,"completion_tokens":20,
      "total_tokens":30,"cached_tokens":0,"reasoning_tokens":4,"source":"upstream"})"));
}

TEST(UsageToJson, AbsentIsNullNeverOmitted) {
  EXPECT_EQ(to_json(Usage{}), json::parse(R"({"prompt_tokens":null,"completion_tokens":null,
      "total_tokens":null,"cached_tokens":null,"reasoning_tokens":null,"source":null})"));
  Usage estimated;
  estimated.prompt_tokens = 3;
  estimated.source = Usage::Source::estimated;
  const json::value value = to_json(estimated);
  EXPECT_EQ(value.at("source"), "estimated");
  EXPECT_EQ(value.at("prompt_tokens"), 3);
  EXPECT_TRUE(value.at("cached_tokens").is_null());
}

TEST(UsageToJson, RoundTripsThroughUsageFromBody) {
  const Usage usage = from(R"({"usage":{"input_tokens":5,"output_tokens":7,"total_tokens":12,
      "output_tokens_details":{"reasoning_tokens":2}}})");
  const json::value value = to_json(usage);
  EXPECT_EQ(value, json::parse(R"({"prompt_tokens":5,"completion_tokens":7,"total_tokens":12,
      "cached_tokens":null,"reasoning_tokens":2,"source":"upstream"})"));
  // And the numbers are JSON numbers, never strings.
  EXPECT_EQ(json::serialize(value.at("total_tokens")), "12");
}

}  // namespace
}  // namespace tollgate::usage
