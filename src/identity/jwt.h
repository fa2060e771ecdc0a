// A JSON Web Token in compact JWS form (RFC 7515, 7519), split and decoded but not yet
// trusted: parse_jwt checks only the form. The signature and the claims are checked by
// TokenValidator.
#pragma once

#include <boost/json/object.hpp>
#include <string>
#include <string_view>
#include <variant>

namespace tollgate::identity {

struct Jwt {
  boost::json::object header;
  boost::json::object claims;
  std::string_view signing_input;  // "header.payload" as received; a view into the token
  std::string signature;           // raw bytes
  std::string alg;
  std::string kid;  // empty when the header names no key
};

// Tokens larger than this are refused before any decoding (Entra tokens are 1-3 KiB).
inline constexpr std::size_t max_token_bytes = 16 * 1024;

// Splits and decodes `token`. On failure returns a reason fit to show the caller, which never
// quotes the token.
std::variant<Jwt, std::string> parse_jwt(std::string_view token);

// Whether `credential` has the shape of a compact JWS (three base64url parts), which tells a
// bearer token from an API key when both are accepted.
bool looks_like_jwt(std::string_view credential);

}  // namespace tollgate::identity
