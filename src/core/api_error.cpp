#include "core/api_error.h"

#include <fmt/format.h>

#include <boost/json.hpp>

namespace tollgate {

namespace json = boost::json;

std::string ApiError::body() const {
  auto nullable = [](const std::string& s) -> json::value {
    if (s.empty()) return nullptr;
    return json::string(s);
  };
  json::object error{
      {"message", message}, {"type", type}, {"param", nullable(param)}, {"code", nullable(code)}};
  return json::serialize(json::object{{"error", std::move(error)}});
}

ApiError invalid_request(std::string message, std::string param, std::string code) {
  return {400, std::move(message), "invalid_request_error", std::move(param), std::move(code)};
}

ApiError not_found(std::string message, std::string code) {
  return {404, std::move(message), "invalid_request_error", {}, std::move(code)};
}

ApiError method_not_allowed(std::string_view method, std::string_view path) {
  return {405,
          fmt::format("Method {} is not allowed on {}.", method, path),
          "invalid_request_error",
          {},
          "method_not_allowed"};
}

ApiError payload_too_large(std::size_t limit_bytes) {
  return {413,
          fmt::format("The request body is larger than the limit of {} bytes.", limit_bytes),
          "invalid_request_error",
          {},
          "request_too_large"};
}

ApiError headers_too_large(std::size_t limit_bytes) {
  return {431,
          fmt::format("The request headers are larger than the limit of {} bytes.", limit_bytes),
          "invalid_request_error",
          {},
          "headers_too_large"};
}

ApiError bad_gateway(std::string message) {
  return {502, std::move(message), "server_error", {}, "upstream_unreachable"};
}

ApiError gateway_timeout(std::string message) {
  return {504, std::move(message), "server_error", {}, "upstream_timeout"};
}

ApiError unauthorized(std::string message, std::string code) {
  return {401, std::move(message), "invalid_request_error", {}, std::move(code)};
}

ApiError forbidden(std::string message) {
  return {403, std::move(message), "invalid_request_error", {}, "permission_denied"};
}

ApiError unavailable(std::string message) {
  return {503, std::move(message), "server_error", {}, "unavailable"};
}

ApiError internal_error(std::string message) {
  return {500, std::move(message), "server_error", {}, "internal_error"};
}

}  // namespace tollgate
