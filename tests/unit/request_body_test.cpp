#include "api/request_body.h"

#include <gtest/gtest.h>

namespace tollgate::api {
namespace {

TEST(InspectJsonBody, FindsModelAndStream) {
  std::string body =
      R"({"messages":[{"role":"user","content":"hi"}], "model" : "gpt-4o" ,"stream":true})";
  auto facts = std::get<BodyFacts>(inspect_json_body(body));
  ASSERT_TRUE(facts.model);
  EXPECT_EQ(facts.model->value, "gpt-4o");
  EXPECT_TRUE(facts.stream);
  EXPECT_EQ(body.substr(facts.model->offset, facts.model->length), "\"gpt-4o\"");
}

TEST(InspectJsonBody, ReplacesOnlyTheModel) {
  std::string body = R"({"model":"gpt-4o","x":"model"})";
  auto facts = std::get<BodyFacts>(inspect_json_body(body));
  replace_model(body, *facts.model, "dep\"1");
  EXPECT_EQ(body, R"({"model":"dep\"1","x":"model"})");
}

TEST(InspectJsonBody, EscapedModelName) {
  std::string body = R"({"model":"a\u00e9b"})";
  auto facts = std::get<BodyFacts>(inspect_json_body(body));
  EXPECT_EQ(facts.model->value,
            "a\xc3\xa9"
            "b");
  EXPECT_EQ(facts.model->length, 10u);  // "a\u00e9b" with its quotes
}

TEST(InspectJsonBody, Refusals) {
  for (std::string bad : {"{", "[1]", "{\"model\":1}", "{\"model\":\"x\",}", "nul", ""}) {
    auto result = inspect_json_body(bad);
    ASSERT_TRUE(std::holds_alternative<ApiError>(result)) << bad;
    EXPECT_EQ(std::get<ApiError>(result).status, 400);
  }
}

TEST(InspectJsonBody, NoModel) {
  auto facts = std::get<BodyFacts>(inspect_json_body(R"({"input":"x"})"));
  EXPECT_FALSE(facts.model);
  EXPECT_FALSE(facts.stream);
  EXPECT_FALSE(std::get<BodyFacts>(inspect_json_body(R"({"model":null})")).model);
}

TEST(MultipartModel, FindsAndReplacesField) {
  std::string body =
      "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.wav\"\r\n\r\n"
      "RIFF\x01\x02\r\n--XyZ\r\nContent-Disposition: form-data; name=\"model\"\r\n\r\n"
      "whisper\r\n--XyZ--\r\n";
  auto field = multipart_model("multipart/form-data; boundary=XyZ", body);
  ASSERT_TRUE(field);
  EXPECT_EQ(field->value, "whisper");
  replace_model(body, *field, "whisper-1");
  EXPECT_NE(body.find("\r\n\r\nwhisper-1\r\n--XyZ--"), std::string::npos);
  EXPECT_FALSE(multipart_model("multipart/form-data", body));
}

}  // namespace
}  // namespace tollgate::api
