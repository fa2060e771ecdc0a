// libFuzzer target: any bytes as a bearer token. Parsing must never crash, leak or read out of
// bounds; a token that parses goes on through everything the gateway does with one: the
// issuer and claim checks, the identity, and signature checks against fixed RSA and EC keys
// for every algorithm (none of which the fuzzer can forge).
#include <boost/json/parse.hpp>
#include <cstdint>
#include <string_view>

#include "identity/claims.h"
#include "identity/jwt.h"
#include "identity/public_key.h"

namespace {

using namespace tollgate;
using namespace tollgate::identity;

// Fixed public keys (RFC 7517 appendix A.1 style values), built once.
const PublicKey& rsa_key() {
  static const PublicKey key = std::get<PublicKey>(PublicKey::from_jwk(
      boost::json::parse(
          R"({"kty":"RSA","kid":"r","n":"0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw","e":"AQAB"})")
          .as_object()));
  return key;
}

const PublicKey& ec_key() {
  static const PublicKey key = std::get<PublicKey>(PublicKey::from_jwk(
      boost::json::parse(
          R"({"kty":"EC","kid":"e","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"})")
          .as_object()));
  return key;
}

JwtConfig config() {
  JwtConfig config;
  config.issuers.push_back({"https://login.microsoftonline.com/{tenantid}/v2.0", "", "u", ""});
  config.issuers.push_back({"https://sts.windows.net/t/", "", "u", ""});
  config.audiences = {"api://a"};
  config.tenants = {"t"};
  config.required_claims["roles"] = {"r"};
  return config;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const JwtConfig jwt_config = config();
  static const std::map<std::string, std::string> applications{{"app", "App"}};
  static const Claims claims(jwt_config, applications);

  std::string_view token(reinterpret_cast<const char*>(data), size);
  (void)looks_like_jwt(token);
  auto parsed = parse_jwt(token);
  const auto* jwt = std::get_if<Jwt>(&parsed);
  if (!jwt) return 0;
  (void)claims.issuer(*jwt);
  (void)claims.validity(*jwt, std::chrono::system_clock::now());
  (void)claims.missing_requirement(*jwt);
  (void)claims.identity(*jwt);
  for (const char* alg : {"RS256", "RS384", "RS512", "PS256", "ES256", "ES384", "HS256", "none"}) {
    if (rsa_key().verify(alg, jwt->signing_input, jwt->signature)) __builtin_trap();
    if (ec_key().verify(alg, jwt->signing_input, jwt->signature)) __builtin_trap();
  }
  if (rsa_key().verify(jwt->alg, jwt->signing_input, jwt->signature)) __builtin_trap();
  // The header's own view of a key: an embedded JWK must be parsed safely too.
  if (const auto* jwk = jwt->header.if_contains("jwk"); jwk && jwk->is_object())
    (void)PublicKey::from_jwk(jwk->as_object());
  return 0;
}
