#include "api/upstream_target.h"

#include <gtest/gtest.h>

namespace tollgate::api {
namespace {

BackendConfig azure(std::string api_version = {}) {
  BackendConfig b;
  b.kind = BackendKind::azure;
  b.api_version = std::move(api_version);
  return b;
}

BackendConfig openai(std::string base_path) {
  BackendConfig b;
  b.kind = BackendKind::openai;
  b.base_path = std::move(base_path);
  return b;
}

ApiCall call(std::string operation, std::string api_version = {}, std::string other = {}) {
  ApiCall c;
  c.operation = std::move(operation);
  c.api_version = std::move(api_version);
  c.other_query = std::move(other);
  return c;
}

TEST(UpstreamTarget, OpenAiClientToAzureBackend) {
  EXPECT_EQ(upstream_target(call("chat/completions"), azure(), "dep"),
            "/openai/deployments/dep/chat/completions?api-version=2024-10-21");
  EXPECT_EQ(upstream_target(call("chat/completions"), azure("2025-01-01"), "dep"),
            "/openai/deployments/dep/chat/completions?api-version=2025-01-01");
}

TEST(UpstreamTarget, BackendPinWinsOverClientVersion) {
  EXPECT_EQ(upstream_target(call("embeddings", "2023-05-15"), azure("2024-10-21"), "e"),
            "/openai/deployments/e/embeddings?api-version=2024-10-21");
  EXPECT_EQ(upstream_target(call("embeddings", "2023-05-15"), azure(), "e"),
            "/openai/deployments/e/embeddings?api-version=2023-05-15");
}

TEST(UpstreamTarget, AzureClientToOpenAiBackendDropsApiVersion) {
  EXPECT_EQ(upstream_target(call("chat/completions", "2024-10-21", "x=1"), openai("/v1"), "m"),
            "/v1/chat/completions?x=1");
}

TEST(UpstreamTarget, ResourceLevelAzureCalls) {
  EXPECT_EQ(upstream_target(call("files", "v"), azure(), ""), "/openai/files?api-version=v");
  EXPECT_EQ(upstream_target(call("responses"), azure(), "dep"), "/openai/v1/responses");
}

TEST(BodyNamesDeployment, ByBackendKind) {
  EXPECT_TRUE(body_names_deployment(call("chat/completions"), openai("/v1")));
  EXPECT_FALSE(body_names_deployment(call("chat/completions"), azure()));
  EXPECT_TRUE(body_names_deployment(call("responses"), azure()));
}

}  // namespace
}  // namespace tollgate::api
