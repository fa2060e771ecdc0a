#include "audit/sink_shaper.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "audit/apim_format.h"
#include "audit/event_builder.h"
#include "audit/masking.h"

namespace tollgate::audit {
namespace {

namespace json = boost::json;

CallRecord sample_call(json::value request_body, json::value response_body) {
  CallRecord call;
  call.message_id = "00000000-0000-4000-8000-000000000001";
  call.received_at = std::chrono::system_clock::now();
  call.operation = "chat.completions";
  call.api_style = "openai";
  call.method = "POST";
  call.path = "/v1/chat/completions";
  call.model = "gpt-4o";
  call.client_ip = "127.0.0.1";
  call.backend = "east";
  call.request_body = std::move(request_body);
  call.response_body = std::move(response_body);
  call.status = 200;
  call.usage = {{"prompt_tokens", 10}, {"completion_tokens", 20}, {"total_tokens", 30},
                {"cached_tokens", 0},  {"reasoning_tokens", 0},   {"source", "upstream"}};
  return call;
}

json::value chat_request(std::string content) {
  return {{"model", "gpt-4o"},
          {"messages", json::array{{{"role", "user"}, {"content", std::move(content)}}}}};
}

const GatewayInfo gateway{"host/1", "0.1.0"};

TEST(EventBuilder, RequestAndResponseShareTheMessageId) {
  auto call = sample_call(chat_request("hi"), json::object{{"choices", json::array()}});
  auto request = json::parse(request_event(call, gateway)).as_object();
  auto response = json::parse(response_event(call, gateway)).as_object();
  EXPECT_EQ(request["event_type"], "request");
  EXPECT_EQ(response["event_type"], "response");
  EXPECT_EQ(request["message_id"], response["message_id"]);
  EXPECT_EQ(request["message_id"].as_string(), call.message_id);
  EXPECT_NE(request["event_id"], response["event_id"]);
  EXPECT_EQ(request["request"].at("body").at("messages").at(0).at("content"), "hi");
  EXPECT_EQ(response["usage"].at("total_tokens"), 30);
  EXPECT_TRUE(response["cost"].at("amount").is_null());
  EXPECT_EQ(request.count("response"), 0u);
}

TEST(Masker, RewritesEveryStringButKeys) {
  Masker masker(std::vector<MaskRule>{{"[a-z]+@example\\.com", "[email]"}});
  json::value body = {{"a@example.com", "write to bob@example.com"},
                      {"list", json::array{"x@example.com", 1}}};
  masker.apply(body);
  EXPECT_EQ(body.at("a@example.com"), "write to [email]");
  EXPECT_EQ(body.at("list").at(0), "[email]");
}

TEST(TruncateEvent, ShortensLongStringsKeepingStructure) {
  auto call = sample_call(chat_request(std::string(300'000, 'x') + "\xc3\xa9"), nullptr);
  call.request_bytes = 300'100;
  auto event = request_event(call, gateway);
  auto out = truncate_event(event, 64 * 1024);
  ASSERT_LE(out.size(), 64u * 1024);
  auto parsed = json::parse(out);
  EXPECT_EQ(parsed.at("request").at("truncated"), true);
  EXPECT_EQ(parsed.at("request").at("bytes"), 300'100);
  EXPECT_EQ(parsed.at("request").at("body").at("messages").at(0).at("role"), "user");
}

TEST(TruncateEvent, NumericBodiesBecomeAPrefixOfTheirJson) {
  json::array vector;
  for (int i = 0; i < 60'000; ++i) vector.push_back(0.123456789 * i);
  json::value body = {{"object", "list"},
                      {"data", json::array{{{"object", "embedding"}, {"embedding", vector}}}}};
  auto call = sample_call(nullptr, body);
  auto event = response_event(call, gateway);
  auto out = truncate_event(event, 32 * 1024);
  ASSERT_LE(out.size(), 32u * 1024);
  auto kept = json::parse(out).at("response").at("body").as_string();
  EXPECT_GT(kept.size(), 16u * 1024);
  // Compared with the body as the event carries it (parsing doubles may round their last digit).
  auto original = json::serialize(json::parse(event).at("response").at("body"));
  EXPECT_EQ(original.substr(0, kept.size()), std::string_view(kept));
}

TEST(SplitEvent, PartsJoinBackByteForByte) {
  auto call =
      sample_call(chat_request(std::string(100'000, '"') + "\xf0\x9f\x99\x82 tail"), nullptr);
  auto event = request_event(call, gateway);
  auto parts = split_event(event, 16 * 1024);
  ASSERT_GT(parts.size(), 6u);
  std::string joined;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    ASSERT_LE(parts[i].size(), 16u * 1024);
    auto part = json::parse(parts[i]).as_object();
    EXPECT_EQ(part["part"], i + 1);
    EXPECT_EQ(part["parts"], parts.size());
    EXPECT_EQ(part["message_id"].as_string(), call.message_id);
    joined += part["data"].as_string();
  }
  EXPECT_EQ(joined, event);
}

TEST(SinkShaper, SmallEventsPassUnchanged) {
  SinkConfig sink;
  auto event = request_event(sample_call(chat_request("hi"), nullptr), gateway);
  auto out = SinkShaper(sink)(event);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0], event);
}

TEST(ApimFormat, MapsTheReferenceFields) {
  auto call = sample_call(chat_request("hi"), json::object{{"choices", json::array{1}}});
  call.served_model = "gpt-4o-2024-08-06";
  call.model_time_ms = 75;
  auto request = json::parse(to_apim(request_event(call, gateway))).as_object();
  auto response = json::parse(to_apim(response_event(call, gateway))).as_object();
  EXPECT_EQ(request["event-type"], "Request");
  EXPECT_EQ(request["operation"], "ChatCompletions_Create");
  EXPECT_EQ(request["messages"].at(0).at("content"), "hi");
  EXPECT_EQ(response["event-type"], "Response");
  EXPECT_EQ(response["message-id"], request["message-id"]);
  EXPECT_EQ(response["model"], "gpt-4o-2024-08-06");
  EXPECT_EQ(response["prompt_tokens"], "10");
  EXPECT_EQ(response["total_tokens"], "30");
  EXPECT_EQ(response["modeltime"], "75");
}

}  // namespace
}  // namespace tollgate::audit
