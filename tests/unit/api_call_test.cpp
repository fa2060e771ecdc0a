#include "api/api_call.h"

#include <gtest/gtest.h>

namespace tollgate::api {
namespace {

ApiCall parse_ok(std::string_view method, std::string_view target) {
  auto result = parse_api_call(method, target);
  EXPECT_TRUE(std::holds_alternative<ApiCall>(result)) << target;
  return std::get<ApiCall>(result);
}

int error_status(std::string_view method, std::string_view target) {
  auto result = parse_api_call(method, target);
  EXPECT_TRUE(std::holds_alternative<ApiError>(result)) << target;
  return std::get<ApiError>(result).status;
}

TEST(ParseApiCall, AzureDeploymentPath) {
  auto call =
      parse_ok("POST", "/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21");
  EXPECT_EQ(call.style, ApiStyle::azure);
  EXPECT_EQ(call.deployment, "gpt-4o");
  EXPECT_EQ(call.operation, "chat/completions");
  EXPECT_EQ(call.api_version, "2024-10-21");
  EXPECT_TRUE(call.other_query.empty());
  EXPECT_TRUE(call.inspected);
}

TEST(ParseApiCall, OpenAiPathKeepsOtherQuery) {
  auto call = parse_ok("GET", "/v1/files?limit=2&api-version=x&order=asc");
  EXPECT_EQ(call.style, ApiStyle::openai);
  EXPECT_EQ(call.operation, "files");
  EXPECT_EQ(call.other_query, "limit=2&order=asc");
  EXPECT_EQ(call.api_version, "x");
  EXPECT_FALSE(call.inspected);
}

TEST(ParseApiCall, AzureV1TakesModelFromBody) {
  auto call = parse_ok("POST", "/openai/v1/embeddings");
  EXPECT_EQ(call.style, ApiStyle::azure);
  EXPECT_TRUE(call.deployment.empty());
  EXPECT_EQ(call.operation, "embeddings");
}

TEST(ParseApiCall, PassThroughOperations) {
  auto call = parse_ok("POST", "/openai/deployments/whisper/audio/transcriptions?api-version=v");
  EXPECT_EQ(call.operation, "audio/transcriptions");
  EXPECT_FALSE(call.inspected);
}

TEST(ParseApiCall, Refusals) {
  EXPECT_EQ(error_status("POST", "/chat/completions"), 404);
  EXPECT_EQ(error_status("POST", "/v1/"), 404);
  EXPECT_EQ(error_status("POST", "/openai/deployments/x"), 404);
  EXPECT_EQ(error_status("GET", "/v1/chat/completions"), 405);
  EXPECT_EQ(error_status("PUT", "/openai/deployments/x/embeddings"), 405);
}

}  // namespace
}  // namespace tollgate::api
