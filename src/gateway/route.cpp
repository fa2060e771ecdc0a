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
    // primary backend, the one a single-backend deployment has.
    const auto& first = config_.models.front().targets.front();
    return RouteChoice{nullptr, config_.backend(first.backend), {}};
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
  const ModelTarget& target = model->targets.front();
  return RouteChoice{model, config_.backend(target.backend), target.deployment};
}

}  // namespace tollgate::gateway
