#include <gtest/gtest.h>

#include "sim/default_faults.h"
#include "sim/faults.h"

namespace tollgate::sim {
namespace {

TEST(SimFaults, NothingSetMeansNoFault) {
  Faults faults;
  ASSERT_FALSE(read_faults({}, SimOptions{}, faults));
  EXPECT_EQ(faults.status, 0);
  EXPECT_FALSE(faults.hang);
  EXPECT_FALSE(faults.reset_after);
  EXPECT_FALSE(faults.tokens);
  EXPECT_EQ(faults.delay.count(), 0);
}

TEST(SimFaults, HeadersWinOverOptions) {
  SimOptions options;
  options.ttft_ms = 100;
  options.token_delay_ms = 5;
  options.faults = {{"status", "503"}, {"retry-after", "2"}, {"tokens", "4"}};
  boost::beast::http::fields headers;
  headers.set("X-Sim-Status", "429");
  headers.set("x-sim-ttft-ms", "7");
  headers.set("x-sim-retry-after-ms", "1500");
  headers.set("x-sim-reset-after", "0");
  headers.set("x-sim-hang", "1");
  Faults faults;
  ASSERT_FALSE(read_faults(headers, options, faults));
  EXPECT_EQ(faults.status, 429);
  EXPECT_EQ(faults.retry_after, "2");
  EXPECT_EQ(faults.retry_after_ms, "1500");
  EXPECT_EQ(faults.ttft.count(), 7);
  EXPECT_EQ(faults.token_delay.count(), 5);
  EXPECT_EQ(faults.reset_after, 0);
  EXPECT_TRUE(faults.hang);
  EXPECT_EQ(faults.tokens, 4);
  EXPECT_EQ(faults.generation_time(3).count(), 7 + 2 * 5);
}

TEST(SimFaults, InvalidValuesAreNamed) {
  boost::beast::http::fields headers;
  headers.set("x-sim-delay-ms", "soon");
  Faults faults;
  auto error = read_faults(headers, SimOptions{}, faults);
  ASSERT_TRUE(error);
  EXPECT_NE(error->find("x-sim-delay-ms"), std::string::npos);

  headers.clear();
  headers.set("x-sim-status", "200");
  EXPECT_TRUE(read_faults(headers, SimOptions{}, faults));
}

TEST(SimFaults, OptionsAreCheckedAtStartup) {
  SimOptions options;
  EXPECT_FALSE(check_fault_options(options));
  options.faults = {{"status", "429"}};
  EXPECT_FALSE(check_fault_options(options));
  options.faults = {{"statu", "429"}};
  EXPECT_TRUE(check_fault_options(options));
  options.faults = {{"delay-ms", "-1"}};
  auto error = check_fault_options(options);
  ASSERT_TRUE(error);
  EXPECT_NE(error->find("--fault delay-ms"), std::string::npos);
}

TEST(SimFaults, DropIsAFlag) {
  boost::beast::http::fields headers;
  headers.set("x-sim-drop", "1");
  Faults faults;
  ASSERT_FALSE(read_faults(headers, SimOptions{}, faults));
  EXPECT_TRUE(faults.drop);
  headers.set("x-sim-drop", "2");
  EXPECT_TRUE(read_faults(headers, SimOptions{}, faults));
}

TEST(SimDefaultFaults, ReplacedAtRuntimeOnlyWhenValid) {
  SimOptions options;
  options.region = "east";
  options.faults = {{"status", "500"}};
  DefaultFaults defaults(options);
  auto before = defaults.current();
  EXPECT_EQ(defaults.json(), R"({"status":"500"})");

  EXPECT_TRUE(defaults.replace({{"status", "200"}}));  // not an error status
  EXPECT_TRUE(defaults.replace({{"stat", "429"}}));    // unknown
  EXPECT_EQ(defaults.current()->faults, before->faults);

  ASSERT_FALSE(defaults.replace({{"status", "429"}, {"retry-after", "2"}}));
  Faults faults;
  ASSERT_FALSE(read_faults({}, *defaults.current(), faults));
  EXPECT_EQ(faults.status, 429);
  EXPECT_EQ(faults.retry_after, "2");
  EXPECT_EQ(defaults.current()->region, "east");  // the rest of the options is kept
  EXPECT_EQ(before->faults.at("status"), "500");  // an earlier snapshot stays as it was

  ASSERT_FALSE(defaults.replace({}));
  ASSERT_FALSE(read_faults({}, *defaults.current(), faults));
  EXPECT_EQ(faults.status, 0);
}

TEST(SimFaults, ErrorsAreTypedLikeTheRealApi) {
  Faults faults;
  faults.status = 429;
  faults.retry_after = "3";
  ApiError limited = fault_error(faults);
  EXPECT_EQ(limited.status, 429);
  EXPECT_EQ(limited.code, "rate_limit_exceeded");
  EXPECT_NE(limited.message.find("retry after 3 seconds"), std::string::npos);
  faults.status = 503;
  EXPECT_EQ(fault_error(faults).type, "server_error");
  faults.status = 404;
  EXPECT_EQ(fault_error(faults).type, "invalid_request_error");
}

}  // namespace
}  // namespace tollgate::sim
