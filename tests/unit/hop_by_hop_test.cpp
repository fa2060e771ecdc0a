#include "http/hop_by_hop.h"

#include <gtest/gtest.h>

namespace tollgate::http {
namespace {

TEST(RemoveHopByHop, DropsConnectionAndTheHeadersItNames) {
  boost::beast::http::fields fields;
  fields.set("Connection", "keep-alive, X-Private-Hop");
  fields.set("X-Private-Hop", "1");
  fields.set("Keep-Alive", "timeout=5");
  fields.set("Transfer-Encoding", "chunked");
  fields.set("Upgrade", "h2c");
  fields.set("x-ms-region", "East US");
  fields.set("retry-after", "2");
  remove_hop_by_hop(fields);
  EXPECT_EQ(fields.count("Connection"), 0u);
  EXPECT_EQ(fields.count("X-Private-Hop"), 0u);
  EXPECT_EQ(fields.count("Keep-Alive"), 0u);
  EXPECT_EQ(fields.count("Transfer-Encoding"), 0u);
  EXPECT_EQ(fields.count("Upgrade"), 0u);
  EXPECT_EQ(fields["x-ms-region"], "East US");
  EXPECT_EQ(fields["retry-after"], "2");
}

}  // namespace
}  // namespace tollgate::http
