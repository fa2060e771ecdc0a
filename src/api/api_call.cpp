#include "api/api_call.h"

#include <array>

namespace tollgate::api {

namespace {

constexpr std::array<std::string_view, 4> inspected_operations{"chat/completions", "completions",
                                                               "embeddings", "responses"};

bool starts_with(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

// Splits the query into api-version and everything else, keeping the rest's bytes unchanged.
void split_query(std::string_view query, ApiCall& call) {
  while (!query.empty()) {
    auto amp = query.find('&');
    auto pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
    if (starts_with(pair, "api-version=")) {
      call.api_version = pair.substr(12);
    } else if (!pair.empty()) {
      if (!call.other_query.empty()) call.other_query += '&';
      call.other_query += pair;
    }
  }
}

}  // namespace

std::variant<ApiCall, ApiError> parse_api_call(std::string_view method, std::string_view target) {
  auto question = target.find('?');
  std::string_view path = target.substr(0, question);
  ApiCall call;
  if (question != std::string_view::npos) split_query(target.substr(question + 1), call);

  std::string_view rest;
  if (starts_with(path, "/openai/deployments/")) {
    call.style = ApiStyle::azure;
    auto after = path.substr(20);
    auto slash = after.find('/');
    if (slash == std::string_view::npos || slash == 0)
      return not_found("No route for " + std::string(path) +
                           ": expected /openai/deployments/{deployment}/{operation}.",
                       "route_not_found");
    call.deployment = after.substr(0, slash);
    rest = after.substr(slash + 1);
  } else if (starts_with(path, "/openai/v1/")) {
    call.style = ApiStyle::azure;
    rest = path.substr(11);
  } else if (starts_with(path, "/openai/")) {
    call.style = ApiStyle::azure;
    rest = path.substr(8);
  } else if (starts_with(path, "/v1/")) {
    call.style = ApiStyle::openai;
    rest = path.substr(4);
  } else {
    return not_found("No route for " + std::string(path) +
                         ". Tollgate serves the OpenAI API under /v1/ and the Azure OpenAI API "
                         "under /openai/.",
                     "route_not_found");
  }
  while (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
  if (rest.empty()) return not_found("No route for " + std::string(path) + ".", "route_not_found");
  call.operation = rest;

  for (auto op : inspected_operations) {
    if (rest == op) {
      if (method != "POST") return method_not_allowed(method, path);
      call.inspected = true;
    }
  }
  return call;
}

}  // namespace tollgate::api
