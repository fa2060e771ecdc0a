// What an inbound request asks for, read from its method and target alone: which API style
// the client speaks, which operation, and (Azure style) which deployment.
#pragma once

#include <string>
#include <string_view>
#include <variant>

#include "core/api_error.h"

namespace tollgate::api {

enum class ApiStyle { azure, openai };

struct ApiCall {
  ApiStyle style = ApiStyle::openai;
  // The path after the API prefix and deployment: "chat/completions", "embeddings",
  // "audio/transcriptions", "models", ...
  std::string operation;
  // The deployment named in an Azure /openai/deployments/{deployment}/ path; empty otherwise,
  // when the model comes from the body.
  std::string deployment;
  std::string api_version;  // the client's api-version query parameter, if any
  std::string other_query;  // the rest of the query string, forwarded as is
  // One of the JSON operations the gateway understands (chat/completions, completions,
  // embeddings, responses); anything else passes through.
  bool inspected = false;
};

// Parses `target` ("/v1/chat/completions", "/openai/deployments/x/embeddings?api-version=...")
// for `method`. Unknown routes give 404; a known operation with the wrong method gives 405.
std::variant<ApiCall, ApiError> parse_api_call(std::string_view method, std::string_view target);

}  // namespace tollgate::api
