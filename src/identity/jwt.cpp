#include "identity/jwt.h"

#include <boost/json/parse.hpp>

#include "identity/base64url.h"

namespace tollgate::identity {

namespace json = boost::json;

namespace {

// Decodes one base64url part holding a JSON object.
bool decode_object(std::string_view part, json::object& out) {
  auto text = base64url_decode(part);
  if (!text) return false;
  boost::system::error_code ec;
  auto value = json::parse(*text, ec);
  if (ec || !value.is_object()) return false;
  out = std::move(value.as_object());
  return true;
}

}  // namespace

bool looks_like_jwt(std::string_view credential) {
  auto first = credential.find('.');
  if (first == std::string_view::npos) return false;
  auto second = credential.find('.', first + 1);
  return second != std::string_view::npos &&
         credential.find('.', second + 1) == std::string_view::npos;
}

std::variant<Jwt, std::string> parse_jwt(std::string_view token) {
  if (token.size() > max_token_bytes) return std::string("the token is too large");
  if (!looks_like_jwt(token))
    return std::string("the token is not a signed JWT (expected three dot-separated parts)");
  auto first = token.find('.');
  auto second = token.find('.', first + 1);
  Jwt jwt;
  if (!decode_object(token.substr(0, first), jwt.header))
    return std::string("the token header is not base64url-encoded JSON");
  if (!decode_object(token.substr(first + 1, second - first - 1), jwt.claims))
    return std::string("the token payload is not base64url-encoded JSON");
  auto signature = base64url_decode(token.substr(second + 1));
  if (!signature || signature->empty())
    return std::string("the token signature is missing or not base64url");
  jwt.signature = std::move(*signature);
  jwt.signing_input = token.substr(0, second);

  const auto* alg = jwt.header.if_contains("alg");
  if (!alg || !alg->is_string() || alg->as_string().empty())
    return std::string("the token header has no algorithm");
  jwt.alg = alg->as_string();
  if (const auto* kid = jwt.header.if_contains("kid")) {
    if (!kid->is_string()) return std::string("the token header's kid is not a string");
    jwt.kid = kid->as_string();
  }
  // Extensions the validator would have to understand (RFC 7515 §4.1.11): none are.
  if (jwt.header.contains("crit"))
    return std::string("the token header lists critical extensions this gateway does not support");
  return jwt;
}

}  // namespace tollgate::identity
