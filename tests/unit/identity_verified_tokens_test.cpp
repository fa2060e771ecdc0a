#include <gtest/gtest.h>

#include "identity/verified_tokens.h"

namespace tollgate::identity {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;
using std::chrono::system_clock;

Identity app(std::string id) {
  Identity identity;
  identity.auth_method = "jwt";
  identity.app_id = std::move(id);
  return identity;
}

TEST(VerifiedTokens, RemembersUntilExpiryOrMaxAge) {
  VerifiedTokens tokens;
  auto now = system_clock::from_time_t(1'800'000'000);
  tokens.remember("short", app("a"), now + seconds(30), now);
  tokens.remember("long", app("b"), now + minutes(60), now);
  ASSERT_NE(tokens.find("short", now + seconds(29)), nullptr);
  EXPECT_EQ(tokens.find("short", now + seconds(29))->app_id, "a");
  EXPECT_EQ(tokens.find("short", now + seconds(30)), nullptr);
  // However long the token lives, an entry lasts at most max_age.
  EXPECT_NE(tokens.find("long", now + minutes(4)), nullptr);
  EXPECT_EQ(tokens.find("long", now + VerifiedTokens::max_age), nullptr);
  EXPECT_EQ(tokens.find("unknown", now), nullptr);
}

TEST(VerifiedTokens, StaysBounded) {
  VerifiedTokens tokens;
  auto now = system_clock::from_time_t(1'800'000'000);
  for (std::size_t i = 0; i < VerifiedTokens::max_entries; ++i)
    tokens.remember("t" + std::to_string(i), app("a"), now + seconds(i < 10 ? 1 : 600), now);
  // Full: expired entries go first...
  tokens.remember("new", app("n"), now + seconds(600), now + seconds(2));
  EXPECT_NE(tokens.find("new", now + seconds(2)), nullptr);
  EXPECT_NE(tokens.find("t100", now + seconds(2)), nullptr);
  // ...and when every entry is live, the cache starts over.
  for (std::size_t i = 0; i < 20; ++i)
    tokens.remember("more" + std::to_string(i), app("m"), now + seconds(600), now + seconds(2));
  EXPECT_EQ(tokens.find("t100", now + seconds(2)), nullptr);
  EXPECT_NE(tokens.find("more19", now + seconds(2)), nullptr);
}

}  // namespace
}  // namespace tollgate::identity
