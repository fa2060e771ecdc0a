#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "sim/answer.h"
#include "sim/api.h"
#include "sim/tool_call.h"

namespace tollgate::sim {
namespace {

namespace json = boost::json;

constexpr std::string_view kParameters = R"({"type":"object","properties":{
    "city":{"type":"string"},"unit":{"type":"string","enum":["c","f"]},
    "days":{"type":"integer"},"exact":{"type":["null","boolean"]},"tags":{"type":"array"},
    "extra":{"type":"object"},"optional":{"type":"string"}},
    "required":["city","unit","days","exact","tags","extra"]})";

json::object chat_body(std::string_view tool_choice) {
  json::object body = json::parse(R"({"messages":[{"role":"user","content":"hi"}]})").as_object();
  body["tools"] =
      json::array{{{"type", "function"},
                   {"function", {{"name", "first"}, {"parameters", json::parse(kParameters)}}}},
                  {{"type", "function"}, {"function", {{"name", "second"}}}}};
  if (!tool_choice.empty()) body["tool_choice"] = json::parse(tool_choice);
  return body;
}

TEST(SimToolCall, ChoosesTheFirstFunctionByDefault) {
  json::object body = chat_body("");
  auto tool = choose_tool(body);
  ASSERT_TRUE(tool);
  EXPECT_EQ(tool->name, "first");
  ASSERT_NE(tool->parameters, nullptr);
  EXPECT_TRUE(choose_tool(chat_body(R"("auto")")));
  EXPECT_TRUE(choose_tool(chat_body(R"("required")")));
}

TEST(SimToolCall, HonoursANamedChoiceAndNone) {
  // The spec views the body, which must outlive it.
  json::object body = chat_body(R"({"type":"function","function":{"name":"second"}})");
  auto named = choose_tool(body);
  ASSERT_TRUE(named);
  EXPECT_EQ(named->name, "second");
  EXPECT_EQ(named->parameters, nullptr);
  EXPECT_FALSE(choose_tool(chat_body(R"("none")")));
}

TEST(SimToolCall, ReadsTheResponsesShape) {
  json::object body = json::parse(R"({"tools":[{"type":"web_search"},
      {"type":"function","name":"lookup","parameters":{"type":"object"}}],
      "tool_choice":{"type":"function","name":"lookup"}})")
                          .as_object();
  auto tool = choose_tool(body);
  ASSERT_TRUE(tool);
  EXPECT_EQ(tool->name, "lookup");
}

TEST(SimToolCall, NoToolsNoCall) {
  EXPECT_FALSE(choose_tool(json::parse(R"({"tools":[]})").as_object()));
  EXPECT_FALSE(choose_tool(json::parse(R"({"tools":[{"type":"file_search"}]})").as_object()));
  EXPECT_FALSE(choose_tool(json::object()));
}

TEST(SimToolCall, ArgumentsFollowTheSchema) {
  json::object body = chat_body("");
  auto tool = choose_tool(body);
  json::object arguments = json::parse(tool_arguments(*tool, 99, std::nullopt)).as_object();
  ASSERT_EQ(arguments.size(), 6u);  // the required parameters only
  EXPECT_TRUE(arguments.at("city").is_string());
  EXPECT_FALSE(arguments.at("city").as_string().empty());
  EXPECT_EQ(arguments.at("unit"), "c");
  EXPECT_TRUE(arguments.at("days").is_int64());
  EXPECT_EQ(arguments.at("exact"), true);
  EXPECT_TRUE(arguments.at("tags").as_array().empty());
  EXPECT_TRUE(arguments.at("extra").as_object().empty());
  EXPECT_EQ(tool_arguments(*tool, 99, std::nullopt), tool_arguments(*tool, 99, std::nullopt));
  // The order is the order of "required".
  EXPECT_EQ(arguments.begin()->key(), "city");
}

TEST(SimToolCall, EchoFillsStringArguments) {
  json::object body = chat_body("");
  auto tool = choose_tool(body);
  json::object arguments =
      json::parse(tool_arguments(*tool, 1, "Z\xc3\xbcrich \xf0\x9f\x97\xbc")).as_object();
  EXPECT_EQ(arguments.at("city"), "Z\xc3\xbcrich \xf0\x9f\x97\xbc");
  EXPECT_EQ(arguments.at("unit"), "c");  // an enum still gets an allowed value
}

TEST(SimToolCall, NoParametersGiveAnEmptyObject) {
  ToolSpec bare{"ping", nullptr};
  EXPECT_EQ(tool_arguments(bare, 1, std::nullopt), "{}");
}

TEST(SimToolCall, ChatStreamsTheArgumentsInPieces) {
  json::object body = chat_body("");
  body["stream"] = true;
  Prompt prompt;
  ASSERT_FALSE(chat_api().read(body, prompt));
  prompt.model = "m";
  Answer a = answer(prompt, std::nullopt, 1, 0);
  const Choice& choice = a.choices.at(0);
  ASSERT_TRUE(choice.is_tool_call());
  EXPECT_TRUE(choice.tool_call_id.starts_with("call_"));
  EXPECT_EQ(choice.finish_reason, "tool_calls");
  EXPECT_GT(choice.tokens.size(), 3u);

  EventStream stream = chat_api().render_stream(a, prompt);
  std::string arguments;
  std::size_t at = 0;
  int chunks = 0;
  while ((at = stream.data.find("data: {", at)) != std::string::npos) {
    std::size_t end = stream.data.find("\n\n", at);
    json::object chunk = json::parse(stream.data.substr(at + 6, end - at - 6)).as_object();
    const auto& delta = chunk.at("choices").at(0).at("delta").as_object();
    if (const auto* calls = delta.if_contains("tool_calls")) {
      const auto& call = calls->at(0).as_object();
      if (chunks++ == 0) {
        EXPECT_EQ(call.at("id").as_string(), choice.tool_call_id);
        EXPECT_EQ(call.at("function").at("name"), "first");
        EXPECT_TRUE(delta.at("content").is_null());
      }
      arguments += call.at("function").at("arguments").as_string();
    }
    at = end;
  }
  EXPECT_EQ(arguments, choice.tokens.text);
  EXPECT_EQ(chunks, static_cast<int>(choice.tokens.size()) + 1);

  json::object whole = json::parse(chat_api().render(a)).as_object();
  const auto& message = whole.at("choices").at(0).at("message").as_object();
  EXPECT_TRUE(message.at("content").is_null());
  EXPECT_EQ(message.at("tool_calls").at(0).at("function").at("arguments").as_string(),
            choice.tokens.text);
}

}  // namespace
}  // namespace tollgate::sim
