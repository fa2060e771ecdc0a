#include "audit/sinks/sqlite_sink.h"

#include <fmt/format.h>
#include <simdjson.h>
#include <spdlog/spdlog.h>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <type_traits>
#include <variant>
#include <vector>

#include "audit/sinks/call_columns.h"
#include "audit/sinks/content_id.h"
#include "audit/sinks/sqlite_db.h"
#include "audit/sinks/sqlite_schema.h"

namespace tollgate::audit {

namespace {

using simdjson::dom::element;

constexpr std::string_view insert_event_sql =
    "INSERT OR IGNORE INTO events (event_id, message_id, event_type, time, part, parts, body) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
constexpr std::string_view select_parts_sql =
    "SELECT body FROM events WHERE event_id = ?1 AND part BETWEEN 1 AND ?2 ORDER BY part";
// Parts carry no time of their own; the joined event gives it to them.
constexpr std::string_view set_parts_time_sql =
    "UPDATE events SET time = ?2 WHERE event_id = ?1 AND time IS NULL";

// One event's upsert of its call's row (call_columns.h), with ?1 the message id.
std::string upsert_sql(EventSide side) {
  std::string values = "(?1";
  for (std::size_t index = 2; index <= call_columns().size() + 1; ++index)
    values += fmt::format(", ?{}", index);
  return call_upsert_sql(side, values + ")");
}

std::optional<std::string_view> string_member(element object, std::string_view key) {
  std::string_view value;
  if (object[key].get(value) != simdjson::SUCCESS) return std::nullopt;
  return value;
}

void bind_optional(Statement& statement, int index, std::optional<std::string_view> text) {
  if (text)
    statement.bind_text(index, *text);
  else
    statement.bind_null(index);
}

// Binds a call's value as the SQLite value of the same type; the column's declared type
// (INTEGER, REAL, TEXT) then stores it as such.
void bind_value(Statement& statement, int index, const CallValue& value) {
  std::visit(
      [&](const auto& v) {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::monostate>)
          statement.bind_null(index);
        else if constexpr (std::is_same_v<T, std::string_view>)
          statement.bind_text(index, v);
        else if constexpr (std::is_same_v<T, double>)
          statement.bind_real(index, v);
        else if constexpr (std::is_same_v<T, bool>)
          statement.bind_int(index, v ? 1 : 0);
        else
          statement.bind_int(index, v);
      },
      value);
}

std::unique_ptr<Database> open_database(const SqliteOptions& options) {
  const std::filesystem::path path(options.path);
  if (path.has_parent_path()) {
    std::error_code ignored;  // a directory that cannot be made shows up as the open failing
    std::filesystem::create_directories(path.parent_path(), ignored);
  }
  auto db = std::make_unique<Database>(options.path);
  db->set_busy_timeout(static_cast<int>(options.busy_timeout.count()));
  // WAL lets reports read while the sink writes, and makes a commit one append to the log.
  if (auto mode = db->query_text("PRAGMA journal_mode = WAL"); mode != "wal")
    throw std::runtime_error(fmt::format(
        "the database cannot use WAL mode (it stays in {} mode); keep it on a local disk", mode));
  db->exec(options.synchronous == SqliteOptions::Synchronous::full ? "PRAGMA synchronous = FULL"
                                                                   : "PRAGMA synchronous = NORMAL");
  migrate(*db);
  return db;
}

class SqliteSink final : public Sink {
 public:
  explicit SqliteSink(const SqliteOptions& options)
      : path_(options.path),
        db_(open_database(options)),
        insert_event_(*db_, insert_event_sql),
        select_parts_(*db_, select_parts_sql),
        set_parts_time_(*db_, set_parts_time_sql),
        upsert_request_(*db_, upsert_sql(EventSide::request)),
        upsert_response_(*db_, upsert_sql(EventSide::response)) {}

  std::string deliver(const std::vector<std::string_view>& events) override {
    split_.clear();
    unreadable_ = 0;
    try {
      db_->exec("BEGIN IMMEDIATE");
      for (std::string_view event : events) store(event);
      for (const auto& split : split_) join(split);
      db_->exec("COMMIT");
    } catch (const SqliteError& e) {
      db_->rollback();
      return fmt::format("cannot store events in {}: {}", path_, e.what());
    }
    // Counted, never shown: an event's text may hold prompts.
    if (unreadable_ > 0)
      spdlog::warn("sqlite sink {}: {} events were not readable audit JSON; kept raw in events",
                   path_, unreadable_);
    return {};
  }

 private:
  // A split event whose parts this batch stored: joined once the batch's parts are in.
  struct Split {
    std::string event_id;
    std::int64_t parts;
  };

  void store(std::string_view text) {
    element event;
    if (parser_.parse(text.data(), text.size()).get(event) != simdjson::SUCCESS)
      return store_unreadable(text);
    auto event_id = string_member(event, "event_id");
    if (!event_id || event_id->empty()) return store_unreadable(text);
    if (event["part"].error() == simdjson::NO_SUCH_FIELD) {
      insert(*event_id, event, 0, std::nullopt, text);
      apply(event);
      return;
    }
    std::int64_t part = 0;
    std::int64_t parts = 0;
    std::string_view data;
    if (event["part"].get(part) != simdjson::SUCCESS ||
        event["parts"].get(parts) != simdjson::SUCCESS ||
        event["data"].get(data) != simdjson::SUCCESS || part < 1 || part > parts)
      return store_unreadable(text);
    insert(*event_id, event, part, parts, data);
    if (split_.empty() || split_.back().event_id != *event_id)
      split_.push_back({std::string(*event_id), parts});
  }

  void insert(std::string_view event_id, element event, std::int64_t part,
              std::optional<std::int64_t> parts, std::string_view body) {
    insert_event_.bind_text(1, event_id);
    bind_optional(insert_event_, 2, string_member(event, "message_id"));
    bind_optional(insert_event_, 3, string_member(event, "event_type"));
    bind_optional(insert_event_, 4, string_member(event, "time"));
    insert_event_.bind_int(5, part);
    if (parts)
      insert_event_.bind_int(6, *parts);
    else
      insert_event_.bind_null(6);
    insert_event_.bind_text(7, body);
    insert_event_.run();
  }

  void store_unreadable(std::string_view text) {
    ++unreadable_;
    const std::string id = content_id(text);
    insert_event_.bind_text(1, id);
    for (int index : {2, 3, 4, 6}) insert_event_.bind_null(index);
    insert_event_.bind_int(5, 0);
    insert_event_.bind_text(7, text);
    insert_event_.run();
  }

  // Joins a split event back if all its parts are stored, and applies it to `calls`. Joining
  // again on a later delivery finds the same parts and applies the same values.
  void join(const Split& split) {
    select_parts_.bind_text(1, split.event_id);
    select_parts_.bind_int(2, split.parts);
    std::string whole;
    std::int64_t found = 0;
    while (select_parts_.step()) {
      whole += select_parts_.column_text(0);
      ++found;
    }
    if (found != split.parts) return;  // the rest come in a later batch
    element event;
    if (parser_.parse(whole).get(event) != simdjson::SUCCESS) {
      ++unreadable_;  // its parts stay stored as they came
      return;
    }
    apply(event);
    if (auto time = string_member(event, "time")) {
      set_parts_time_.bind_text(1, split.event_id);
      set_parts_time_.bind_text(2, *time);
      set_parts_time_.run();
    }
  }

  // Upserts the call's row from a whole request or response event.
  void apply(element event) {
    auto facts = read_call(event);
    if (!facts) return;
    Statement& upsert = facts->side == EventSide::request ? upsert_request_ : upsert_response_;
    upsert.bind_text(1, facts->message_id);
    int index = 2;
    for (const auto& value : facts->values) bind_value(upsert, index++, value);
    upsert.run();
  }

  const std::string path_;
  const std::unique_ptr<Database> db_;
  Statement insert_event_;
  Statement select_parts_;
  Statement set_parts_time_;
  Statement upsert_request_;
  Statement upsert_response_;
  simdjson::dom::parser parser_;
  std::vector<Split> split_;  // per batch
  std::size_t unreadable_ = 0;
};

}  // namespace

std::unique_ptr<Sink> open_sqlite_sink(const SqliteOptions& options) {
  try {
    return std::make_unique<SqliteSink>(options);
  } catch (const std::runtime_error& e) {  // SqliteError, or a schema or WAL problem
    throw std::runtime_error(fmt::format("{}: {}", options.path, e.what()));
  }
}

}  // namespace tollgate::audit
