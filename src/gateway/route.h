// Route stage: from the model a call names (the Azure deployment in the path, or `model` in
// the body) to the configured model, whose pool of backends serves it (the failover stage
// picks one per attempt).
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
};

class Router {
 public:
  // `config` must outlive the Router.
  explicit Router(const Config& config) : config_(config) {}

  // `body_model` is the model named in the body, or empty.
  std::variant<RouteChoice, ApiError> choose(const api::ApiCall& call,
                                             std::string_view body_model) const;

 private:
  const Config& config_;
};

}  // namespace tollgate::gateway
