#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <string>

#include "http/sse.h"
#include "usage/stream_assembler.h"
#include "usage_test_vectors.h"

namespace tollgate::usage {
namespace {

namespace json = boost::json;

// Feeds `stream` the way the gateway will: framed into events, each event's data extracted.
StreamAssembler assemble(std::string_view operation, std::string_view stream) {
  StreamAssembler assembler(operation);
  http::SseFramer framer;
  for (auto event : framer.feed(stream)) assembler.feed(http::sse_data(event));
  return assembler;
}

json::value at(const json::value& value, std::string_view pointer) {
  boost::system::error_code ec;
  const json::value* found = value.find_pointer(pointer, ec);
  return found ? *found : json::value("<missing " + std::string(pointer) + ">");
}

TEST(StreamAssembler, SimulatorChatWithTwoChoices) {
  auto assembler = assemble("chat.completions", test::kSimChatTwoChoices);
  EXPECT_EQ(assembler.chunks(), 11u);
  EXPECT_EQ(assembler.served_model(), "gpt-4o");
  EXPECT_EQ(assembler.result(), json::parse(R"({
    "id": "chatcmpl-93134b41589f2a5a", "object": "chat.completion", "created": 1795787952,
    "model": "gpt-4o", "system_fingerprint": "fp_tollgate_sim",
    "choices": [
      {"index": 0, "message": {"role": "assistant", "content": "lemon amber harbor",
                               "refusal": null},
       "logprobs": null, "finish_reason": "length"},
      {"index": 1, "message": {"role": "assistant", "content": "prairie mesa field",
                               "refusal": null},
       "logprobs": null, "finish_reason": "length"}],
    "usage": {"prompt_tokens": 5, "completion_tokens": 6, "total_tokens": 11,
              "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
              "completion_tokens_details": {"reasoning_tokens": 0, "audio_tokens": 0,
                                            "accepted_prediction_tokens": 0,
                                            "rejected_prediction_tokens": 0}}})"));
  const Usage usage = assembler.usage();
  EXPECT_EQ(usage.source, Usage::Source::upstream);
  EXPECT_EQ(usage.prompt_tokens, 5);
  EXPECT_EQ(usage.completion_tokens, 6);
  EXPECT_EQ(usage.total_tokens, 11);
  EXPECT_EQ(usage.cached_tokens, 0);
  EXPECT_EQ(usage.reasoning_tokens, 0);
}

TEST(StreamAssembler, SimulatorChatToolCall) {
  auto assembler = assemble("chat.completions", test::kSimChatToolCall);
  EXPECT_EQ(assembler.chunks(), 9u);
  const json::value result = assembler.result();
  EXPECT_EQ(at(result, "/choices/0/message"), json::parse(R"({
    "role": "assistant", "content": null, "refusal": null,
    "tool_calls": [{"id": "call_0993d991e339d935", "type": "function",
                    "function": {"name": "get_weather",
                                 "arguments": "{\"city\":\"ivory lemon\"}"}}]})"));
  EXPECT_EQ(at(result, "/choices/0/finish_reason"), "tool_calls");
  EXPECT_EQ(assembler.usage().total_tokens, 14);
}

TEST(StreamAssembler, ParallelToolCallsInterleavedAcrossChunks) {
  auto assembler = assemble("chat/completions", test::kOpenAiParallelTools);
  EXPECT_EQ(assembler.chunks(), 9u);
  EXPECT_EQ(assembler.served_model(), "gpt-4o-2024-08-06");
  const json::value result = assembler.result();
  EXPECT_EQ(at(result, "/choices/0/message/tool_calls"), json::parse(R"([
    {"id": "call_A", "type": "function",
     "function": {"name": "get_weather", "arguments": "{\"city\": \"Z\u00fcrich\"}"}},
    {"id": "call_B", "type": "function",
     "function": {"name": "get_time", "arguments": "{\"tz\":\"Europe/Zurich\"}"}}])"));
  EXPECT_EQ(at(result, "/choices/0/message/content"), nullptr);
  EXPECT_EQ(at(result, "/system_fingerprint"), "fp_b1");
  const Usage usage = assembler.usage();
  EXPECT_EQ(usage.prompt_tokens, 2113);
  EXPECT_EQ(usage.cached_tokens, 1920);
  EXPECT_EQ(usage.completion_tokens, 41);
}

TEST(StreamAssembler, ToolCallsComeOutInIndexOrder) {
  StreamAssembler assembler("chat.completions");
  assembler.feed(R"({"choices":[{"index":0,"delta":{"tool_calls":[
      {"index":1,"id":"call_B","type":"function","function":{"name":"b","arguments":"{}"}},
      {"index":0,"id":"call_A","type":"function","function":{"name":"a","arguments":"{"}}]}}]})");
  assembler.feed(R"({"choices":[{"index":0,"delta":{"tool_calls":[
      {"index":0,"function":{"arguments":"}"}}]}}]})");
  const json::value calls = at(assembler.result(), "/choices/0/message/tool_calls");
  EXPECT_EQ(at(calls, "/0/id"), "call_A");
  EXPECT_EQ(at(calls, "/0/function/arguments"), "{}");
  EXPECT_EQ(at(calls, "/1/id"), "call_B");
  EXPECT_FALSE(calls.at(0).as_object().contains("index"));
}

TEST(StreamAssembler, Refusal) {
  auto assembler = assemble("chat.completions", test::kOpenAiRefusal);
  const json::value message = at(assembler.result(), "/choices/0/message");
  EXPECT_EQ(message, json::parse(R"({"role": "assistant", "content": null,
                                     "refusal": "I'm sorry, I can't help with that."})"));
  EXPECT_EQ(at(assembler.result(), "/choices/0/finish_reason"), "stop");
  EXPECT_EQ(assembler.usage().source, Usage::Source::none);
  EXPECT_EQ(at(assembler.result(), "/usage"), nullptr);
}

TEST(StreamAssembler, AzureFilterChunksAndEmptyHeadFields) {
  auto assembler = assemble("chat.completions", test::kAzureFiltered);
  EXPECT_EQ(assembler.chunks(), 7u);
  EXPECT_EQ(assembler.served_model(), "gpt-4o-2024-11-20");
  const json::value result = assembler.result();
  EXPECT_EQ(at(result, "/id"), "chatcmpl-AZ1");
  EXPECT_EQ(at(result, "/created"), 1727300000);
  EXPECT_EQ(at(result, "/choices/0/message/content"), "Bonjour \u00e0 vous");
  // The filter chunk after the finish carries finish_reason null; it must not erase "stop".
  EXPECT_EQ(at(result, "/choices/0/finish_reason"), "stop");
  EXPECT_EQ(result.at("choices").as_array().size(), 1u);
  EXPECT_EQ(assembler.usage().prompt_tokens, 12);
  EXPECT_EQ(assembler.usage().total_tokens, 16);
}

TEST(StreamAssembler, SimulatorCompletions) {
  auto assembler = assemble("completions", test::kSimCompletions);
  EXPECT_EQ(assembler.chunks(), 5u);
  EXPECT_EQ(assembler.served_model(), "gpt-35-turbo-instruct");
  const json::value result = assembler.result();
  EXPECT_EQ(at(result, "/object"), "text_completion");
  EXPECT_EQ(at(result, "/choices"), json::parse(R"([
    {"index": 0, "text": "beacon stone hazel", "logprobs": null, "finish_reason": "length"}])"));
  EXPECT_EQ(assembler.usage().prompt_tokens, 2);
  EXPECT_EQ(assembler.usage().completion_tokens, 3);
}

TEST(StreamAssembler, CompletionsWithTwoChoicesAndLogprobs) {
  StreamAssembler assembler("completions");
  assembler.feed(R"({"id":"cmpl-1","object":"text_completion","created":1,"model":"m",
      "choices":[{"text":"a","index":1,"logprobs":{"tokens":["a"],"token_logprobs":[-0.5]},
                  "finish_reason":null}]})");
  assembler.feed(R"({"id":"cmpl-1","object":"text_completion","created":1,"model":"m",
      "choices":[{"text":"x","index":0,"logprobs":{"tokens":["x"],"token_logprobs":[-0.1]},
                  "finish_reason":null}]})");
  assembler.feed(R"({"id":"cmpl-1","object":"text_completion","created":1,"model":"m",
      "choices":[{"text":"b","index":1,"logprobs":{"tokens":["b"],"token_logprobs":[-0.25]},
                  "finish_reason":"stop"}]})");
  const json::value choices = at(assembler.result(), "/choices");
  EXPECT_EQ(choices, json::parse(R"([
    {"index": 0, "text": "x", "logprobs": {"tokens": ["x"], "token_logprobs": [-0.1]},
     "finish_reason": null},
    {"index": 1, "text": "ab",
     "logprobs": {"tokens": ["a", "b"], "token_logprobs": [-0.5, -0.25]},
     "finish_reason": "stop"}])"));
}

TEST(StreamAssembler, ChatLogprobsAppend) {
  StreamAssembler assembler("chat.completions");
  assembler.feed(R"({"choices":[{"index":0,"delta":{"content":"Hi"},
      "logprobs":{"content":[{"token":"Hi","logprob":-0.1,"bytes":[72,105],"top_logprobs":[]}],
                  "refusal":null}}]})");
  assembler.feed(R"({"choices":[{"index":0,"delta":{"content":"!"},
      "logprobs":{"content":[{"token":"!","logprob":-0.2,"bytes":[33],"top_logprobs":[]}],
                  "refusal":null}}]})");
  const json::value logprobs = at(assembler.result(), "/choices/0/logprobs");
  EXPECT_EQ(logprobs.at("content").as_array().size(), 2u);
  EXPECT_EQ(at(logprobs, "/content/1/token"), "!");
  EXPECT_EQ(at(assembler.result(), "/choices/0/message/content"), "Hi!");
}

TEST(StreamAssembler, OtherDeltaMembersAreKept) {
  StreamAssembler assembler("chat.completions");
  assembler.feed(R"({"choices":[{"index":0,"delta":{"role":"assistant",
      "audio":{"id":"audio_1","transcript":"Hel","data":"AAA"}}}]})");
  assembler.feed(R"({"choices":[{"index":0,"delta":{"audio":{"transcript":"lo","data":"BBB",
      "expires_at":1727000000}}}]})");
  EXPECT_EQ(at(assembler.result(), "/choices/0/message/audio"),
            json::parse(R"({"id":"audio_1","transcript":"Hello","data":"AAABBB",
                            "expires_at":1727000000})"));
}

TEST(StreamAssembler, BrokenStreamKeepsWhatArrived) {
  std::string_view stream = test::kSimChatTwoChoices;
  stream = stream.substr(0, stream.find("\" amber\""));  // cut inside the fifth event
  auto assembler = assemble("chat.completions", stream);
  EXPECT_EQ(assembler.chunks(), 4u);
  const json::value result = assembler.result();
  EXPECT_EQ(at(result, "/choices/0/message/content"), "lemon");
  EXPECT_EQ(at(result, "/choices/1/message/content"), "prairie");
  EXPECT_EQ(at(result, "/choices/0/finish_reason"), nullptr);
  EXPECT_EQ(at(result, "/usage"), nullptr);
  EXPECT_EQ(assembler.usage().source, Usage::Source::none);
}

TEST(StreamAssembler, MalformedDataIsCountedAndSkipped) {
  StreamAssembler assembler("chat.completions");
  assembler.feed(R"({"model":"gpt-4o","choices":[{"index":0,"delta":{"content":"a"}}]})");
  for (std::string_view bad : {"{not json", "[1,2]", "\"text\"", "{\"choices\":", "42", "nul"})
    assembler.feed(bad);
  assembler.feed(R"({"choices":"oops","usage":"none"})");
  assembler.feed(R"({"choices":[7,{"index":"x","delta":{"content":"b"}},{"index":0,"delta":5}]})");
  assembler.feed(R"({"choices":[{"index":0,"delta":{"content":"c"}}]})");
  EXPECT_EQ(assembler.chunks(), 10u);
  // A non-integer index is taken as 0, as for the single-choice streams that omit it.
  EXPECT_EQ(at(assembler.result(), "/choices/0/message/content"), "abc");
  EXPECT_EQ(assembler.result().at("choices").as_array().size(), 1u);
  EXPECT_EQ(assembler.usage().source, Usage::Source::none);
}

// Every truncation of every chunk is counted and skipped, and changes nothing in the result.
TEST(StreamAssembler, EveryTruncatedChunkIsSkipped) {
  const auto baseline = assemble("chat.completions", test::kOpenAiParallelTools);
  StreamAssembler assembler("chat.completions");
  std::size_t fed = 0;
  http::SseFramer framer;
  for (auto event : framer.feed(test::kOpenAiParallelTools)) {
    const std::string data = http::sse_data(event);
    for (std::size_t cut = 1; cut < data.size(); ++cut) {
      assembler.feed(std::string_view(data).substr(0, cut));
      ++fed;
    }
    assembler.feed(data);
  }
  EXPECT_EQ(assembler.chunks(), fed + baseline.chunks());
  EXPECT_EQ(assembler.result(), baseline.result());
  EXPECT_EQ(assembler.usage().total_tokens, baseline.usage().total_tokens);
}

TEST(StreamAssembler, DoneAndEmptyDataAreNotChunks) {
  StreamAssembler assembler("chat.completions");
  assembler.feed("");
  assembler.feed(" \r\n");
  assembler.feed("[DONE]");
  assembler.feed(" [DONE]\n");
  EXPECT_EQ(assembler.chunks(), 0u);
  EXPECT_TRUE(assembler.result().is_null());
  EXPECT_FALSE(assembler.served_model());
}

TEST(StreamAssembler, ChunksWithoutChoicesGiveNoBody) {
  StreamAssembler assembler("chat.completions");
  assembler.feed(R"({"error":{"message":"overloaded","type":"server_error"}})");
  EXPECT_EQ(assembler.chunks(), 1u);
  EXPECT_TRUE(assembler.result().is_null());
}

TEST(StreamAssembler, LatestUsageWins) {
  StreamAssembler assembler("chat.completions");
  assembler.feed(R"({"choices":[{"index":0,"delta":{"content":"a"}}],
                     "usage":{"prompt_tokens":3,"completion_tokens":1,"total_tokens":4}})");
  assembler.feed(R"({"choices":[],"usage":{"prompt_tokens":3,"completion_tokens":2,
                     "total_tokens":5,"completion_tokens_details":{"reasoning_tokens":1}}})");
  assembler.feed(R"({"choices":[],"usage":null})");
  EXPECT_EQ(assembler.usage().completion_tokens, 2);
  EXPECT_EQ(assembler.usage().reasoning_tokens, 1);
  EXPECT_EQ(at(assembler.result(), "/usage/total_tokens"), 5);
}

TEST(StreamAssembler, OtherOperationsOnlyCount) {
  StreamAssembler assembler("audio/speech");
  assembler.feed(R"({"type":"speech.audio.delta","audio":"AAA"})");
  assembler.feed(R"({"type":"speech.audio.done","usage":{"input_tokens":4,"output_tokens":9,
                     "total_tokens":13}})");
  EXPECT_EQ(assembler.chunks(), 2u);
  EXPECT_TRUE(assembler.result().is_null());
  EXPECT_EQ(assembler.usage().total_tokens, 13);
}

TEST(StreamAssemblerResponses, SimulatorIncompleteResponse) {
  auto assembler = assemble("responses", test::kSimResponsesIncomplete);
  EXPECT_EQ(assembler.chunks(), 11u);
  EXPECT_EQ(assembler.served_model(), "gpt-4o");
  const json::value result = assembler.result();
  // The final event's response object, exactly as sent.
  std::string_view stream = test::kSimResponsesIncomplete;
  const std::size_t last = stream.rfind("data: ") + 6;
  const json::value final_event = json::parse(stream.substr(last, stream.find('\n', last) - last));
  EXPECT_EQ(result, final_event.at("response"));
  EXPECT_EQ(at(result, "/status"), "incomplete");
  EXPECT_EQ(at(result, "/output/0/content/0/text"), "quartz desert hazel");
  const Usage usage = assembler.usage();
  EXPECT_EQ(usage.source, Usage::Source::upstream);
  EXPECT_EQ(usage.prompt_tokens, 5);
  EXPECT_EQ(usage.completion_tokens, 3);
  EXPECT_EQ(usage.total_tokens, 8);
  EXPECT_EQ(usage.cached_tokens, 0);
  EXPECT_EQ(usage.reasoning_tokens, 0);
}

TEST(StreamAssemblerResponses, SimulatorToolCall) {
  auto assembler = assemble("responses", test::kSimResponsesToolCall);
  EXPECT_EQ(assembler.chunks(), 12u);
  const json::value result = assembler.result();
  EXPECT_EQ(at(result, "/status"), "completed");
  EXPECT_EQ(at(result, "/output/0/type"), "function_call");
  EXPECT_EQ(at(result, "/output/0/arguments"), "{\"city\":\"ivory lemon\"}");
  EXPECT_EQ(assembler.usage().total_tokens, 14);
}

TEST(StreamAssemblerResponses, BrokenStreamRebuildsOutputFromDeltas) {
  for (std::string_view stream : {test::kSimResponsesIncomplete, test::kSimResponsesToolCall}) {
    // Cut just before the first event that repeats the finished text or arguments.
    std::size_t cut = stream.find("event: response.output_text.done");
    if (cut == std::string_view::npos)
      cut = stream.find("event: response.function_call_arguments.done");
    ASSERT_NE(cut, std::string_view::npos);
    auto assembler = assemble("responses", stream.substr(0, cut));
    const json::value result = assembler.result();
    EXPECT_EQ(at(result, "/status"), "in_progress");
    EXPECT_EQ(assembler.usage().source, Usage::Source::none);
    if (at(result, "/output/0/type") == "message")
      EXPECT_EQ(at(result, "/output/0/content/0/text"), "quartz desert hazel");
    else
      EXPECT_EQ(at(result, "/output/0/arguments"), "{\"city\":\"ivory lemon\"}");
  }
}

TEST(StreamAssemblerResponses, RefusalDeltasAndPartsOutOfOrder) {
  StreamAssembler assembler("responses");
  assembler.feed(R"({"type":"response.created","response":{"id":"resp_1","object":"response",
      "status":"in_progress","model":"gpt-4o-2024-08-06","output":[],"usage":null}})");
  assembler.feed(R"({"type":"response.output_item.added","output_index":0,
      "item":{"id":"msg_1","type":"message","role":"assistant","content":[]}})");
  assembler.feed(R"({"type":"response.content_part.added","output_index":0,"content_index":0,
      "part":{"type":"refusal","refusal":""}})");
  assembler.feed(R"({"type":"response.refusal.delta","output_index":0,"content_index":0,
      "delta":"No,"})");
  assembler.feed(R"({"type":"response.refusal.delta","output_index":0,"content_index":0,
      "delta":" sorry."})");
  // A part index past the next one, and an unknown item, are ignored rather than grown into.
  assembler.feed(R"({"type":"response.output_text.delta","output_index":0,
      "content_index":1000000000,"delta":"x"})");
  assembler.feed(R"({"type":"response.output_text.delta","output_index":7,"content_index":0,
      "delta":"x"})");
  assembler.feed(R"({"type":"response.output_text.delta","output_index":0,"content_index":-1,
      "delta":"x"})");
  const json::value result = assembler.result();
  EXPECT_EQ(at(result, "/output"), json::parse(R"([{"id":"msg_1","type":"message",
      "role":"assistant","content":[{"type":"refusal","refusal":"No, sorry."}]}])"));
  EXPECT_EQ(assembler.served_model(), "gpt-4o-2024-08-06");
}

TEST(StreamAssemblerResponses, FailedResponseIsFinal) {
  StreamAssembler assembler("responses");
  assembler.feed(R"({"type":"response.created","response":{"id":"r","status":"in_progress",
      "model":"gpt-4o","output":[],"usage":null}})");
  assembler.feed(R"({"type":"response.failed","response":{"id":"r","status":"failed",
      "model":"gpt-4o","error":{"code":"server_error","message":"boom"},"output":[],
      "usage":{"input_tokens":7,"output_tokens":0,"total_tokens":7}}})");
  assembler.feed(R"({"type":"response.in_progress","response":{"id":"r","status":"late"}})");
  EXPECT_EQ(at(assembler.result(), "/status"), "failed");
  EXPECT_EQ(assembler.usage().prompt_tokens, 7);
  EXPECT_EQ(assembler.chunks(), 3u);
}

TEST(StreamAssemblerResponses, NothingUsableGivesNull) {
  StreamAssembler assembler("responses");
  assembler.feed(R"({"type":"error","code":"rate_limit_exceeded","message":"slow down"})");
  assembler.feed(R"({"no_type":true})");
  EXPECT_TRUE(assembler.result().is_null());
  EXPECT_EQ(assembler.chunks(), 2u);
}

}  // namespace
}  // namespace tollgate::usage
