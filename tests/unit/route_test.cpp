#include "gateway/route.h"

#include <gtest/gtest.h>

#include "core/config.h"

namespace tollgate::gateway {
namespace {

Config sample() {
  return parse_config(R"(backends:
  east: { kind: azure, url: "https://east.example" }
  west: { kind: azure, url: "https://west.example" }
  local: { kind: openai, url: "http://127.0.0.1:1/v1" }
models:
  gpt-4o:
    - { backend: west, deployment: gpt-4o-payg, priority: 2 }
    - { backend: east, deployment: gpt-4o-ptu, priority: 1 }
  embed:
    - { backend: local }
)",
                      "t.yaml");
}

api::ApiCall inspected(std::string deployment = {}) {
  api::ApiCall call;
  call.operation = "chat/completions";
  call.deployment = std::move(deployment);
  call.inspected = true;
  return call;
}

TEST(Router, BodyModelNamesTheModel) {
  auto config = sample();
  Router router(config);
  auto choice = std::get<RouteChoice>(router.choose(inspected(), "gpt-4o"));
  ASSERT_NE(choice.model, nullptr);
  EXPECT_EQ(choice.model->name, "gpt-4o");
  EXPECT_EQ(choice.model->targets.front().backend, "east");  // the pool is in priority order
}

TEST(Router, AzurePathDeploymentWinsOverBody) {
  auto config = sample();
  Router router(config);
  auto choice = std::get<RouteChoice>(router.choose(inspected("embed"), "gpt-4o"));
  ASSERT_NE(choice.model, nullptr);
  EXPECT_EQ(choice.model->name, "embed");
}

TEST(Router, Refusals) {
  auto config = sample();
  Router router(config);
  auto missing = std::get<ApiError>(router.choose(inspected(), ""));
  EXPECT_EQ(missing.status, 400);
  EXPECT_EQ(missing.param, "model");
  auto unknown = std::get<ApiError>(router.choose(inspected(), "gpt-5"));
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(unknown.code, "model_not_found");
  auto unknown_deployment = std::get<ApiError>(router.choose(inspected("nope"), ""));
  EXPECT_EQ(unknown_deployment.status, 404);
  EXPECT_EQ(unknown_deployment.code, "DeploymentNotFound");
}

TEST(Router, ModelLessPassThroughNamesNoModel) {
  auto config = sample();
  Router router(config);
  api::ApiCall files;
  files.operation = "files";
  auto choice = std::get<RouteChoice>(router.choose(files, ""));
  EXPECT_EQ(choice.model, nullptr);
}

}  // namespace
}  // namespace tollgate::gateway
