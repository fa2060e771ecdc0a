// Translation between API styles: where a call goes on a backend of either kind, so that a
// client of one style can use a backend of the other.
#pragma once

#include <string>
#include <string_view>

#include "api/api_call.h"
#include "core/config.h"

namespace tollgate::api {

// The api-version sent to Azure backends when neither the backend nor the client names one.
inline constexpr std::string_view default_azure_api_version = "2024-10-21";

// The request target on `backend` for `call` served by `deployment` (empty when the call names
// no model, e.g. GET /v1/files).
//   azure kind:  /openai/deployments/{deployment}/{operation}?api-version=...
//                (the Responses API and model-less calls are resource-level: /openai/v1/... and
//                /openai/{operation}?api-version=...)
//   openai kind: {url path}/{operation}, without api-version
std::string upstream_target(const ApiCall& call, const BackendConfig& backend,
                            std::string_view deployment);

// The Host header for `backend`: its host, with the port when it is not the scheme's default.
std::string upstream_host(const BackendConfig& backend);

// Whether the body's model field must name the deployment: OpenAI-kind backends and Azure's
// resource-level operations route by the body; Azure deployment paths ignore it.
bool body_names_deployment(const ApiCall& call, const BackendConfig& backend);

}  // namespace tollgate::api
