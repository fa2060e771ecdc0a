#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <string>

#include "http/sse.h"
#include "usage/estimate.h"
#include "usage/stream_assembler.h"
#include "usage_test_vectors.h"

namespace tollgate::usage {
namespace {

namespace json = boost::json;

Usage estimate(std::string_view request, std::string_view result, std::string_view operation) {
  return estimate_usage(json::parse(request), json::parse(result), operation);
}

void expect_counts(const Usage& usage, std::int64_t prompt, std::int64_t completion) {
  EXPECT_EQ(usage.source, Usage::Source::estimated);
  EXPECT_EQ(usage.prompt_tokens, prompt);
  EXPECT_EQ(usage.completion_tokens, completion);
  EXPECT_EQ(usage.total_tokens, prompt + completion);
  EXPECT_FALSE(usage.cached_tokens);
  EXPECT_FALSE(usage.reasoning_tokens);
}

TEST(EstimateChat, TextOverFourPlusMessageFraming) {
  // 16 + 12 bytes of text: 7 tokens; 2 messages x 3 + 3 for the reply: 9.
  // The answer's 19 bytes: 5 tokens.
  expect_counts(estimate(R"({"model":"gpt-4o","messages":[
                             {"role":"system","content":"You are helpful."},
                             {"role":"user","content":"Hello there!"}]})",
                         R"({"object":"chat.completion","choices":[{"index":0,"message":
                             {"role":"assistant","content":"Hi! How can I help?","refusal":null},
                             "finish_reason":"stop"}]})",
                         "chat.completions"),
                16, 5);
}

TEST(EstimateChat, ContentPartsCountTextNotImageData) {
  const std::string request =
      R"({"messages":[{"role":"user","content":[{"type":"text","text":"What is this?"},)"
      R"({"type":"image_url","image_url":{"url":"data:image/png;base64,)" +
      std::string(100000, 'A') + R"(","detail":"high"}}]}]})";
  // 13 bytes: 4 tokens, plus 1 x 3 + 3.
  expect_counts(estimate(request, "null", "chat.completions"), 10, 0);
}

TEST(EstimateChat, ToolDefinitionsAndToolTurnsCount) {
  // The tools' 146 bytes of JSON and the 17-byte question: 41 tokens, plus 1 x 3 + 3.
  expect_counts(estimate(R"({"messages":[{"role":"user","content":"weather in Paris?"}],
      "tools":[{"type":"function","function":{"name":"get_weather","parameters":{
      "type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}}]})",
                         "null", "chat/completions"),
                47, 0);
  // 8 + ("get_weather" 11 + arguments 16) + 9 bytes: 11 tokens, plus 3 x 3 + 3. The answer's
  // tool call (name and arguments, 27 bytes) is 7 tokens; ids and types are not text.
  expect_counts(estimate(R"({"messages":[{"role":"user","content":"weather?"},
          {"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function",
           "function":{"name":"get_weather","arguments":"{\"city\":\"Paris\"}"}}]},
          {"role":"tool","tool_call_id":"call_1","content":"18C sunny"}]})",
                         R"({"choices":[{"index":0,"message":{"role":"assistant","content":null,
          "refusal":null,"tool_calls":[{"id":"call_9","type":"function","function":{
          "name":"get_weather","arguments":"{\"city\":\"Paris\"}"}}]},"logprobs":null,
          "finish_reason":"tool_calls"}]})",
                         "chat.completions"),
                23, 7);
}

TEST(EstimateChat, RefusalAndNamesCountLogprobsDoNot) {
  // "bob" + "hi": 2 tokens + 6. The refusal's 14 bytes: 4 tokens; logprob tokens are not
  // counted twice.
  expect_counts(estimate(R"({"messages":[{"role":"user","name":"bob","content":"hi"}]})",
                         R"({"choices":[{"index":0,"message":{"role":"assistant",
                             "content":null,"refusal":"I can't do it."},"logprobs":{
                             "content":[{"token":"I","logprob":-0.1,"bytes":[73]}]}}]})",
                         "chat.completions"),
                8, 4);
}

TEST(EstimateChat, NonAsciiTextCountsItsUtf8Bytes) {
  // Four CJK characters are 12 UTF-8 bytes: 3 tokens, plus 6; "héllo" is 6 bytes: 2 tokens.
  expect_counts(
      estimate(R"({"messages":[{"role":"user","content":"你好世界"}]})",
               R"({"choices":[{"message":{"content":"h\u00e9llo"}}]})", "chat.completions"),
      9, 2);
}

TEST(EstimateCompletions, PromptShapes) {
  const std::string_view answer = R"({"object":"text_completion","choices":[{"index":0,
      "text":"hello","logprobs":{"tokens":["hel","lo"]},"finish_reason":"stop"}]})";
  expect_counts(estimate(R"({"prompt":"Say hi"})", answer, "completions"), 2, 2);
  expect_counts(estimate(R"({"prompt":["ab","cd"]})", answer, "completions"), 1, 2);
  // Token ids are exact: one token each.
  expect_counts(estimate(R"({"prompt":[1,2,3]})", answer, "completions"), 3, 2);
  expect_counts(estimate(R"({"prompt":[[1,2],[3]]})", answer, "completions"), 3, 2);
  expect_counts(estimate(R"({"prompt":"abcde","suffix":"fgh"})", answer, "completions"), 2, 2);
}

TEST(EstimateEmbeddings, InputOnlyNoCompletion) {
  const std::string_view list = R"({"object":"list","data":[{"embedding":[0.1]}]})";
  expect_counts(estimate(R"({"input":"hello world"})", list, "embeddings"), 3, 0);
  expect_counts(estimate(R"({"input":["a","bb"]})", list, "embeddings"), 1, 0);
  expect_counts(estimate(R"({"input":[[1,2,3],[4]]})", list, "embeddings"), 4, 0);
}

TEST(EstimateResponses, InstructionsInputAndOutputItems) {
  // "Be brief." + "Say hi": 15 bytes, 4 tokens, plus 1 x 3 + 3. Output: the reasoning summary,
  // the message text and the call's name and arguments (14 bytes): 4 tokens; the encrypted
  // reasoning and the ids are not text.
  const std::string_view response = R"({"object":"response","output":[
      {"type":"reasoning","id":"rs_1","summary":[{"type":"summary_text","text":"Thinking"}],
       "encrypted_content":"gAAAAABoZ2x4eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5"},
      {"type":"message","id":"msg_1","role":"assistant","content":[
        {"type":"output_text","text":"Hi!","annotations":[]}]},
      {"type":"function_call","id":"fc_1","call_id":"call_1","name":"f","arguments":"{}"}]})";
  expect_counts(estimate(R"({"model":"o4-mini","instructions":"Be brief.","input":"Say hi"})",
                         response, "responses"),
                10, 4);
}

TEST(EstimateResponses, InputItems) {
  // "abc" + "done": 7 bytes, 2 tokens, plus 2 x 3 + 3.
  expect_counts(estimate(R"({"input":[
      {"role":"user","content":[{"type":"input_text","text":"abc"},
                                {"type":"input_image","image_url":"data:image/png;base64,AAAA"}]},
      {"type":"function_call_output","call_id":"call_1","output":"done"}]})",
                         "null", "responses"),
                11, 0);
}

TEST(EstimateUsage, NoEstimateWithoutARequestOrForOtherOperations) {
  EXPECT_EQ(estimate("null", "null", "chat.completions").source, Usage::Source::none);
  EXPECT_EQ(estimate(R"("text")", "null", "chat.completions").source, Usage::Source::none);
  const Usage other = estimate(R"({"input":"hi"})", "null", "audio/speech");
  EXPECT_EQ(other.source, Usage::Source::none);
  EXPECT_FALSE(other.prompt_tokens);
}

TEST(EstimateUsage, EmptyRequestIsFramingOnly) {
  expect_counts(estimate(R"({"messages":[]})", "null", "chat.completions"), 3, 0);
  expect_counts(estimate(R"({"model":"x"})", "null", "completions"), 0, 0);
}

// The case the estimate exists for: a stream that broke before its usage chunk.
TEST(EstimateUsage, FromABrokenStream) {
  std::string_view stream = test::kSimChatTwoChoices;
  stream = stream.substr(0, stream.find("\" amber\""));
  StreamAssembler assembler("chat.completions");
  http::SseFramer framer;
  for (auto event : framer.feed(stream)) assembler.feed(http::sse_data(event));
  ASSERT_EQ(assembler.usage().source, Usage::Source::none);
  // "Hi there": 2 tokens + 6; "lemon" and "prairie", 12 bytes: 3 tokens.
  expect_counts(estimate_usage(json::parse(R"({"model":"gpt-4o","stream":true,"n":2,
                                   "messages":[{"role":"user","content":"Hi there"}]})"),
                               assembler.result(), "chat.completions"),
                8, 3);
}

}  // namespace
}  // namespace tollgate::usage
