#include "audit/sinks/call_columns.h"

#include <gtest/gtest.h>

#include <string>

#include "audit/apim_format.h"

namespace tollgate::audit {
namespace {

CallValue value_of(const CallFacts& facts, std::string_view column) {
  auto columns = call_columns();
  for (std::size_t i = 0; i < columns.size(); ++i)
    if (columns[i].name == column) return facts.values[i];
  ADD_FAILURE() << "no column " << column;
  return {};
}

const std::string typed_response = R"({"schema":"tollgate.audit.v1","event_id":"e-2",
"event_type":"response","message_id":"m-1","time":"2026-11-27T13:50:40.250000Z",
"call":{"operation":"chat.completions","model":"gpt-4o","served_model":"gpt-4o-2024-08-06",
  "stream":true},
"identity":{"app_id":"app-1"},
"routing":{"backend":"b","backend_host":"h","attempts":[{"status":200}]},
"response":{"status":200,"outcome":"ok","body":{"choices":[]}},
"usage":{"prompt_tokens":10,"completion_tokens":20,"total_tokens":30},
"timing":{"model_time_ms":75,"gateway_overhead_us":12.5}})";

TEST(ReadCall, TypedEventFillsItsColumns) {
  simdjson::dom::parser parser;
  auto facts = read_call(parser.parse(typed_response).value());
  ASSERT_TRUE(facts);
  EXPECT_EQ(facts->side, EventSide::response);
  EXPECT_EQ(facts->message_id, "m-1");
  EXPECT_EQ(facts->values.size(), call_columns().size());
  EXPECT_EQ(std::get<std::string_view>(value_of(*facts, "response_time")),
            "2026-11-27T13:50:40.250000Z");
  EXPECT_TRUE(std::holds_alternative<std::monostate>(value_of(*facts, "request_time")));
  EXPECT_EQ(std::get<std::int64_t>(value_of(*facts, "total_tokens")), 30);
  EXPECT_EQ(std::get<bool>(value_of(*facts, "stream")), true);
  EXPECT_EQ(std::get<double>(value_of(*facts, "gateway_overhead_us")), 12.5);
  EXPECT_EQ(std::get<std::int64_t>(value_of(*facts, "attempts")), 1);
}

TEST(ReadCall, ApimEventFillsWhatItCarriesFromTheOwnersSide) {
  simdjson::dom::parser parser;
  const std::string apim = to_apim(typed_response);
  auto facts = read_call(parser.parse(apim).value());
  ASSERT_TRUE(facts);
  EXPECT_EQ(facts->side, EventSide::response);
  EXPECT_EQ(facts->message_id, "m-1");
  // Counts come back from the format's decimal text.
  EXPECT_EQ(std::get<std::int64_t>(value_of(*facts, "prompt_tokens")), 10);
  EXPECT_EQ(std::get<std::int64_t>(value_of(*facts, "total_tokens")), 30);
  EXPECT_EQ(std::get<std::int64_t>(value_of(*facts, "model_time_ms")), 75);
  // A response's `model` is the served one; the request's columns are left to the request.
  EXPECT_EQ(std::get<std::string_view>(value_of(*facts, "served_model")), "gpt-4o-2024-08-06");
  EXPECT_TRUE(std::holds_alternative<std::monostate>(value_of(*facts, "model")));
  EXPECT_TRUE(std::holds_alternative<std::monostate>(value_of(*facts, "app_id")));
  EXPECT_TRUE(std::holds_alternative<std::monostate>(value_of(*facts, "backend")));
}

TEST(ReadCall, PartsAndStrangersHaveNoCall) {
  simdjson::dom::parser parser;
  for (std::string text :
       {R"({"event_id":"e","message_id":"m","part":1,"parts":2,"data":"{"})",
        R"({"event_type":"request"})", R"({"event_type":"other","message_id":"m"})"})
    EXPECT_FALSE(read_call(parser.parse(text).value())) << text;
}

}  // namespace
}  // namespace tollgate::audit
