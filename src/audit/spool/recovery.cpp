#include "audit/spool/recovery.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <iterator>
#include <stdexcept>
#include <system_error>

#include "audit/spool/cursor_file.h"
#include "audit/spool/format.h"
#include "audit/spool/record_reader.h"
#include "audit/spool/segment_files.h"

namespace tollgate::audit::spool {

namespace {

[[noreturn]] void fail(std::error_code ec, const std::string& what) {
  throw std::system_error(ec, "spool: " + what);
}

void check_sink_names(const std::vector<std::string>& sinks) {
  for (auto it = sinks.begin(); it != sinks.end(); ++it) {
    if (!valid_sink_name(*it)) {
      throw std::invalid_argument("spool: sink name '" + *it +
                                  "' must be non-empty and use only A-Z a-z 0-9 . _ -");
    }
    if (std::find(sinks.begin(), it, *it) != it) {
      throw std::invalid_argument("spool: sink name '" + *it + "' is used twice");
    }
  }
}

std::map<std::uint64_t, std::uint64_t> list_segments(const std::filesystem::path& dir) {
  std::map<std::uint64_t, std::uint64_t> segments;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    if (auto segment = parse_segment_name(name)) {
      segments.emplace(*segment, entry.file_size());
    } else if (name.starts_with("cursor-") && name.ends_with(".tmp")) {
      // A cursor replacement that a crash interrupted; the cursor itself is intact.
      std::filesystem::remove(entry.path());
    }
  }
  return segments;
}

enum class Tail { clean, torn, damaged };

// Checks every record of the last segment. `end` becomes the end of the last intact record.
Tail scan_last_segment(const std::filesystem::path& path, std::uint64_t& end,
                       std::string& problem) {
  File file;
  if (auto ec = open_file(path, O_RDONLY, file)) fail(ec, "cannot open " + path.string());
  struct stat st {};
  if (::fstat(file.get(), &st) != 0) {
    fail({errno, std::system_category()}, "cannot stat " + path.string());
  }
  const auto size = static_cast<std::uint64_t>(st.st_size);
  RecordReader reader(std::move(file));
  std::string payload;
  end = 0;
  for (;;) {
    switch (reader.read(end, size, kMaxRecordBytes, payload, problem)) {
      case ReadStatus::ok:
        end += kHeaderBytes + payload.size();
        break;
      case ReadStatus::end:
        return Tail::clean;
      case ReadStatus::incomplete:
        return Tail::torn;
      case ReadStatus::damaged:
      case ReadStatus::over_budget:  // cannot happen: the budget is the maximum record size
        return Tail::damaged;
      case ReadStatus::io_error:
        fail(std::make_error_code(std::errc::io_error),
             "cannot read " + path.string() + ": " + problem);
    }
  }
}

// Brings the last segment to a state the writer can append to, and opens it.
void recover_last_segment(const std::filesystem::path& dir, RecoveredSpool& spool) {
  auto last = std::prev(spool.segments.end());
  const auto path = segment_path(dir, last->first);
  std::uint64_t end = 0;
  std::string problem;
  switch (scan_last_segment(path, end, problem)) {
    case Tail::clean:
      break;
    case Tail::torn: {
      // A crash in the middle of a write; the record was never acknowledged.
      spdlog::info("spool segment={} offset={} torn record at the tail ({}); truncated {} bytes",
                   last->first, end, problem, last->second - end);
      File file;
      if (auto ec = open_file(path, O_WRONLY, file)) fail(ec, "cannot open " + path.string());
      if (auto ec = truncate_file(file.get(), end)) fail(ec, "cannot truncate " + path.string());
      if (auto ec = sync_data(file.get())) fail(ec, "cannot sync " + path.string());
      last->second = end;
      break;
    }
    case Tail::damaged: {
      // Truncating would destroy whatever good records follow the damage, so the segment is
      // kept as it is (readers report and skip the damage) and appends go to a new one.
      spdlog::warn(
          "spool segment={} offset={} damaged ({}); the segment is kept and appends continue "
          "in segment {}",
          last->first, end, problem, last->first + 1);
      const std::uint64_t next = last->first + 1;
      if (auto ec = create_segment(dir, next, spool.active)) {
        fail(ec, "cannot create " + segment_path(dir, next).string());
      }
      spool.segments.emplace(next, 0);
      return;
    }
  }
  if (auto ec = open_file(path, O_WRONLY | O_APPEND, spool.active)) {
    fail(ec, "cannot open " + path.string());
  }
}

SpoolPosition starting_position(const std::string& sink, const LoadedCursor& cursor,
                                const std::map<std::uint64_t, std::uint64_t>& segments) {
  const SpoolPosition oldest{segments.begin()->first, 0};
  const SpoolPosition end{segments.rbegin()->first, segments.rbegin()->second};
  switch (cursor.state) {
    case CursorState::missing:
      spdlog::info("spool sink={} has no cursor yet; it starts at the oldest record", sink);
      return oldest;
    case CursorState::invalid:
      spdlog::warn(
          "spool sink={} cursor damaged; it starts again at the oldest record, so some events "
          "will be delivered twice",
          sink);
      return oldest;
    case CursorState::ok:
      break;
  }
  const SpoolPosition position = cursor.position;
  // Segments before the cursor are deleted once every sink has passed them.
  if (position.segment < oldest.segment) return oldest;
  if (position > end) {
    // The sink delivered records that the spool then lost: they were written but not yet
    // synced when the machine went down.
    spdlog::warn(
        "spool sink={} cursor={}:{} is past the end of the spool ({}:{}); it continues from "
        "the end",
        sink, position.segment, position.offset, end.segment, end.offset);
    return end;
  }
  const auto segment = segments.lower_bound(position.segment);
  if (segment->first != position.segment) return {segment->first, 0};
  if (position.offset > segment->second) {
    spdlog::warn(
        "spool sink={} cursor={}:{} is past the end of its segment ({} bytes); it continues "
        "from there",
        sink, position.segment, position.offset, segment->second);
    return {position.segment, segment->second};
  }
  return position;
}

}  // namespace

RecoveredSpool recover(const std::filesystem::path& dir, const std::vector<std::string>& sinks) {
  check_sink_names(sinks);
  std::filesystem::create_directories(dir);
  RecoveredSpool spool;
  spool.segments = list_segments(dir);
  if (spool.segments.empty()) {
    if (auto ec = create_segment(dir, 1, spool.active)) {
      fail(ec, "cannot create " + segment_path(dir, 1).string());
    }
    spool.segments.emplace(1, 0);
  } else {
    recover_last_segment(dir, spool);
  }
  for (const auto& sink : sinks) {
    spool.cursors.emplace(
        sink, starting_position(sink, load_cursor(cursor_path(dir, sink)), spool.segments));
  }
  return spool;
}

}  // namespace tollgate::audit::spool
