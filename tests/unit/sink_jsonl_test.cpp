#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <csignal>
#include <set>

#include "audit/sinks/jsonl_sink.h"
#include "sink_test_dir.h"

namespace tollgate::audit {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::system_clock;

// 2026-11-27T13:50:40Z
const Clock::time_point noon_ish = Clock::time_point(std::chrono::seconds(1'795'787'440));

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::size_t at = 0;
  for (std::size_t end; (end = text.find('\n', at)) != std::string::npos; at = end + 1)
    lines.push_back(text.substr(at, end - at));
  EXPECT_EQ(at, text.size()) << "the file ends in a partial line";
  return lines;
}

std::vector<std::string> events(int from, int count, std::size_t padding = 0) {
  std::vector<std::string> out;
  for (int i = from; i < from + count; ++i)
    out.push_back(R"({"event_id":"e)" + std::to_string(1000 + i) + R"(","pad":")" +
                  std::string(padding, 'x') + "\"}");
  return out;
}

std::string deliver(Sink& sink, const std::vector<std::string>& batch) {
  return sink.deliver(std::vector<std::string_view>(batch.begin(), batch.end()));
}

// The files of `dir` other than `live`, oldest rotation first (their names sort by time).
std::vector<std::filesystem::path> rotated(const std::filesystem::path& dir,
                                           const std::filesystem::path& live) {
  std::set<std::filesystem::path> names;
  for (const auto& entry : std::filesystem::directory_iterator(dir))
    if (entry.path() != live) names.insert(entry.path());
  return {names.begin(), names.end()};
}

TEST(JsonlSink, WritesEachEventAsOneLine) {
  TempDir dir;
  JsonlSink sink({.path = dir / "logs/events.jsonl"});  // creates the directory
  const std::vector<std::string> batch{
      R"({"event_id":"a","text":"one\ntwo"})",
      "{\n  \"event_id\": \"b\"\n}",  // pretty-printed: its newlines are whitespace
      R"({"event_id":"c","part":1,"parts":2,"data":"{\"x\":"})",
  };
  ASSERT_EQ(deliver(sink, batch), "");
  ASSERT_EQ(deliver(sink, {R"({"event_id":"d"})"}), "");
  auto lines = lines_of(read_file(dir / "logs/events.jsonl"));
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(lines[0], batch[0]);
  EXPECT_EQ(lines[1], "{   \"event_id\": \"b\" }");
  EXPECT_EQ(lines[2], batch[2]);  // a part is a line of its own, unchanged
  EXPECT_EQ(lines[3], R"({"event_id":"d"})");
}

TEST(JsonlSink, AppendsToTheFileItFindsAfterARestart) {
  TempDir dir;
  const auto path = dir / "events.jsonl";
  {
    JsonlSink sink({.path = path});
    ASSERT_EQ(deliver(sink, events(0, 2)), "");
  }
  JsonlSink sink({.path = path});
  ASSERT_EQ(deliver(sink, events(2, 2)), "");
  auto lines = lines_of(read_file(path));
  EXPECT_EQ(lines, events(0, 4));
}

TEST(JsonlSink, CutsOffALineTornByACrashBeforeAppending) {
  TempDir dir;
  const auto path = dir / "events.jsonl";
  const auto whole = events(0, 2);
  std::ofstream(path) << whole[0] << "\n"
                      << whole[1] << "\n"
                      << R"({"event_id":"e10)";
  JsonlSink sink({.path = path});
  ASSERT_EQ(deliver(sink, events(2, 1)), "");
  EXPECT_EQ(lines_of(read_file(path)), events(0, 3));

  std::ofstream(path, std::ios::trunc) << std::string(5000, 'x');  // no line ends at all
  JsonlSink again({.path = path});
  ASSERT_EQ(deliver(again, events(3, 1)), "");
  EXPECT_EQ(lines_of(read_file(path)), events(3, 1));
}

TEST(JsonlSink, RotatesBeforeABatchThatWouldPassTheSizeLimit) {
  TempDir dir;
  const auto path = dir / "events.jsonl";
  JsonlSink sink({.path = path, .rotate_bytes = 1000, .clock = [] { return noon_ish; }});
  const auto line_bytes = events(0, 1, 70)[0].size() + 1;
  ASSERT_EQ(line_bytes, 100u);
  for (int batch = 0; batch < 7; ++batch) ASSERT_EQ(deliver(sink, events(batch * 4, 4, 70)), "");

  // 28 lines of 100 bytes in batches of 400: two batches fit in 1000 bytes, a third would not.
  auto old = rotated(dir.path(), path);
  ASSERT_EQ(old.size(), 3u);
  EXPECT_EQ(old[0].filename(), "events.jsonl.20261127T135040Z");
  EXPECT_EQ(old[1].filename(), "events.jsonl.20261127T135040Z.0001");
  EXPECT_EQ(old[2].filename(), "events.jsonl.20261127T135040Z.0002");
  std::string all;
  for (const auto& file : old) {
    EXPECT_EQ(std::filesystem::file_size(file), 800u) << file;
    all += read_file(file);
  }
  EXPECT_EQ(std::filesystem::file_size(path), 400u);
  all += read_file(path);
  EXPECT_EQ(lines_of(all), events(0, 28, 70));  // every event once, in order
}

TEST(JsonlSink, ABatchLargerThanTheLimitStaysWhole) {
  TempDir dir;
  const auto path = dir / "events.jsonl";
  JsonlSink sink({.path = path, .rotate_bytes = 150});
  ASSERT_EQ(deliver(sink, events(0, 3, 70)), "");  // into the empty file, whole
  ASSERT_EQ(deliver(sink, events(3, 1, 70)), "");
  EXPECT_EQ(rotated(dir.path(), path).size(), 1u);
  EXPECT_EQ(lines_of(read_file(path)), events(3, 1, 70));
}

TEST(JsonlSink, RotatesAtEachIntervalBoundary) {
  TempDir dir;
  const auto path = dir / "events.jsonl";
  auto now = noon_ish;
  JsonlSink sink({.path = path, .rotate_interval = 24h, .clock = [&] { return now; }});
  ASSERT_EQ(deliver(sink, events(0, 1)), "");
  now += 10h;  // 23:50:40, the same day
  ASSERT_EQ(deliver(sink, events(1, 1)), "");
  EXPECT_TRUE(rotated(dir.path(), path).empty());
  now += 20min;  // 00:10:40 the next day
  ASSERT_EQ(deliver(sink, events(2, 1)), "");
  auto old = rotated(dir.path(), path);
  ASSERT_EQ(old.size(), 1u);
  EXPECT_EQ(old[0].filename(), "events.jsonl.20261128T001040Z");
  EXPECT_EQ(lines_of(read_file(old[0])), events(0, 2));
  EXPECT_EQ(lines_of(read_file(path)), events(2, 1));
}

TEST(JsonlSink, AFileLeftFromAnEarlierPeriodIsRotatedAfterARestart) {
  TempDir dir;
  const auto path = dir / "events.jsonl";
  {
    JsonlSink sink({.path = path});
    ASSERT_EQ(deliver(sink, events(0, 1)), "");
  }
  // The file was last written yesterday; the gateway starts again today.
  const timespec yesterday[2] = {{1'795'700'000, 0}, {1'795'700'000, 0}};
  ASSERT_EQ(::utimensat(AT_FDCWD, path.c_str(), yesterday, 0), 0);
  JsonlSink sink({.path = path, .rotate_interval = 24h, .clock = [] { return noon_ish; }});
  ASSERT_EQ(deliver(sink, events(1, 1)), "");
  EXPECT_EQ(rotated(dir.path(), path).size(), 1u);
  EXPECT_EQ(lines_of(read_file(path)), events(1, 1));
}

TEST(JsonlSink, IntervalZeroNeverRotatesByTime) {
  TempDir dir;
  const auto path = dir / "events.jsonl";
  auto now = noon_ish;
  JsonlSink sink({.path = path, .rotate_interval = 0s, .clock = [&] { return now; }});
  ASSERT_EQ(deliver(sink, events(0, 1)), "");
  now += 24h * 400;
  ASSERT_EQ(deliver(sink, events(1, 1)), "");
  EXPECT_TRUE(rotated(dir.path(), path).empty());
}

// Tests run as root, for whom permissions do not block writes: the outage is made by putting
// a regular file where the sink's directory was, which no user can write through.
TEST(JsonlSink, AnUnreachableDirectoryFailsTheBatchAndTheRetryWritesItOnce) {
  TempDir dir;
  const auto logs = dir / "logs";
  const auto path = logs / "events.jsonl";
  JsonlSink sink({.path = path});
  ASSERT_EQ(deliver(sink, events(0, 3)), "");

  std::filesystem::rename(logs, dir / "logs.away");
  std::ofstream(logs) << "not a directory";
  auto error = deliver(sink, events(3, 3));
  EXPECT_NE(error.find("cannot open " + path.string()), std::string::npos) << error;
  EXPECT_NE(deliver(sink, events(3, 3)), "");  // the worker retries; still down

  std::filesystem::remove(logs);
  std::filesystem::rename(dir / "logs.away", logs);
  ASSERT_EQ(deliver(sink, events(3, 3)), "");
  EXPECT_EQ(lines_of(read_file(path)), events(0, 6));
}

TEST(JsonlSink, AFileDeletedOrMovedFromOutsideIsStartedAgain) {
  TempDir dir;
  const auto path = dir / "events.jsonl";
  JsonlSink sink({.path = path});
  ASSERT_EQ(deliver(sink, events(0, 2)), "");
  std::filesystem::rename(path, dir / "moved.jsonl");  // logrotate without copytruncate
  ASSERT_EQ(deliver(sink, events(2, 2)), "");
  EXPECT_EQ(lines_of(read_file(dir / "moved.jsonl")), events(0, 2));
  EXPECT_EQ(lines_of(read_file(path)), events(2, 2));
  std::filesystem::remove(path);
  ASSERT_EQ(deliver(sink, events(4, 1)), "");
  EXPECT_EQ(lines_of(read_file(path)), events(4, 1));
}

// Lowers the file size limit, so that writes past it fail with EFBIG, and restores it.
class FileSizeLimit {
 public:
  explicit FileSizeLimit(rlim_t bytes) {
    ::getrlimit(RLIMIT_FSIZE, &saved_);
    previous_handler_ = std::signal(SIGXFSZ, SIG_IGN);  // else the process is killed
    rlimit lowered = saved_;
    lowered.rlim_cur = bytes;
    ::setrlimit(RLIMIT_FSIZE, &lowered);
  }
  ~FileSizeLimit() {
    ::setrlimit(RLIMIT_FSIZE, &saved_);
    std::signal(SIGXFSZ, previous_handler_);
  }

 private:
  rlimit saved_{};
  void (*previous_handler_)(int) = nullptr;
};

TEST(JsonlSink, ABatchThatFailsHalfWrittenIsCutOffTheFile) {
  TempDir dir;
  const auto path = dir / "events.jsonl";
  JsonlSink sink({.path = path});
  ASSERT_EQ(deliver(sink, events(0, 2)), "");
  const auto before = std::filesystem::file_size(path);
  {
    FileSizeLimit limit(before + 150);  // the next batch's first line fits, its second does not
    auto error = deliver(sink, events(2, 4, 70));
    EXPECT_NE(error.find("cannot write"), std::string::npos) << error;
    EXPECT_EQ(std::filesystem::file_size(path), before);
  }
  ASSERT_EQ(deliver(sink, events(2, 4, 70)), "");
  auto expected = events(0, 2);
  for (const auto& event : events(2, 4, 70)) expected.push_back(event);
  EXPECT_EQ(lines_of(read_file(path)), expected);
}

TEST(JsonlSink, RefusesAPathThatIsADirectory) {
  TempDir dir;
  std::filesystem::create_directory(dir / "events.jsonl");
  EXPECT_THROW(JsonlSink({.path = dir / "events.jsonl"}), std::runtime_error);
}

}  // namespace
}  // namespace tollgate::audit
