#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "usage/delta.h"

namespace tollgate::usage {
namespace {

namespace json = boost::json;

json::object merged(std::initializer_list<std::string_view> deltas) {
  json::object into;
  for (std::string_view delta : deltas) merge_delta(into, json::parse(delta).as_object());
  return into;
}

TEST(UsageDelta, StringsConcatenate) {
  EXPECT_EQ(merged({R"({"content":""})", R"({"content":"Hel"})", R"({"content":"lo"})"}),
            json::parse(R"({"content":"Hello"})"));
}

TEST(UsageDelta, NamesKeepTheFirstNonEmptyValue) {
  EXPECT_EQ(merged({R"({"role":"assistant","id":"","name":"f","type":"function"})",
                    R"({"role":"assistant","id":"call_1","name":"f","type":"function"})"}),
            json::parse(R"({"role":"assistant","id":"call_1","name":"f","type":"function"})"));
}

TEST(UsageDelta, NullNeverErases) {
  EXPECT_EQ(merged({R"({"content":"a","refusal":null})", R"({"content":null,"refusal":null})"}),
            json::parse(R"({"content":"a"})"));
  EXPECT_EQ(merged({R"({"content":null})", R"({"content":"b"})"}),
            json::parse(R"({"content":"b"})"));
}

TEST(UsageDelta, IndexedElementsMergeByIndex) {
  EXPECT_EQ(merged({R"({"tool_calls":[{"index":0,"id":"a","function":{"arguments":"{"}}]})",
                    R"({"tool_calls":[{"index":1,"id":"b","function":{"arguments":"["}}]})",
                    R"({"tool_calls":[{"index":0,"function":{"arguments":"}"}},
                                      {"index":1,"function":{"arguments":"]"}}]})"}),
            json::parse(R"({"tool_calls":[{"index":0,"id":"a","function":{"arguments":"{}"}},
                                          {"index":1,"id":"b","function":{"arguments":"[]"}}]})"));
}

TEST(UsageDelta, OtherArraysAppend) {
  EXPECT_EQ(merged({R"({"content":[{"token":"a"}],"n":[1]})",
                    R"({"content":[{"token":"b"}],"n":[2,3]})"}),
            json::parse(R"({"content":[{"token":"a"},{"token":"b"}],"n":[1,2,3]})"));
}

TEST(UsageDelta, OtherValuesReplace) {
  EXPECT_EQ(merged({R"({"expires_at":1,"flag":true,"x":"s"})",
                    R"({"expires_at":2,"flag":false,"x":{"y":1}})"}),
            json::parse(R"({"expires_at":2,"flag":false,"x":{"y":1}})"));
}

}  // namespace
}  // namespace tollgate::usage
