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
            "postgres, kafka, http and eventhubs_http)");
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

const char* connection =
    "Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=k;"
    "SharedAccessKey=very-secret;EntityPath=audit";

TEST(MakeSink, ChecksTheHttpSinksSettings) {
  // Built without contacting the server.
  EXPECT_EQ(problem(sink("http", {{"url", "https://logs.example.com/ingest?source=tollgate"},
                                  {"headers.Authorization", "Bearer x"},
                                  {"timeout_ms", "500"},
                                  {"retries", "0"},
                                  {"backoff_ms", "10"},
                                  {"max_batch_bytes", "65536"}})),
            "");
  EXPECT_EQ(problem(sink("http", {{"url", "ftp://x"}})),
            "http sink: setting 'url': must be an absolute http:// or https:// URL");
  EXPECT_EQ(problem(sink("http", {{"url", "http://x"}, {"headers.Bad Name", "v"}})),
            "http sink: setting 'headers.Bad Name': is not a valid header name");
  EXPECT_EQ(problem(sink("http", {{"url", "http://x"}, {"headers.X-Token", "a\r\nHost: evil"}})),
            "http sink: setting 'headers.X-Token': must be a single line");
  EXPECT_EQ(problem(sink("http", {{"url", "http://x"}, {"headers.Content-Type", "text/plain"}})),
            "http sink: setting 'headers.Content-Type': is set by the sink itself");
  EXPECT_EQ(problem(sink("http", {{"url", "http://x"}, {"ca_file", "/nonexistent/ca.pem"}})),
            "http sink: setting 'ca_file': cannot read '/nonexistent/ca.pem'");
  EXPECT_NE(problem(sink("http", {{"url", "http://x"}, {"header", "x"}})).find("header"),
            std::string::npos);

  auto eventhubs = [](std::map<std::string, std::string> settings, std::size_t max_event_bytes) {
    auto config = sink("eventhubs_http", std::move(settings));
    config.max_event_bytes = max_event_bytes;
    return problem(config);
  };
  EXPECT_EQ(eventhubs({{"connection_string", connection}}, 400'000), "");
  EXPECT_EQ(
      eventhubs({{"connection_string", connection}, {"endpoint", "https://127.0.0.1:1"}}, 400'000),
      "");
  // The default 1 MiB events cannot fit a 1 MB batch.
  EXPECT_EQ(eventhubs({{"connection_string", connection}}, 1 << 20),
            "eventhubs_http sink: setting 'max_event_bytes': must be at most 499993 for batches "
            "of 1000000 bytes (an event escaped into a batch may take twice its size); oversize: "
            "split keeps larger events whole, in parts");
  EXPECT_EQ(eventhubs({{"connection_string", connection}, {"hub", "other"}}, 4096),
            "eventhubs_http sink: setting 'hub': differs from the connection string's EntityPath");
  auto message =
      eventhubs({{"connection_string", "Endpoint=sb://ns/;SharedAccessKey=very-secret"}}, 4096);
  EXPECT_NE(message.find("setting 'connection_string'"), std::string::npos) << message;
  EXPECT_EQ(message.find("very-secret"), std::string::npos) << message;
}

}  // namespace
}  // namespace tollgate::audit
