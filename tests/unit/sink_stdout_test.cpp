#include <gtest/gtest.h>

#include "audit/sinks/stdout_sink.h"
#include "sink_test_dir.h"

namespace tollgate::audit {
namespace {

TEST(StdoutSink, WritesOneLinePerEventAndFlushesEachBatch) {
  TempDir dir;
  std::FILE* out = std::fopen((dir / "out").c_str(), "w");
  ASSERT_NE(out, nullptr);
  StdoutSink sink(out);
  const std::vector<std::string_view> batch{R"({"event_id":"a"})", "{\n\"event_id\":\"b\"}"};
  ASSERT_EQ(sink.deliver(batch), "");
  // Flushed: readable before the stream is closed.
  EXPECT_EQ(read_file(dir / "out"), "{\"event_id\":\"a\"}\n{ \"event_id\":\"b\"}\n");
  std::fclose(out);
}

TEST(StdoutSink, ReportsAStreamThatCannotBeWritten) {
  std::FILE* in = std::fopen("/dev/null", "r");
  ASSERT_NE(in, nullptr);
  StdoutSink sink(in);
  EXPECT_NE(sink.deliver({R"({"event_id":"a"})"}), "");
  std::fclose(in);
}

}  // namespace
}  // namespace tollgate::audit
