// The pieces of the http and eventhubs_http sinks that need no server: SAS tokens (checked
// against a token computed independently with Python's hmac and urllib), keys from connection
// strings, token renewal and request sizing (their settings: sink_factory_test.cpp). The sinks'
// requests are tested against loopback servers in tests/integration/test_http_sinks.py.
#include <gtest/gtest.h>

#include "audit/sinks/event_hubs.h"
#include "audit/sinks/http_delivery.h"
#include "audit/sinks/sas_token.h"

namespace tollgate::audit {
namespace {

TEST(SasToken, MatchesTheDocumentedSignature) {
  // python3: sr = quote(uri, safe=''); sig = b64(hmac(key, sr + '\n' + se, sha256))
  EXPECT_EQ(sas_token("https://contoso-ns.servicebus.windows.net/audit", "send-only",
                      "c2VjcmV0LWtleS1mb3ItdGVzdHM+Pz8/", 1767225600),
            "SharedAccessSignature "
            "sr=https%3A%2F%2Fcontoso-ns.servicebus.windows.net%2Faudit"
            "&sig=Ubxgx5t0kPFbX9hNJDZdny96fkjOsN84s%2F6JWuv769w%3D&se=1767225600&skn=send-only");
}

TEST(SasToken, UrlEncodingKeepsOnlyUnreservedCharacters) {
  EXPECT_EQ(url_encode("AZaz09-._~"), "AZaz09-._~");
  EXPECT_EQ(url_encode("a b+/=:?&%\n\xc3\xa9"), "a%20b%2B%2F%3D%3A%3F%26%25%0A%C3%A9");
}

TEST(SasToken, KeysFromConnectionStrings) {
  auto connection = parse_event_hubs_connection(
      "Endpoint=sb://contoso-ns.servicebus.windows.net/;SharedAccessKeyName=send-only;"
      "SharedAccessKey=abc+/def==;EntityPath=audit");
  EXPECT_EQ(connection.host, "contoso-ns.servicebus.windows.net");
  EXPECT_EQ(connection.key_name, "send-only");
  EXPECT_EQ(connection.key, "abc+/def==");  // a base64 key keeps its '='
  EXPECT_EQ(connection.entity_path, "audit");
  try {
    parse_event_hubs_connection("Endpoint=sb://ns/;SharedAccessKey=secret-value");
    FAIL() << "a key without its name was accepted";
  } catch (const std::runtime_error& e) {
    EXPECT_EQ(std::string(e.what()).find("secret-value"), std::string::npos) << e.what();
  }
}

TEST(SasToken, RenewedWhenHalfItsLifetimeIsGone) {
  using namespace std::chrono;
  SasSigner signer("https://ns/hub", "k", "key", seconds(3600));
  const system_clock::time_point start{seconds(1'800'000'000)};
  const std::string first = signer.token(start);
  EXPECT_NE(first.find("&se=1800003600&"), std::string::npos) << first;
  EXPECT_EQ(signer.token(start + seconds(1799)), first);
  const std::string second = signer.token(start + seconds(1800));
  EXPECT_NE(second, first);
  EXPECT_NE(second.find("&se=1800005400&"), std::string::npos) << second;
}

TEST(HttpDelivery, RunsStayWithinTheSizeAndKeepOrder) {
  using Runs = std::vector<std::pair<std::size_t, std::size_t>>;
  EXPECT_EQ(runs_within({}, 100, 0), Runs{});
  EXPECT_EQ(runs_within({10, 20, 30, 40}, 100, 0), (Runs{{0, 4}}));
  EXPECT_EQ(runs_within({10, 20, 30, 40}, 99, 0), (Runs{{0, 3}, {3, 4}}));
  EXPECT_EQ(runs_within({10, 20, 30, 40}, 99, 2), (Runs{{0, 3}, {3, 4}}));
  EXPECT_EQ(runs_within({10, 20, 30, 40}, 60, 1), (Runs{{0, 2}, {2, 3}, {3, 4}}));
  // Too large for any run: alone.
  EXPECT_EQ(runs_within({10, 500, 10}, 100, 0), (Runs{{0, 1}, {1, 2}, {2, 3}}));
}

}  // namespace
}  // namespace tollgate::audit
