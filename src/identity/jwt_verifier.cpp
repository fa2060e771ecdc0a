#include "identity/jwt_verifier.h"

#include <algorithm>

namespace tollgate::identity {

namespace net = boost::asio;

namespace {

AuthFailure invalid(std::string reason) {
  return {AuthFailure::Kind::unauthenticated, std::move(reason)};
}

}  // namespace

JwtVerifier::JwtVerifier(const AuthConfig& auth, net::any_io_executor background,
                         http::Fetcher& fetcher)
    : config_(auth.jwt), claims_(auth.jwt, auth.applications) {
  // Entra's v1 and v2 issuers of a tenant share one key set: one source per URL serves both.
  std::vector<const JwtIssuerConfig*> owners;
  for (const auto& issuer : config_.issuers) {
    auto same = std::find_if(owners.begin(), owners.end(), [&](const JwtIssuerConfig* other) {
      return other->discovery_url == issuer.discovery_url && other->jwks_url == issuer.jwks_url &&
             other->ca_file == issuer.ca_file;
    });
    if (same == owners.end()) {
      owners.push_back(&issuer);
      sources_.push_back(std::make_unique<SigningKeys>(background, fetcher, issuer, config_));
      by_issuer_.push_back(sources_.back().get());
    } else {
      by_issuer_.push_back(sources_[static_cast<std::size_t>(same - owners.begin())].get());
    }
  }
}

void JwtVerifier::start() {
  for (auto& source : sources_) source->start();
}

bool JwtVerifier::ready() const {
  return std::all_of(sources_.begin(), sources_.end(),
                     [](const auto& source) { return source->current() != nullptr; });
}

net::awaitable<std::variant<Identity, AuthFailure>> JwtVerifier::verify(
    std::string_view token, VerifiedTokens& verified) const {
  const auto now = std::chrono::system_clock::now();
  if (const Identity* known = verified.find(token, now)) co_return *known;
  auto parsed = parse_jwt(token);
  if (auto* why = std::get_if<std::string>(&parsed)) co_return invalid(*why);
  const Jwt& jwt = std::get<Jwt>(parsed);
  if (jwt.alg == "none") co_return invalid("the token is not signed (alg none)");
  if (std::find(config_.algorithms.begin(), config_.algorithms.end(), jwt.alg) ==
      config_.algorithms.end())
    co_return invalid("the token's algorithm " + jwt.alg + " is not allowed");

  const JwtIssuerConfig* issuer = claims_.issuer(jwt);
  if (!issuer) co_return invalid("the token's issuer is not trusted (iss)");
  SigningKeys& source = *by_issuer_[static_cast<std::size_t>(issuer - config_.issuers.data())];
  auto keys = source.current();
  if (!keys || !keys->find(jwt.kid)) keys = co_await source.refetch_for_unknown_kid();
  if (!keys)
    co_return AuthFailure{AuthFailure::Kind::unavailable,
                          "the signing keys of the token's issuer could not be fetched yet"};
  const PublicKey* key = keys->find(jwt.kid);
  if (!key) co_return invalid("the token is signed with an unknown key (kid)");
  if (!key->accepts(jwt.alg))
    co_return invalid("the token's algorithm " + jwt.alg + " does not match its signing key");
  if (!key->verify(jwt.alg, jwt.signing_input, jwt.signature))
    co_return invalid("the token's signature is not valid");

  if (auto why = claims_.validity(jwt, now)) co_return invalid(*why);
  if (auto claim = claims_.missing_requirement(jwt))
    co_return AuthFailure{AuthFailure::Kind::forbidden,
                          "the token does not carry a required " + *claim + " value"};
  auto identity = claims_.identity(jwt);
  verified.remember(token, identity, claims_.valid_until(jwt), now);
  co_return identity;
}

}  // namespace tollgate::identity
