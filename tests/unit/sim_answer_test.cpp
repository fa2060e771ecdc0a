#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "sim/answer.h"
#include "sim/api.h"

namespace tollgate::sim {
namespace {

namespace json = boost::json;

// A prompt read by `api` from `body`, with the model set as the route would.
struct Read {
  json::value body;
  Prompt prompt;
  std::optional<ApiError> error;
};

Read read(const GenerativeApi& api, std::string_view body) {
  Read out{json::parse(body), {}, {}};
  out.error = api.read(out.body.as_object(), out.prompt);
  out.prompt.model = "gpt-4o";
  return out;
}

TEST(SimAnswer, UsageFollowsTheDocumentedRule) {
  // 2 messages (3 tokens each) and 9 bytes of text (3 tokens).
  auto r = read(
      chat_api(),
      R"({"messages":[{"role":"system","content":"abcd"},{"role":"user","content":"efghi"}]})");
  ASSERT_FALSE(r.error);
  Answer a = answer(r.prompt, std::nullopt, 1, 0);
  EXPECT_EQ(a.prompt_tokens, 9);
  EXPECT_EQ(a.completion_tokens, kDefaultWords);
  EXPECT_EQ(a.total_tokens(), 9 + kDefaultWords);
  EXPECT_EQ(a.choices.at(0).finish_reason, "stop");
}

TEST(SimAnswer, SameMessagesSameWords) {
  auto r1 = read(chat_api(), R"({"messages":[{"role":"user","content":"hello"}],"n":1})");
  auto r2 =
      read(chat_api(), R"({"temperature":0.5,"messages":[{"role":"user","content":"hello"}]})");
  auto r3 = read(chat_api(), R"({"messages":[{"role":"user","content":"hello!"}]})");
  std::string t1 = answer(r1.prompt, std::nullopt, 1, 0).choices[0].tokens.text;
  EXPECT_EQ(t1, answer(r2.prompt, std::nullopt, 2, 0).choices[0].tokens.text);
  EXPECT_NE(t1, answer(r3.prompt, std::nullopt, 3, 0).choices[0].tokens.text);
}

TEST(SimAnswer, EchoRepliesWithTheLastUserText) {
  auto r = read(chat_api(), R"({"messages":[{"role":"user","content":"echo:first"},
      {"role":"assistant","content":"x"},
      {"role":"user","content":[{"type":"text","text":"echo:caf\u00e9 "},{"type":"text","text":"\ud83d\ude00"}]}]})");
  Answer a = answer(r.prompt, 3, 1, 0);  // x-sim-tokens does not shorten an echo
  EXPECT_EQ(a.choices[0].tokens.text, "caf\xc3\xa9 \xf0\x9f\x98\x80");
  EXPECT_EQ(a.completion_tokens, static_cast<std::int64_t>(a.choices[0].tokens.size()));
}

TEST(SimAnswer, MaxTokensBelowTheDefaultCutsWithLength) {
  auto r = read(chat_api(), R"({"messages":[{"role":"user","content":"hi"}],"max_tokens":5})");
  Answer a = answer(r.prompt, std::nullopt, 1, 0);
  EXPECT_EQ(a.choices[0].tokens.size(), 5u);
  EXPECT_EQ(a.choices[0].finish_reason, "length");

  auto larger = read(
      chat_api(), R"({"messages":[{"role":"user","content":"hi"}],"max_completion_tokens":500})");
  EXPECT_EQ(answer(larger.prompt, std::nullopt, 1, 0).choices[0].tokens.size(),
            static_cast<std::size_t>(kDefaultWords));
}

TEST(SimAnswer, SimTokensOverridesMaxTokens) {
  auto r = read(chat_api(), R"({"messages":[{"role":"user","content":"hi"}],"max_tokens":5})");
  Answer a = answer(r.prompt, 40, 1, 0);
  EXPECT_EQ(a.choices[0].tokens.size(), 40u);
  EXPECT_EQ(a.choices[0].finish_reason, "stop");
}

TEST(SimAnswer, NGivesDistinctChoices) {
  auto r = read(chat_api(), R"({"messages":[{"role":"user","content":"hi"}],"n":3})");
  Answer a = answer(r.prompt, std::nullopt, 1, 0);
  ASSERT_EQ(a.choices.size(), 3u);
  EXPECT_NE(a.choices[0].tokens.text, a.choices[1].tokens.text);
  EXPECT_EQ(a.completion_tokens, 3 * kDefaultWords);
}

TEST(SimAnswer, ChatRefusesBadBodies) {
  EXPECT_TRUE(read(chat_api(), R"({"messages":[]})").error);
  EXPECT_TRUE(read(chat_api(), R"({"messages":[{"content":"no role"}]})").error);
  EXPECT_TRUE(read(chat_api(), R"({"messages":[{"role":"user","content":"x"}],"n":0})").error);
}

TEST(SimAnswer, ChatRendersTheOpenAiShape) {
  auto r = read(chat_api(), R"({"messages":[{"role":"user","content":"echo:ok"}]})");
  Answer a = answer(r.prompt, std::nullopt, 7, 1700000000);
  json::object body = json::parse(chat_api().render(a)).as_object();
  EXPECT_EQ(body.at("object"), "chat.completion");
  EXPECT_EQ(body.at("model"), "gpt-4o");
  EXPECT_EQ(body.at("created"), 1700000000);
  EXPECT_TRUE(body.at("id").as_string().starts_with("chatcmpl-"));
  const auto& choice = body.at("choices").as_array().at(0).as_object();
  EXPECT_EQ(choice.at("message").at("content"), "ok");
  EXPECT_EQ(choice.at("message").at("role"), "assistant");
  EXPECT_TRUE(choice.at("message").at("refusal").is_null());
  EXPECT_TRUE(choice.at("logprobs").is_null());
  EXPECT_EQ(choice.at("finish_reason"), "stop");
  EXPECT_EQ(body.at("usage").at("completion_tokens"), 1);
  EXPECT_EQ(body.at("usage").at("prompt_tokens_details").at("cached_tokens"), 0);
  EXPECT_EQ(body.at("usage").at("completion_tokens_details").at("reasoning_tokens"), 0);
}

// The data of each "data: ..." event of an SSE body.
std::vector<std::string> events(const std::string& sse) {
  std::vector<std::string> out;
  std::size_t at = 0;
  while ((at = sse.find("data: ", at)) != std::string::npos) {
    std::size_t end = sse.find("\n\n", at);
    out.push_back(sse.substr(at + 6, end - at - 6));
    at = end;
  }
  return out;
}

TEST(SimAnswer, ChatStreamConcatenatesToTheText) {
  auto r = read(chat_api(), R"({"messages":[{"role":"user","content":"hi"}],"stream":true,
      "stream_options":{"include_usage":true}})");
  ASSERT_TRUE(r.prompt.stream);
  ASSERT_TRUE(r.prompt.include_usage);
  Answer a = answer(r.prompt, std::nullopt, 1, 0);
  EventStream stream = chat_api().render_stream(a, r.prompt);
  ASSERT_EQ(stream.content_ends.size(), a.choices[0].tokens.size());
  EXPECT_LT(stream.head_end, stream.content_ends.front());

  auto data = events(stream.data);
  ASSERT_EQ(data.size(), 1 + kDefaultWords + 1 + 1 + 1u);  // role, tokens, finish, usage, DONE
  EXPECT_EQ(data.back(), "[DONE]");
  std::string text;
  for (std::size_t i = 0; i + 1 < data.size(); ++i) {
    json::object chunk = json::parse(data[i]).as_object();
    EXPECT_EQ(chunk.at("object"), "chat.completion.chunk");
    EXPECT_EQ(chunk.at("id").as_string(), "chatcmpl-" + a.id);
    if (i + 2 < data.size()) {
      EXPECT_TRUE(chunk.at("usage").is_null());
      const auto& delta = chunk.at("choices").at(0).at("delta").as_object();
      if (const auto* content = delta.if_contains("content")) text += content->as_string();
    }
  }
  EXPECT_EQ(text, a.choices[0].tokens.text);
  json::object last = json::parse(data[data.size() - 2]).as_object();
  EXPECT_TRUE(last.at("choices").as_array().empty());
  EXPECT_EQ(last.at("usage").at("total_tokens"), a.total_tokens());
  json::object finish = json::parse(data[data.size() - 3]).as_object();
  EXPECT_EQ(finish.at("choices").at(0).at("finish_reason"), "stop");
}

TEST(SimAnswer, ChatStreamWithoutUsageHasNoUsageField) {
  auto r = read(chat_api(), R"({"messages":[{"role":"user","content":"hi"}],"stream":true})");
  EventStream stream = chat_api().render_stream(answer(r.prompt, 2, 1, 0), r.prompt);
  EXPECT_EQ(stream.data.find("usage"), std::string::npos);
  EXPECT_EQ(events(stream.data).size(), 1 + 2 + 1 + 1u);
}

TEST(SimAnswer, CompletionsBatchGivesAChoicePerPrompt) {
  auto r = read(completions_api(), R"({"prompt":["echo:a","echo:b"],"stream":true})");
  ASSERT_FALSE(r.error);
  Answer a = answer(r.prompt, std::nullopt, 1, 0);
  ASSERT_EQ(a.choices.size(), 2u);
  EXPECT_EQ(a.choices[1].tokens.text, "b");
  json::object body = json::parse(completions_api().render(a)).as_object();
  EXPECT_EQ(body.at("object"), "text_completion");
  EXPECT_EQ(body.at("choices").at(1).at("text"), "b");
  EXPECT_EQ(body.at("choices").at(1).at("index"), 1);

  auto data = events(completions_api().render_stream(a, r.prompt).data);
  ASSERT_EQ(data.size(), 2 + 2 + 1u);  // a token each, a finish each, DONE
  EXPECT_EQ(json::parse(data[1]).at("choices").at(0).at("text"), "b");
}

TEST(SimAnswer, CompletionsCountTokenIds) {
  auto r = read(completions_api(), R"({"prompt":[1,2,3,4,5]})");
  ASSERT_FALSE(r.error);
  EXPECT_EQ(r.prompt.prompt_tokens(), 5);
  EXPECT_TRUE(read(completions_api(), R"({"prompt":{}})").error);
}

TEST(SimAnswer, ResponsesStreamHasTheEventSequence) {
  auto r = read(responses_api(), R"({"input":"echo:ab cd","instructions":"x","stream":true})");
  ASSERT_FALSE(r.error);
  ASSERT_TRUE(r.prompt.stream);
  Answer a = answer(r.prompt, std::nullopt, 1, 0);
  EventStream stream = responses_api().render_stream(a, r.prompt);
  std::vector<std::string> types;
  std::string text;
  int sequence = 0;
  for (const auto& data : events(stream.data)) {
    json::object event = json::parse(data).as_object();
    types.emplace_back(event.at("type").as_string());
    EXPECT_EQ(event.at("sequence_number"), sequence++);
    if (types.back() == "response.output_text.delta") text += event.at("delta").as_string();
  }
  EXPECT_EQ(text, "ab cd");
  std::vector<std::string> expected = {"response.created",           "response.in_progress",
                                       "response.output_item.added", "response.content_part.added",
                                       "response.output_text.delta", "response.output_text.delta",
                                       "response.output_text.done",  "response.content_part.done",
                                       "response.output_item.done",  "response.completed"};
  EXPECT_EQ(types, expected);
  EXPECT_EQ(stream.data.find("[DONE]"), std::string::npos);

  json::object whole = json::parse(responses_api().render(a)).as_object();
  EXPECT_EQ(whole.at("status"), "completed");
  EXPECT_EQ(whole.at("output").at(0).at("content").at(0).at("text"), "ab cd");
  EXPECT_EQ(whole.at("usage").at("input_tokens"), a.prompt_tokens);
}

}  // namespace
}  // namespace tollgate::sim
