#include "gateway/authenticate.h"

namespace tollgate::gateway {

namespace {

// An RFC 7230 quoted-string's content: quotes and backslashes escaped, controls dropped.
std::string quoted(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (static_cast<unsigned char>(c) < 0x20) continue;
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

}  // namespace

ApiError refusal(const identity::AuthFailure& failure, http::Exchange& exchange) {
  using Kind = identity::AuthFailure::Kind;
  switch (failure.kind) {
    case Kind::unauthenticated:
      exchange.set_header("www-authenticate",
                          "Bearer realm=\"tollgate\", error=\"invalid_token\", "
                          "error_description=\"" +
                              quoted(failure.reason) + "\"");
      return unauthorized("Unauthorized: " + failure.reason + ".");
    case Kind::forbidden:
      return forbidden("Forbidden: " + failure.reason + ".");
    case Kind::unavailable:
      break;
  }
  return unavailable("The gateway cannot check credentials right now: " + failure.reason +
                     ". Retry later.");
}

}  // namespace tollgate::gateway
