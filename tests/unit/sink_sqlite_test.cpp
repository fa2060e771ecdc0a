#include <fmt/format.h>
#include <gtest/gtest.h>

#include <map>

#include "audit/sink_shaper.h"
#include "audit/sinks/call_columns.h"
#include "audit/sinks/sqlite_db.h"
#include "audit/sinks/sqlite_schema.h"
#include "audit/sinks/sqlite_sink.h"
#include "sink_test_dir.h"

namespace tollgate::audit {
namespace {

// One call's two events, with every field the `calls` table reads set (event-shape.md).
const std::string request_event = R"({"schema":"tollgate.audit.v1","event_id":"e-req-1",
"event_type":"request","message_id":"m-1","time":"2026-11-27T13:50:40.123456Z",
"gateway":{"instance":"host/1","version":"0.1.0"},
"call":{"operation":"chat.completions","api_style":"azure","method":"POST",
  "path":"/openai/deployments/gpt-4o-dep/chat/completions","deployment":"gpt-4o-dep",
  "api_version":"2024-10-21","model":"gpt-4o","served_model":null,"stream":true},
"identity":{"auth_method":"jwt","app_id":"app-1","object_id":"obj-1","tenant_id":"tenant-1",
  "subject":"sub-1","name":"Billing App","roles":["reader"]},
"client":{"ip":"127.0.0.1","user_agent":"OpenAI/Python 1.0","user":"alice"},
"routing":{"backend":"sim-azure","backend_host":"127.0.0.1","region":null,"attempts":[]},
"request":{"body":{"messages":[{"role":"user","content":"hello"}]},"bytes":1234,
  "truncated":false,"content_type":"application/json"}})";

const std::string response_event = R"({"schema":"tollgate.audit.v1","event_id":"e-resp-1",
"event_type":"response","message_id":"m-1","time":"2026-11-27T13:50:40.250000Z",
"gateway":{"instance":"host/1","version":"0.1.0"},
"call":{"operation":"chat.completions","api_style":"azure","method":"POST",
  "path":"/openai/deployments/gpt-4o-dep/chat/completions","deployment":"gpt-4o-dep",
  "api_version":"2024-10-21","model":"gpt-4o","served_model":"gpt-4o-2024-08-06","stream":true},
"identity":{"auth_method":"jwt","app_id":"app-1","object_id":"obj-1","tenant_id":"tenant-1",
  "subject":"sub-1","name":"Billing App","roles":["reader"]},
"client":{"ip":"127.0.0.1","user_agent":"OpenAI/Python 1.0","user":"alice"},
"routing":{"backend":"sim-azure-2","backend_host":"127.0.0.2","region":"eastus","attempts":[
  {"backend":"sim-azure","deployment":"gpt-4o-dep","status":503,"duration_ms":5.5,"error":"busy"},
  {"backend":"sim-azure-2","deployment":"gpt-4o-dep","status":200,"duration_ms":100,"error":null}]},
"response":{"status":200,"outcome":"ok","body":{"choices":[{"message":{"content":"hi there"}}]},
  "bytes":5678,"truncated":false,"chunks":17,"time_to_first_token_ms":85.2,"error":null},
"usage":{"prompt_tokens":10,"completion_tokens":20,"total_tokens":30,"cached_tokens":4,
  "reasoning_tokens":2,"source":"upstream"},
"cost":{"amount":0.0125,"currency":"USD"},
"timing":{"duration_ms":123.4,"upstream_ttfb_ms":80,"model_time_ms":75,"gateway_overhead_us":150}})";

std::string deliver(Sink& sink, const std::vector<std::string>& batch) {
  return sink.deliver(std::vector<std::string_view>(batch.begin(), batch.end()));
}

// Every row of `table` as text, with each value's SQLite type, in key order.
std::string dump(const std::filesystem::path& path, const std::string& table,
                 const std::string& order) {
  Database db(path.string());
  std::vector<std::string> names;
  Statement info(db, "SELECT name FROM pragma_table_info('" + table + "') ORDER BY cid");
  while (info.step()) names.emplace_back(info.column_text(0));
  // coalesce: a NULL anywhere would blank the whole concatenation.
  std::string row = "''";
  for (const auto& name : names)
    row += fmt::format(" || '|' || typeof({0}) || ':' || coalesce({0}, '')", name);
  Statement rows(db, fmt::format("SELECT {} FROM {} ORDER BY {}", row, table, order));
  std::string out;
  while (rows.step()) out += std::string(rows.column_text(0)) + "\n";
  return out;
}

std::string query(const std::filesystem::path& path, const std::string& sql) {
  Database db(path.string());
  return db.query_text(sql);
}

TEST(SqliteSink, ARequestAndItsResponseMakeOneCallRowWithTypedColumns) {
  TempDir dir;
  const auto path = dir / "audit.db";
  auto sink = open_sqlite_sink({.path = path.string()});
  ASSERT_EQ(deliver(*sink, {request_event, response_event}), "");

  EXPECT_EQ(query(path, "SELECT count(*) FROM calls"), "1");
  EXPECT_EQ(query(path, "SELECT count(*) FROM events"), "2");
  // Every column of `calls` is filled, with the type its declaration gives it.
  Database db(path.string());
  Statement info(db, "SELECT name, type FROM pragma_table_info('calls') ORDER BY cid");
  std::map<std::string, std::string> expected_type{
      {"TEXT", "text"}, {"INTEGER", "integer"}, {"REAL", "real"}};
  while (info.step()) {
    std::string name(info.column_text(0));
    std::string type = expected_type.at(std::string(info.column_text(1)));
    EXPECT_EQ(db.query_text(fmt::format("SELECT typeof({}) FROM calls", name)), type) << name;
  }
  const std::map<std::string, std::string> values{
      {"message_id", "m-1"},
      {"request_time", "2026-11-27T13:50:40.123456Z"},
      {"response_time", "2026-11-27T13:50:40.250000Z"},
      {"operation", "chat.completions"},
      {"api_style", "azure"},
      {"model", "gpt-4o"},
      {"served_model", "gpt-4o-2024-08-06"},
      {"deployment", "gpt-4o-dep"},
      {"api_version", "2024-10-21"},
      {"stream", "1"},
      {"backend", "sim-azure-2"},  // the response's: the retry moved the call
      {"region", "eastus"},
      {"auth_method", "jwt"},
      {"app_id", "app-1"},
      {"object_id", "obj-1"},
      {"tenant_id", "tenant-1"},
      {"subject", "sub-1"},
      {"name", "Billing App"},
      {"client_ip", "127.0.0.1"},
      {"user_agent", "OpenAI/Python 1.0"},
      {"end_user", "alice"},
      {"status", "200"},
      {"outcome", "ok"},
      {"prompt_tokens", "10"},
      {"completion_tokens", "20"},
      {"total_tokens", "30"},
      {"cached_tokens", "4"},
      {"reasoning_tokens", "2"},
      {"usage_source", "upstream"},
      {"cost_amount", "0.0125"},
      {"cost_currency", "USD"},
      {"duration_ms", "123.4"},
      {"upstream_ttfb_ms", "80.0"},
      {"model_time_ms", "75.0"},
      {"gateway_overhead_us", "150"},
      {"request_bytes", "1234"},
      {"response_bytes", "5678"},
      {"attempts", "2"},
  };
  EXPECT_EQ(values.size(), call_columns().size() + 1);
  for (const auto& [name, value] : values)
    EXPECT_EQ(db.query_text(fmt::format("SELECT {} FROM calls", name)), value) << name;
  EXPECT_EQ(db.query_text("SELECT body FROM events WHERE event_id = 'e-req-1'"), request_event);
  EXPECT_EQ(db.query_text("SELECT part || ',' || coalesce(parts, 'null') || ',' || event_type || "
                          "',' || time FROM events WHERE event_id = 'e-resp-1'"),
            "0,null,response,2026-11-27T13:50:40.250000Z");
}

TEST(SqliteSink, TheTableHoldsExactlyTheColumnsTheEventsFill) {
  TempDir dir;
  const auto path = dir / "audit.db";
  open_sqlite_sink({.path = path.string()});
  Database db(path.string());
  Statement info(db, "SELECT name FROM pragma_table_info('calls') ORDER BY cid");
  ASSERT_TRUE(info.step());
  EXPECT_EQ(info.column_text(0), "message_id");
  for (const auto& column : call_columns()) {
    ASSERT_TRUE(info.step()) << column.name;
    EXPECT_EQ(info.column_text(0), column.name);
  }
  EXPECT_FALSE(info.step());
}

TEST(SqliteSink, RepeatedAndReorderedDeliveriesGiveTheSameRows) {
  TempDir dir;
  auto rows_after = [&](const std::string& name,
                        const std::vector<std::vector<std::string>>& batches) {
    const auto path = dir / name;
    auto sink = open_sqlite_sink({.path = path.string()});
    for (const auto& batch : batches) EXPECT_EQ(deliver(*sink, batch), "");
    return dump(path, "calls", "message_id") + dump(path, "events", "event_id, part");
  };
  const auto once = rows_after("once.db", {{request_event, response_event}});
  EXPECT_EQ(
      rows_after("twice.db", {{request_event, response_event}, {request_event, response_event}}),
      once);
  EXPECT_EQ(rows_after("reversed.db", {{response_event}, {request_event}}), once);
  EXPECT_EQ(rows_after("reversed-one-batch.db", {{response_event, request_event}}), once);
  EXPECT_EQ(rows_after("interleaved.db",
                       {{response_event}, {request_event, response_event}, {request_event}}),
            once);
}

TEST(SqliteSink, AResponseAloneFillsWhatTheRequestWouldHave) {
  TempDir dir;
  const auto path = dir / "audit.db";
  auto sink = open_sqlite_sink({.path = path.string()});
  ASSERT_EQ(deliver(*sink, {response_event}), "");
  EXPECT_EQ(query(path, "SELECT model || ',' || app_id || ',' || total_tokens FROM calls"),
            "gpt-4o,app-1,30");
  EXPECT_EQ(query(path, "SELECT typeof(request_time) FROM calls"), "null");
}

TEST(SqliteSink, SplitEventsAreJoinedOnceAllTheirPartsAreIn) {
  TempDir dir;
  const auto path = dir / "audit.db";
  auto sink = open_sqlite_sink({.path = path.string()});
  auto parts = split_event(response_event, 1000);
  ASSERT_GE(parts.size(), 3u);
  const auto half = static_cast<std::ptrdiff_t>(parts.size() / 2);

  ASSERT_EQ(deliver(*sink, {request_event}), "");
  ASSERT_EQ(deliver(*sink, {parts.begin(), parts.begin() + half}), "");
  EXPECT_EQ(query(path, "SELECT typeof(total_tokens) FROM calls"), "null");  // not joined yet
  ASSERT_EQ(deliver(*sink, {parts.begin() + half, parts.end()}), "");
  EXPECT_EQ(query(path, "SELECT total_tokens || ',' || response_time || ',' || backend FROM calls"),
            "30,2026-11-27T13:50:40.250000Z,sim-azure-2");

  Database db(path.string());
  EXPECT_EQ(db.query_text("SELECT count(*) FROM events WHERE event_id = 'e-resp-1'"),
            std::to_string(parts.size()));
  std::string joined;
  Statement bodies(db,
                   "SELECT body, part, parts, time, event_type, message_id FROM events "
                   "WHERE event_id = 'e-resp-1' ORDER BY part");
  for (std::size_t part = 1; bodies.step(); ++part) {
    joined += bodies.column_text(0);
    EXPECT_EQ(bodies.column_text(1), std::to_string(part));
    EXPECT_EQ(bodies.column_text(2), std::to_string(parts.size()));
    EXPECT_EQ(bodies.column_text(3), "2026-11-27T13:50:40.250000Z");  // from the joined event
    EXPECT_EQ(bodies.column_text(4), "response");
    EXPECT_EQ(bodies.column_text(5), "m-1");
  }
  EXPECT_EQ(joined, response_event);

  // Parts delivered again, in one batch, change nothing.
  const auto before = dump(path, "calls", "message_id") + dump(path, "events", "event_id, part");
  ASSERT_EQ(deliver(*sink, parts), "");
  EXPECT_EQ(dump(path, "calls", "message_id") + dump(path, "events", "event_id, part"), before);
}

TEST(SqliteSink, TextThatIsNotAnAuditEventIsKeptOnceUnderAContentId) {
  TempDir dir;
  const auto path = dir / "audit.db";
  auto sink = open_sqlite_sink({.path = path.string()});
  const std::vector<std::string> batch{"not json", R"({"no":"event_id"})", "not json"};
  ASSERT_EQ(deliver(*sink, batch), "");
  ASSERT_EQ(deliver(*sink, batch), "");
  EXPECT_EQ(query(path, "SELECT count(*) FROM events WHERE event_id LIKE 'unreadable-%'"), "2");
  EXPECT_EQ(query(path, "SELECT count(*) FROM calls"), "0");
}

TEST(SqliteSink, CreatesTheSchemaInANewFileAndReopensIt) {
  TempDir dir;
  const auto path = dir / "data/audit.db";  // the directory is created too
  {
    auto sink = open_sqlite_sink({.path = path.string()});
    ASSERT_EQ(deliver(*sink, {request_event}), "");
  }
  EXPECT_EQ(query(path, "PRAGMA user_version"), std::to_string(sqlite_schema_version));
  EXPECT_EQ(query(path, "PRAGMA journal_mode"), "wal");
  EXPECT_EQ(query(path,
                  "SELECT group_concat(name) FROM (SELECT name FROM sqlite_schema "
                  "WHERE type = 'index' AND name NOT LIKE 'sqlite_%' ORDER BY name)"),
            "calls_by_app,calls_by_model,calls_by_request_time,events_by_message");
  auto sink = open_sqlite_sink({.path = path.string()});
  ASSERT_EQ(deliver(*sink, {response_event}), "");
  EXPECT_EQ(query(path, "SELECT count(*) FROM events"), "2");
  EXPECT_EQ(query(path, "SELECT total_tokens FROM calls"), "30");
}

TEST(SqliteSink, RefusesADatabaseFromANewerVersion) {
  TempDir dir;
  const auto path = dir / "audit.db";
  {
    Database db(path.string());
    db.exec("PRAGMA user_version = 99");
  }
  try {
    open_sqlite_sink({.path = path.string()});
    FAIL() << "opened a database of schema version 99";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("schema version 99"), std::string::npos) << e.what();
  }
}

TEST(SqliteSink, ALockedDatabaseFailsTheBatchAndTheRetryStoresIt) {
  TempDir dir;
  const auto path = dir / "audit.db";
  auto sink =
      open_sqlite_sink({.path = path.string(), .busy_timeout = std::chrono::milliseconds(0)});
  {
    Database other(path.string());
    other.exec("BEGIN IMMEDIATE");  // another writer holds the lock
    auto error = deliver(*sink, {request_event, response_event});
    EXPECT_NE(error.find("cannot store events in " + path.string()), std::string::npos) << error;
    EXPECT_EQ(error.find("hello"), std::string::npos) << "an error must not show event contents";
    other.exec("ROLLBACK");
  }
  EXPECT_EQ(query(path, "SELECT count(*) FROM events"), "0");  // nothing of the failed batch
  ASSERT_EQ(deliver(*sink, {request_event, response_event}), "");
  EXPECT_EQ(query(path, "SELECT count(*) FROM events"), "2");
  EXPECT_EQ(query(path, "SELECT count(*) FROM calls"), "1");
}

TEST(SqliteSink, FailsToOpenWhereNoFileCanBe) {
  TempDir dir;
  std::ofstream(dir / "file") << "a regular file";
  EXPECT_THROW(open_sqlite_sink({.path = (dir / "file/audit.db").string()}), std::runtime_error);
}

}  // namespace
}  // namespace tollgate::audit
