// Route stage: from the model a call names (the Azure deployment in the path, or `model` in
// the body) to the backend and deployment that will serve it.
//
// Threading: immutable after construction; shared by every event loop.
#pragma once

#include <string_view>
#include <variant>

#include "api/api_call.h"
#include "core/api_error.h"
#include "core/config.h"

namespace tollgate::gateway {

struct RouteChoice {
  const ModelConfig* model = nullptr;  // null for model-less pass-through calls
  const BackendConfig* backend = nullptr;
  std::string_view deployment;  // empty for model-less calls
};

class Router {
 public:
  // `config` must outlive the Router.
  explicit Router(const Config& config) : config_(config) {}

  // `body_model` is the model named in the body, or empty. Until backend pools exist (a later
  // issue), the first target in priority order serves the model.
  std::variant<RouteChoice, ApiError> choose(const api::ApiCall& call,
                                             std::string_view body_model) const;

 private:
  const Config& config_;
};

}  // namespace tollgate::gateway
