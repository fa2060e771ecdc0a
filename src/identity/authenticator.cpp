#include "identity/authenticator.h"

#include <boost/beast/core/string.hpp>

namespace tollgate::identity {

namespace net = boost::asio;
namespace bhttp = boost::beast::http;

namespace {

AuthFailure unauthenticated(std::string reason) {
  return {AuthFailure::Kind::unauthenticated, std::move(reason)};
}

}  // namespace

std::string_view bearer_token(const bhttp::fields& headers) {
  auto value = headers[bhttp::field::authorization];
  if (value.size() < 7 || !boost::beast::iequals(value.substr(0, 7), "Bearer ")) return {};
  auto token = value.substr(7);
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  while (!token.empty() && token.back() == ' ') token.remove_suffix(1);
  return token;
}

Authenticator::Authenticator(const AuthConfig& auth, const JwtVerifier* jwt, const ApiKeys& keys)
    : auth_(auth), jwt_(jwt), keys_(keys) {}

net::awaitable<std::variant<Identity, AuthFailure>> Authenticator::authenticate(
    const bhttp::fields& headers, VerifiedTokens& verified) const {
  const bool keys_on = auth_.allows("api_key");
  const bool anonymous_ok = auth_.allows("none");
  auto api_key = headers["api-key"];
  auto bearer = bearer_token(headers);
  const auto now = std::chrono::system_clock::now();

  if (!api_key.empty() && keys_on) co_return keys_.check(api_key, now);
  if (!bearer.empty()) {
    if (jwt_ && looks_like_jwt(bearer)) co_return co_await jwt_->verify(bearer, verified);
    if (keys_on) co_return keys_.check(bearer, now);
  }
  if (anonymous_ok) co_return Identity{};
  if (!api_key.empty() || !bearer.empty())
    co_return unauthenticated(jwt_ ? "this gateway accepts Entra ID bearer tokens; the credential "
                                     "presented is not one"
                                   : "the credential presented is not accepted here");
  co_return unauthenticated(
      keys_on && jwt_ ? "no credentials: send Authorization: Bearer <token>, or an api-key header"
      : jwt_          ? "no credentials: send Authorization: Bearer <token>"
                      : "no credentials: send an api-key header or Authorization: Bearer <key>");
}

}  // namespace tollgate::identity
