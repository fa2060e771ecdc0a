// The token pieces: base64url, JWT parsing, JWK keys and signatures.
#include <gtest/gtest.h>
#include <openssl/hmac.h>

#include "identity/base64url.h"
#include "identity/jwt.h"
#include "identity/public_key.h"
#include "identity_test_support.h"

namespace tollgate::identity {
namespace {

using testing::TestKey;
namespace json = boost::json;

PublicKey key_of(const json::object& jwk) {
  auto key = PublicKey::from_jwk(jwk);
  if (auto* why = std::get_if<std::string>(&key)) throw std::runtime_error(*why);
  return std::get<PublicKey>(key);
}

bool verifies(const PublicKey& key, const std::string& token) {
  auto parsed = parse_jwt(token);
  const auto& jwt = std::get<Jwt>(parsed);
  return key.verify(jwt.alg, jwt.signing_input, jwt.signature);
}

TEST(Base64Url, RoundTripsAndRefusesNonsense) {
  for (std::string text : {"", "f", "fo", "foo", "foob", "fooba", "foobar", "\xff\xfe\x00"}) {
    auto decoded = base64url_decode(base64url_encode(text));
    ASSERT_TRUE(decoded.has_value());
    EXPECT_EQ(*decoded, text);
  }
  EXPECT_EQ(base64url_encode("\xfb\xff"), "-_8");
  EXPECT_FALSE(base64url_decode("a").has_value());     // 6 bits: no encoder writes this
  EXPECT_FALSE(base64url_decode("ab==").has_value());  // padding
  EXPECT_FALSE(base64url_decode("a+b/").has_value());  // standard alphabet
}

TEST(Jwt, ParsesTheParts) {
  TestKey key("RSA", "k1");
  auto token = key.token("RS256", {{"sub", "x"}});
  auto parsed = parse_jwt(token);
  ASSERT_TRUE(std::holds_alternative<Jwt>(parsed));
  const auto& jwt = std::get<Jwt>(parsed);
  EXPECT_EQ(jwt.alg, "RS256");
  EXPECT_EQ(jwt.kid, "k1");
  EXPECT_EQ(jwt.claims.at("sub"), "x");
  EXPECT_EQ(jwt.signing_input, token.substr(0, token.rfind('.')));
  EXPECT_EQ(jwt.signature.size(), 256u);
}

TEST(Jwt, RefusesMalformedTokens) {
  auto reason = [](std::string_view token) {
    auto parsed = parse_jwt(token);
    return std::holds_alternative<std::string>(parsed) ? std::get<std::string>(parsed) : "";
  };
  auto part = [](std::string_view json) { return base64url_encode(json); };
  EXPECT_NE(reason("abc"), "");
  EXPECT_NE(reason("a.b.c.d.e"), "");  // JWE
  EXPECT_NE(reason("!!.e30.c2ln"), "");
  EXPECT_NE(reason(part("[1]") + ".e30.c2ln"), "");                        // header not an object
  EXPECT_NE(reason(part(R"({"alg":"RS256"})") + ".bm90anNvbg.c2ln"), "");  // payload not JSON
  EXPECT_NE(reason(part(R"({"alg":"RS256"})") + ".e30."), "");             // no signature
  EXPECT_NE(reason(part(R"({"typ":"JWT"})") + ".e30.c2ln"), "");           // no alg
  EXPECT_NE(reason(part(R"({"alg":"RS256","kid":7})") + ".e30.c2ln"), "");
  EXPECT_NE(reason(part(R"({"alg":"RS256","crit":["exp"]})") + ".e30.c2ln"), "");
  EXPECT_NE(reason(std::string(max_token_bytes + 1, 'a')), "");
  EXPECT_EQ(reason(part(R"({"alg":"RS256"})") + ".e30.c2ln"), "");
}

TEST(PublicKey, VerifiesEverySupportedAlgorithm) {
  TestKey rsa("RSA", "r"), p256("P-256", "e1"), p384("P-384", "e2");
  auto rsa_key = key_of(rsa.jwk());
  for (const char* alg : {"RS256", "RS384", "RS512", "PS256"})
    EXPECT_TRUE(verifies(rsa_key, rsa.token(alg, {{"n", 1}}))) << alg;
  EXPECT_TRUE(verifies(key_of(p256.jwk()), p256.token("ES256", {{"n", 1}})));
  EXPECT_TRUE(verifies(key_of(p384.jwk()), p384.token("ES384", {{"n", 1}})));
}

TEST(PublicKey, RefusesTamperedTokens) {
  TestKey rsa("RSA", "r");
  auto key = key_of(rsa.jwk());
  auto token = rsa.token("RS256", {{"sub", "alice"}});
  auto first = token.find('.'), second = token.rfind('.');
  // Another payload under the original signature.
  auto forged =
      token.substr(0, first + 1) + base64url_encode(R"({"sub":"mallory"})") + token.substr(second);
  EXPECT_FALSE(verifies(key, forged));
  // A flipped signature byte.
  auto signature = *base64url_decode(token.substr(second + 1));
  signature[10] ^= 1;
  EXPECT_FALSE(verifies(key, token.substr(0, second + 1) + base64url_encode(signature)));
  // Another key's signature.
  TestKey other("RSA", "r");
  EXPECT_FALSE(verifies(key, other.token("RS256", {{"sub", "alice"}})));
}

TEST(PublicKey, AlgorithmMustFitTheKey) {
  TestKey rsa("RSA", "r"), p256("P-256", "e");
  auto rsa_key = key_of(rsa.jwk());
  auto ec_key = key_of(p256.jwk());
  EXPECT_FALSE(rsa_key.accepts("ES256"));
  EXPECT_FALSE(ec_key.accepts("RS256"));
  EXPECT_FALSE(ec_key.accepts("ES384"));  // wrong curve
  EXPECT_FALSE(rsa_key.accepts("HS256"));
  EXPECT_FALSE(rsa_key.accepts("none"));
  // A key that names its algorithm allows only that one.
  auto jwk = rsa.jwk();
  jwk["alg"] = "RS256";
  auto pinned = key_of(jwk);
  EXPECT_TRUE(pinned.accepts("RS256"));
  EXPECT_FALSE(pinned.accepts("PS256"));
  EXPECT_FALSE(pinned.verify("PS256", "x", rsa.sign("PS256", "x")));
}

TEST(PublicKey, HmacWithThePublicKeyIsNotASignature) {
  // The alg-confusion attack: HS256 keyed with the RSA public key as bytes.
  TestKey rsa("RSA", "r");
  auto key = key_of(rsa.jwk());
  std::string input = base64url_encode(R"({"alg":"HS256","kid":"r"})") + "." +
                      base64url_encode(R"({"sub":"mallory"})");
  std::string secret = json::serialize(rsa.jwk());
  unsigned char mac[32];
  unsigned int length = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(input.data()), input.size(), mac, &length);
  EXPECT_FALSE(key.verify("HS256", input, std::string(reinterpret_cast<char*>(mac), length)));
}

TEST(PublicKey, RefusesUnusableJwks) {
  auto why = [](json::object jwk) {
    auto key = PublicKey::from_jwk(jwk);
    return std::holds_alternative<std::string>(key) ? std::get<std::string>(key) : "";
  };
  EXPECT_NE(why({{"kty", "oct"}, {"k", "c2VjcmV0"}}), "");
  EXPECT_NE(why({{"kty", "RSA"}, {"n", "AQAB"}}), "");  // no e
  EXPECT_NE(why(TestKey("RSA", "s", 1024).jwk()), "");  // too short
  auto enc = TestKey("RSA", "e").jwk();
  enc["use"] = "enc";
  EXPECT_NE(why(enc), "");
  auto ec = TestKey("P-256", "p").jwk();
  ec["x"] = base64url_encode(std::string(32, '\x01'));  // not on the curve
  EXPECT_NE(why(ec), "");
  auto curve = TestKey("P-256", "p").jwk();
  curve["crv"] = "P-521";
  EXPECT_NE(why(curve), "");
}

}  // namespace
}  // namespace tollgate::identity
