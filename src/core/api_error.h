// The OpenAI error shape, {"error":{"message","type","param","code"}}, for every error the
// gateway produces itself. SDKs parse this shape to raise typed exceptions, so every refusal
// goes through here.
#pragma once

#include <string>
#include <string_view>

namespace tollgate {

struct ApiError {
  int status = 500;     // HTTP status to send
  std::string message;  // says what was wrong, in a sentence the caller can act on
  std::string type;     // invalid_request_error, server_error, ...
  std::string param;    // the offending field, or empty (sent as null)
  std::string code;     // machine-readable reason, or empty (sent as null)

  // The JSON body, {"error":{...}}.
  std::string body() const;
};

// Constructors for the errors the gateway makes, so the type and code for a status are chosen
// in one place.
ApiError invalid_request(std::string message, std::string param = {}, std::string code = {});
ApiError not_found(std::string message, std::string code = "not_found");
ApiError method_not_allowed(std::string_view method, std::string_view path);
ApiError payload_too_large(std::size_t limit_bytes);
ApiError headers_too_large(std::size_t limit_bytes);
// 401: no credentials, or ones that prove nothing (the SDKs raise AuthenticationError).
ApiError unauthorized(std::string message, std::string code = "invalid_token");
// 403: the caller is known but not allowed (the SDKs raise PermissionDeniedError).
ApiError forbidden(std::string message);
ApiError bad_gateway(std::string message);
ApiError gateway_timeout(std::string message);
ApiError unavailable(std::string message);
ApiError internal_error(std::string message);

}  // namespace tollgate
