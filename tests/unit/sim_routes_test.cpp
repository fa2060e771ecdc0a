#include <gtest/gtest.h>

#include "sim/routes.h"

namespace tollgate::sim {
namespace {

using boost::beast::http::verb;

TEST(SimRoutes, AllThreeStyles) {
  EXPECT_EQ(route(verb::post, "/v1/chat/completions").operation, Operation::chat);
  EXPECT_EQ(route(verb::post, "/openai/v1/completions").operation, Operation::completions);
  Route azure = route(verb::post, "/openai/deployments/emb/embeddings?api-version=2024-10-21");
  EXPECT_EQ(azure.operation, Operation::embeddings);
  EXPECT_EQ(azure.deployment, "emb");
  EXPECT_EQ(route(verb::post, "/openai/deployments/d/responses").operation, Operation::responses);
  EXPECT_EQ(route(verb::get, "/v1/models").operation, Operation::models);
  EXPECT_EQ(route(verb::get, "/openai/v1/models?x=1").operation, Operation::models);
}

TEST(SimRoutes, EverythingElseEchoes) {
  EXPECT_EQ(route(verb::get, "/v1/chat/completions").operation, Operation::echo);
  EXPECT_EQ(route(verb::post, "/v1/audio/transcriptions").operation, Operation::echo);
  EXPECT_EQ(route(verb::post, "/openai/deployments//chat/completions").operation, Operation::echo);
  EXPECT_EQ(route(verb::get, "/").operation, Operation::echo);
  EXPECT_EQ(route(verb::post, "/v2/chat/completions").operation, Operation::echo);
}

TEST(SimRoutes, Introspection) {
  EXPECT_EQ(route(verb::get, "/sim/stats").operation, Operation::stats);
  EXPECT_EQ(route(verb::get, "/sim/requests").operation, Operation::requests);
  EXPECT_EQ(route(verb::post, "/sim/reset").operation, Operation::reset);
  EXPECT_EQ(route(verb::get, "/sim/reset").operation, Operation::sim_unknown);
  EXPECT_EQ(route(verb::get, "/sim/faults").operation, Operation::faults);
  EXPECT_EQ(route(verb::put, "/sim/faults").operation, Operation::faults);
  EXPECT_EQ(route(verb::post, "/sim/faults").operation, Operation::sim_unknown);
  EXPECT_EQ(route(verb::get, "/sim/other").operation, Operation::sim_unknown);
}

}  // namespace
}  // namespace tollgate::sim
