#include "gateway/route.h"

#include <fmt/format.h>

namespace tollgate::gateway {

std::variant<RouteChoice, ApiError> Router::choose(const api::ApiCall& call,
                                                   std::string_view body_model) const {
  std::string_view name = call.deployment.empty() ? body_model : std::string_view(call.deployment);
  if (name.empty()) {
    if (call.inspected)
      return invalid_request("You must provide a model parameter.", "model", "missing_model");
    // Calls that name no model (files, batches, ...) go to the first configured model's
    // primary backend (balance::Balancer::model_less_pool).
    return RouteChoice{nullptr};
  }
  const ModelConfig* model = config_.model(std::string(name));
  if (!model) {
    if (!call.deployment.empty())
      return not_found(fmt::format("The API deployment {} does not exist on this gateway.", name),
                       "DeploymentNotFound");
    return not_found(
        fmt::format("The model `{}` does not exist or you do not have access to it.", name),
        "model_not_found");
  }
  return RouteChoice{model};
}

}  // namespace tollgate::gateway
