#include "audit/sinks/postgres_sink.h"

#include <fmt/format.h>
#include <simdjson.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <type_traits>
#include <variant>
#include <vector>

#include "audit/sinks/call_columns.h"
#include "audit/sinks/content_id.h"
#include "audit/sinks/postgres_connection.h"
#include "audit/sinks/postgres_schema.h"

namespace tollgate::audit {

namespace {

using simdjson::dom::element;
using Text = std::optional<std::string>;

// PostgreSQL takes at most 65535 parameters per statement; rows are sent in chunks below that.
constexpr std::size_t rows_per_statement = 1000;

struct EventRow {
  std::string event_id;
  int part = 0;
  std::optional<int> parts;
  Text message_id, event_type, time, format;
  Text body;  // jsonb
  Text raw;   // bytea, when body cannot be
};

struct CallRow {
  EventSide side;
  std::string message_id;
  std::vector<Text> values;  // one per call_columns()
};

// A split event whose parts this batch brought: joined once its parts are all stored.
struct Split {
  std::string event_id;
  int parts;
};

struct Batch {
  std::vector<EventRow> events;
  std::vector<CallRow> calls;
  std::vector<Split> splits;
  std::size_t unreadable = 0;
};

Text member_text(element object, std::string_view key) {
  std::string_view value;
  if (object[key].get(value) != simdjson::SUCCESS) return std::nullopt;
  return std::string(value);
}

Text lowercase(Text text) {
  if (text)
    std::transform(text->begin(), text->end(), text->begin(), [](unsigned char c) {
      return static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    });
  return text;
}

Text as_text(const CallValue& value) {
  return std::visit(
      [](const auto& v) -> Text {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::monostate>)
          return std::nullopt;
        else if constexpr (std::is_same_v<T, std::string_view>)
          return std::string(v);
        else if constexpr (std::is_same_v<T, bool>)
          return std::string(v ? "true" : "false");
        else
          return fmt::format("{}", v);  // shortest text that reads back as the same number
      },
      value);
}

std::optional<CallRow> call_row(element event) {
  auto facts = read_call(event);
  if (!facts) return std::nullopt;
  CallRow row{facts->side, std::string(facts->message_id), {}};
  row.values.reserve(facts->values.size());
  for (const auto& value : facts->values) row.values.push_back(as_text(value));
  return row;
}

// jsonb refuses the NUL character (the escape \u0000) in strings; such an event is kept as
// bytes. An escaped backslash followed by "u0000" is ordinary text.
bool jsonb_can_hold(std::string_view text) {
  for (auto at = text.find("u0000"); at != std::string_view::npos;
       at = text.find("u0000", at + 1)) {
    std::size_t backslashes = 0;
    while (backslashes < at && text[at - 1 - backslashes] == '\\') ++backslashes;
    if (backslashes % 2 == 1) return false;
  }
  return true;
}

// Reads one payload into its rows. `parser` is reused across payloads.
void read_event(std::string_view text, simdjson::dom::parser& parser, Batch& batch) {
  auto unreadable = [&] {
    ++batch.unreadable;
    EventRow row;
    row.event_id = content_id(text);
    row.raw = std::string(text);
    batch.events.push_back(std::move(row));
  };
  element event;
  if (parser.parse(text.data(), text.size()).get(event) != simdjson::SUCCESS || !event.is_object())
    return unreadable();
  EventRow row;
  const bool apim = event["event-type"].error() != simdjson::NO_SUCH_FIELD;
  if (apim) {
    row.format = "apim";
    row.message_id = member_text(event, "message-id");
    row.event_type = lowercase(member_text(event, "event-type"));
    if (!row.message_id || !row.event_type) return unreadable();
    row.event_id = fmt::format("apim:{}:{}", *row.message_id, *row.event_type);
  } else {
    row.format = "typed";
    auto event_id = member_text(event, "event_id");
    if (!event_id || event_id->empty()) return unreadable();
    row.event_id = std::move(*event_id);
    row.message_id = member_text(event, "message_id");
    row.event_type = member_text(event, "event_type");
  }
  if (event["part"].error() != simdjson::NO_SUCH_FIELD) {
    std::int64_t part = 0, parts = 0;
    std::string_view data;
    if (event["part"].get(part) != simdjson::SUCCESS ||
        event["parts"].get(parts) != simdjson::SUCCESS ||
        event["data"].get(data) != simdjson::SUCCESS || part < 1 || part > parts ||
        parts > 1'000'000)
      return unreadable();
    row.part = static_cast<int>(part);
    row.parts = static_cast<int>(parts);
    if (batch.splits.empty() || batch.splits.back().event_id != row.event_id)
      batch.splits.push_back({row.event_id, row.parts.value()});
  } else {
    row.time = member_text(event, apim ? "event-time" : "time");
    if (auto call = call_row(event)) batch.calls.push_back(std::move(*call));
  }
  if (jsonb_can_hold(text))
    row.body = std::string(text);
  else
    row.raw = std::string(text);
  batch.events.push_back(std::move(row));
}

// "($1, $2, ...), (...)" for `rows` rows of `columns` parameters.
std::string placeholders(std::size_t rows, std::size_t columns) {
  std::string out;
  std::size_t next = 1;
  for (std::size_t row = 0; row < rows; ++row) {
    out += row == 0 ? "(" : ", (";
    for (std::size_t column = 0; column < columns; ++column)
      out += fmt::format("{}${}", column == 0 ? "" : ", ", next++);
    out += ")";
  }
  return out;
}

constexpr std::string_view event_columns =
    "event_id, part, parts, message_id, event_type, time, format, body, raw";
constexpr std::size_t event_column_count = 9;

void add_event_params(const EventRow& row, std::vector<PgParam>& params) {
  params.push_back({row.event_id});
  params.push_back({std::to_string(row.part)});
  params.push_back({row.parts ? Text(std::to_string(*row.parts)) : std::nullopt});
  params.push_back({row.message_id});
  params.push_back({row.event_type});
  params.push_back({row.time});
  params.push_back({row.format});
  params.push_back({row.body});
  params.push_back({row.raw, true});
}

void add_call_params(const CallRow& row, std::vector<PgParam>& params) {
  params.push_back({row.message_id});
  for (const auto& value : row.values) params.push_back({value});
}

class PostgresSink final : public Sink {
 public:
  explicit PostgresSink(const PostgresOptions& options)
      : dsn_(options.dsn), label_(dsn_label(options.dsn)) {}

  std::string deliver(const std::vector<std::string_view>& events) override {
    Batch batch;
    for (std::string_view text : events) read_event(text, parser_, batch);
    try {
      connect();
      try {
        write(batch, false);
      } catch (const PgError& e) {
        // Data PostgreSQL refuses (an unusual string, a number out of range) must not block
        // the whole batch forever: it is written again one row at a time.
        if (!e.data_exception() || !db_ || !db_->ok()) throw;
        // SQLSTATE only: PostgreSQL's message may quote the data, prompts included.
        spdlog::warn(
            "postgres sink {}: the batch holds data PostgreSQL refuses (SQLSTATE {}); "
            "writing it row by row",
            label_, e.sqlstate());
        db_->rollback();
        write(batch, true);
      }
    } catch (const std::exception& e) {  // PgError, or a schema newer than this code
      if (db_ && db_->ok())
        db_->rollback();
      else
        db_.reset();  // lost: the next delivery connects again
      return fmt::format("cannot store events in PostgreSQL at {}: {}", label_, e.what());
    }
    // Counted, never shown: an event's text may hold prompts.
    if (batch.unreadable > 0)
      spdlog::warn("postgres sink {}: {} events were not readable audit JSON; kept raw in events",
                   label_, batch.unreadable);
    if (refused_ > 0)
      spdlog::warn("postgres sink {}: PostgreSQL refused {} rows as they were; events kept raw",
                   label_, refused_);
    return {};
  }

 private:
  void connect() {
    if (db_) return;
    auto db = std::make_unique<PgConnection>(dsn_);
    migrate(*db);
    db_ = std::move(db);
    spdlog::info("postgres sink connected to {} (schema version {})", label_,
                 postgres_schema_version);
  }

  // One transaction for the batch. `careful`: each row in its own savepoint, so that a row
  // PostgreSQL refuses is kept raw (an event) or left out (its call's values), not fatal.
  void write(Batch& batch, bool careful) {
    refused_ = 0;
    // Rows in key order, so that concurrent writers lock shared rows in the same order.
    std::sort(batch.events.begin(), batch.events.end(), [](const auto& a, const auto& b) {
      return std::tie(a.event_id, a.part) < std::tie(b.event_id, b.part);
    });
    db_->exec("BEGIN");
    if (careful) {
      for (auto& row : batch.events) insert_event_carefully(row);
    } else {
      for (std::size_t at = 0; at < batch.events.size(); at += rows_per_statement) {
        const std::size_t count = std::min(rows_per_statement, batch.events.size() - at);
        std::vector<PgParam> params;
        params.reserve(count * event_column_count);
        for (std::size_t i = at; i < at + count; ++i) add_event_params(batch.events[i], params);
        db_->query(fmt::format("INSERT INTO events ({}) VALUES {} ON CONFLICT DO NOTHING",
                               event_columns, placeholders(count, event_column_count)),
                   params);
      }
    }
    for (const auto& split : batch.splits) join(split, batch);
    for (EventSide side : {EventSide::request, EventSide::response}) upsert(batch, side, careful);
    db_->exec("COMMIT");
  }

  void insert_event_carefully(EventRow& row) {
    db_->exec("SAVEPOINT event");
    try {
      std::vector<PgParam> params;
      add_event_params(row, params);
      db_->query(fmt::format("INSERT INTO events ({}) VALUES {} ON CONFLICT DO NOTHING",
                             event_columns, placeholders(1, event_column_count)),
                 params);
    } catch (const PgError& e) {
      if (!e.data_exception()) throw;
      db_->exec("ROLLBACK TO SAVEPOINT event");
      ++refused_;
      if (row.body) row.raw = std::move(row.body);
      row.body.reset();
      row.time.reset();
      std::vector<PgParam> params;
      add_event_params(row, params);
      db_->query(fmt::format("INSERT INTO events ({}) VALUES {} ON CONFLICT DO NOTHING",
                             event_columns, placeholders(1, event_column_count)),
                 params);
    }
    db_->exec("RELEASE SAVEPOINT event");
  }

  // Joins a split event back if all its parts are stored, and applies it to `calls`.
  // Joining again on a later delivery finds the same parts and applies the same values.
  void join(const Split& split, Batch& batch) {
    auto rows = db_->query(
        "SELECT body->>'data' FROM events WHERE event_id = $1 AND part BETWEEN 1 AND $2 "
        "AND body IS NOT NULL ORDER BY part",
        {{split.event_id}, {std::to_string(split.parts)}});
    if (rows.size() != static_cast<std::size_t>(split.parts)) return;  // more in a later batch
    std::string whole;
    for (const auto& row : rows) whole += row[0].value_or("");
    element event;
    if (parser_.parse(whole).get(event) != simdjson::SUCCESS) {
      ++batch.unreadable;  // its parts stay stored as they came
      return;
    }
    const bool apim = event["event-type"].error() != simdjson::NO_SUCH_FIELD;
    if (auto time = member_text(event, apim ? "event-time" : "time"))
      db_->query("UPDATE events SET time = $2 WHERE event_id = $1 AND time IS NULL",
                 {{split.event_id}, {*time}});
    if (auto call = call_row(event)) batch.calls.push_back(std::move(*call));
  }

  void upsert(const Batch& batch, EventSide side, bool careful) {
    // One row per call and side: a statement may not update the same row twice. Repeats of
    // an event carry the same values.
    std::map<std::string_view, const CallRow*> rows;
    for (const auto& row : batch.calls)
      if (row.side == side) rows.emplace(row.message_id, &row);
    std::vector<const CallRow*> ordered;
    for (const auto& [id, row] : rows) ordered.push_back(row);
    const std::size_t step = careful ? 1 : rows_per_statement;
    for (std::size_t at = 0; at < ordered.size(); at += step) {
      const std::size_t count = std::min(step, ordered.size() - at);
      std::vector<PgParam> params;
      params.reserve(count * (call_columns().size() + 1));
      for (std::size_t i = at; i < at + count; ++i) add_call_params(*ordered[i], params);
      const std::string sql = call_upsert_sql(side, placeholders(count, call_columns().size() + 1));
      if (!careful) {
        db_->query(sql, params);
        continue;
      }
      db_->exec("SAVEPOINT call");
      try {
        db_->query(sql, params);
      } catch (const PgError& e) {
        if (!e.data_exception()) throw;
        db_->exec("ROLLBACK TO SAVEPOINT call");
        ++refused_;  // the event itself is stored; its call's row lacks these values
      }
      db_->exec("RELEASE SAVEPOINT call");
    }
  }

  const std::string dsn_;
  const std::string label_;
  std::unique_ptr<PgConnection> db_;
  simdjson::dom::parser parser_;
  std::size_t refused_ = 0;  // per batch
};

}  // namespace

std::unique_ptr<Sink> open_postgres_sink(const PostgresOptions& options) {
  if (auto problem = check_dsn(options.dsn); !problem.empty())
    throw std::runtime_error("setting 'dsn': " + problem);
  return std::make_unique<PostgresSink>(options);
}

}  // namespace tollgate::audit
