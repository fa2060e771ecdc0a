#include <gtest/gtest.h>

#include "audit/sink.h"
#include "sink_test_dir.h"

namespace tollgate::audit {
namespace {

// The message make_sink throws for `config`, or "" if it builds the sink.
std::string problem(const SinkConfig& config) {
  try {
    make_sink(config);
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "";
}

SinkConfig sink(std::string type, std::map<std::string, std::string> settings,
                std::string name = "") {
  SinkConfig config;
  config.type = std::move(type);
  config.name = name.empty() ? config.type : std::move(name);
  config.settings = std::move(settings);
  return config;
}

TEST(MakeSink, BuildsEachType) {
  TempDir dir;
  EXPECT_EQ(problem(sink("jsonl", {{"path", (dir / "events.jsonl").string()},
                                   {"rotate_bytes", "1048576"},
                                   {"rotate_interval_s", "0"}})),
            "");
  EXPECT_EQ(problem(sink("sqlite", {{"path", (dir / "audit.db").string()},
                                    {"busy_timeout_ms", "100"},
                                    {"synchronous", "full"}})),
            "");
  EXPECT_EQ(problem(sink("stdout", {})), "");
}

TEST(MakeSink, NamesTheSinkAndTheSettingInEachProblem) {
  TempDir dir;
  const auto path = (dir / "x").string();
  EXPECT_EQ(problem(sink("jsonl", {})), "jsonl sink: setting 'path': is required");
  EXPECT_EQ(problem(sink("jsonl", {{"path", path}, {"rotate_bytes", "10MB"}}, "archive")),
            "jsonl sink 'archive': setting 'rotate_bytes': must be a whole number from 4096 to "
            "9223372036854775807, not '10MB'");
  EXPECT_EQ(problem(sink("jsonl", {{"path", path}, {"rotate_interval_s", "-1"}}))
                .find("jsonl sink: setting 'rotate_interval_s': must be a whole number"),
            0u);
  EXPECT_EQ(problem(sink("jsonl", {{"path", path}, {"rotate_byte", "4096"}})),
            "jsonl sink: setting 'rotate_byte': is not a setting of this sink (it takes: path, "
            "rotate_bytes, rotate_interval_s)");
  EXPECT_EQ(problem(sink("sqlite", {{"path", path}, {"synchronous", "off"}})),
            "sqlite sink: setting 'synchronous': must be one of normal, full, not 'off'");
  EXPECT_EQ(problem(sink("stdout", {{"path", path}})),
            "stdout sink: setting 'path': is not a setting of this sink, which takes none");
  EXPECT_EQ(problem(sink("nats", {}, "stream")),
            "audit sink 'stream': unknown type 'nats' (the types are jsonl, sqlite, stdout, "
            "postgres and kafka)");
}

TEST(MakeSink, RefusesTheApimFormatForSqlite) {
  TempDir dir;
  auto config = sink("sqlite", {{"path", (dir / "audit.db").string()}});
  config.format = SinkConfig::Format::apim;
  EXPECT_NE(problem(config).find("sqlite sink: setting 'format'"), std::string::npos);
}

TEST(MakeSink, NamesTheSinkWhoseDestinationCannotBeOpened) {
  TempDir dir;
  std::ofstream(dir / "file") << "a regular file, not a directory";
  auto jsonl = problem(sink("jsonl", {{"path", (dir / "file/events.jsonl").string()}}, "files"));
  EXPECT_EQ(jsonl.find("jsonl sink 'files': cannot open"), 0u) << jsonl;
  auto sqlite = problem(sink("sqlite", {{"path", (dir / "file/audit.db").string()}}));
  EXPECT_EQ(sqlite.find("sqlite sink: "), 0u) << sqlite;
}

}  // namespace
}  // namespace tollgate::audit
