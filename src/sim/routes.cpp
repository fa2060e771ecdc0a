#include "sim/routes.h"

namespace tollgate::sim {

namespace {

using boost::beast::http::verb;

Route introspection(verb method, std::string_view path) {
  if (method == verb::get && path == "/sim/stats") return {Operation::stats, {}};
  if (method == verb::get && path == "/sim/requests") return {Operation::requests, {}};
  if (method == verb::post && path == "/sim/reset") return {Operation::reset, {}};
  if ((method == verb::get || method == verb::put) && path == "/sim/faults")
    return {Operation::faults, {}};
  return {Operation::sim_unknown, {}};
}

Operation generative(std::string_view operation) {
  if (operation == "chat/completions") return Operation::chat;
  if (operation == "completions") return Operation::completions;
  if (operation == "embeddings") return Operation::embeddings;
  if (operation == "responses") return Operation::responses;
  return Operation::echo;
}

}  // namespace

Route route(verb method, std::string_view target) {
  std::string_view path = target.substr(0, target.find('?'));
  if (path.starts_with("/sim/")) return introspection(method, path);

  Route route;
  std::string_view operation;
  if (path.starts_with("/v1/")) {
    operation = path.substr(4);
  } else if (path.starts_with("/openai/v1/")) {
    operation = path.substr(11);
  } else if (constexpr std::string_view kDeployments = "/openai/deployments/";
             path.starts_with(kDeployments)) {
    std::string_view rest = path.substr(kDeployments.size());
    auto slash = rest.find('/');
    if (slash == 0 || slash == std::string_view::npos) return route;
    route.deployment = rest.substr(0, slash);
    operation = rest.substr(slash + 1);
  } else {
    return route;
  }

  if (method == verb::post) {
    route.operation = generative(operation);
  } else if (method == verb::get && operation == "models" && route.deployment.empty()) {
    route.operation = Operation::models;
  }
  return route;
}

}  // namespace tollgate::sim
