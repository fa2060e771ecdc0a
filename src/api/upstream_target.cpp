#include "api/upstream_target.h"

namespace tollgate::api {

namespace {

void append_query(std::string& target, std::string_view api_version, std::string_view other) {
  char separator = '?';
  if (!api_version.empty()) {
    target += separator;
    target += "api-version=";
    target += api_version;
    separator = '&';
  }
  if (!other.empty()) {
    target += separator;
    target += other;
  }
}

}  // namespace

bool body_names_deployment(const ApiCall& call, const BackendConfig& backend) {
  return backend.kind == BackendKind::openai || call.operation == "responses";
}

std::string upstream_target(const ApiCall& call, const BackendConfig& backend,
                            std::string_view deployment) {
  std::string target;
  if (backend.kind == BackendKind::openai) {
    target = backend.base_path + "/" + call.operation;
    append_query(target, {}, call.other_query);
    return target;
  }
  std::string_view api_version =
      backend.api_version.empty() ? std::string_view(call.api_version) : backend.api_version;
  if (call.operation == "responses") {
    // Azure serves the Responses API at resource level, with the deployment in the body, and
    // its v1 surface needs no api-version.
    target = backend.base_path + "/openai/v1/responses";
    append_query(target, {}, call.other_query);
    return target;
  }
  if (api_version.empty()) api_version = default_azure_api_version;
  target = backend.base_path + "/openai/";
  if (!deployment.empty()) {
    target += "deployments/";
    target += deployment;
    target += '/';
  }
  target += call.operation;
  append_query(target, api_version, call.other_query);
  return target;
}

std::string upstream_host(const BackendConfig& backend) {
  return backend.port == (backend.tls ? "443" : "80") ? backend.host
                                                      : backend.host + ":" + backend.port;
}

}  // namespace tollgate::api
