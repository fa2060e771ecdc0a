#include <gtest/gtest.h>

#include <string>

#include "usage/json_scan.h"

namespace tollgate::usage {
namespace {

bool valid(std::string_view text) { return scan_object_document(text).has_value(); }

TEST(UsageJsonScan, MembersWithPositions) {
  const std::string_view text = R"( { "a" : 1 , "b":[true,{"c":null}],"d":"x" } )";
  const auto object = scan_object_document(text);
  ASSERT_TRUE(object);
  EXPECT_EQ(object->begin, 1u);
  EXPECT_EQ(object->end, text.size() - 1);
  ASSERT_EQ(object->members.size(), 3u);
  EXPECT_EQ(object->members[0].key, "a");
  EXPECT_EQ(text.substr(object->members[0].key_begin, 3), "\"a\"");
  EXPECT_EQ(value_text(text, object->members[0]), "1");
  EXPECT_EQ(value_text(text, object->members[1]), R"([true,{"c":null}])");
  EXPECT_EQ(value_text(text, object->members[2]), R"("x")");
}

TEST(UsageJsonScan, NestedObjectAtAnOffset) {
  const std::string_view text = R"({"o":{"k":"v","k":2}})";
  const auto inner = scan_object(text, 5);
  ASSERT_TRUE(inner);
  EXPECT_EQ(inner->end, text.size() - 1);
  ASSERT_EQ(inner->members.size(), 2u);
  EXPECT_EQ(value_text(text, *find_member(*inner, "k")), "2");  // the last one
  EXPECT_EQ(find_member(*inner, "missing"), nullptr);
  EXPECT_FALSE(scan_object(text, 1));  // not at a '{'
  EXPECT_FALSE(scan_object(text, text.size()));
}

TEST(UsageJsonScan, KeysAreUnescaped) {
  const auto object = scan_object_document(R"({"a\"b\\c\u0041\ud83d\ude00":0})");
  ASSERT_TRUE(object);
  EXPECT_EQ(object->members[0].key, "a\"b\\cA\xF0\x9F\x98\x80");
}

TEST(UsageJsonScan, AcceptsTheGrammar) {
  for (std::string_view text :
       {"{}", " {\n}\r\n", R"({"n":[0,-0,1.5,-2e10,3E+2,4e-1,12345678901234567890]})",
        R"({"s":"\"\\\/\b\f\n\r\t\u00e9 \u00E9"})", R"({"l":[true,false,null,[],{}]})",
        "{\"u\":\"\xc3\xa9\"}"})
    EXPECT_TRUE(valid(text)) << text;
}

TEST(UsageJsonScan, RejectsWhatIsNotJson) {
  for (std::string_view text : {"",
                                "[]",
                                "\"s\"",
                                "{",
                                "}",
                                "{\"a\"}",
                                "{\"a\":}",
                                "{\"a\":1,}",
                                "{,}",
                                "{\"a\" 1}",
                                "{a:1}",
                                "{'a':1}",
                                "{\"a\":01}",
                                "{\"a\":1.}",
                                "{\"a\":.5}",
                                "{\"a\":-}",
                                "{\"a\":1e}",
                                "{\"a\":+1}",
                                "{\"a\":tru}",
                                "{\"a\":nul}",
                                "{\"a\":True}",
                                "{\"a\":\"\\x\"}",
                                "{\"a\":\"\\u12G4\"}",
                                "{\"a\":\"\\u12\"}",
                                "{\"a\":\"unterminated}",
                                "{\"a\":\"tab\there\"}",
                                "{\"a\":[1,]}",
                                "{\"a\":[1 2]}",
                                "{} {}",
                                "{}x",
                                "{\"a\":1}\n,",
                                "{\"a\":\"\\\"}"})
    EXPECT_FALSE(valid(text)) << text;
}

TEST(UsageJsonScan, NestingIsBounded) {
  auto nested = [](int depth) {
    return "{\"a\":" + std::string(depth - 1, '[') + std::string(depth - 1, ']') + "}";
  };
  EXPECT_TRUE(valid(nested(512)));
  EXPECT_FALSE(valid(nested(513)));
  EXPECT_FALSE(valid("{\"a\":" + std::string(100000, '[')));
}

TEST(UsageJsonScan, EveryTruncationIsRejected) {
  const std::string_view text = R"({"a":[1,{"b":"c\"d"}],"e":-1.5e3,"f":null})";
  ASSERT_TRUE(valid(text));
  for (std::size_t size = 0; size < text.size(); ++size)
    EXPECT_FALSE(valid(text.substr(0, size))) << size;
}

}  // namespace
}  // namespace tollgate::usage
