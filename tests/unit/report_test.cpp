// The chargeback report over a SQLite store holding known calls: groups, sums, error counts,
// percentiles, the period filter, currencies, and the three output formats.
#include "analytics/report.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <map>

#include "analytics/report_format.h"
#include "analytics/sqlite_report_source.h"
#include "audit/sinks/sqlite_db.h"
#include "audit/sinks/sqlite_schema.h"
#include "core/clock.h"
#include "sink_test_dir.h"

namespace tollgate::analytics {
namespace {

using Columns = std::map<std::string, std::string>;  // column -> SQL literal

// A store with the sqlite sink's schema, and calls inserted as given.
class Store {
 public:
  Store() : path_((dir_ / "audit.db").string()) {
    audit::Database db(path_);
    audit::migrate(db);
  }

  void add(const std::string& message_id, Columns columns) {
    audit::Database db(path_);
    std::string names = "message_id", values = fmt::format("'{}'", message_id);
    for (const auto& [name, value] : columns) {
      names += ", " + name;
      values += ", " + value;
    }
    db.exec(fmt::format("INSERT INTO calls ({}) VALUES ({})", names, values));
  }

  std::vector<ReportRow> report(std::vector<Dimension> by, const char* since = nullptr,
                                const char* until = nullptr) {
    ReportSpec spec;
    spec.by = std::move(by);
    if (since) spec.since = parse_time(since);
    if (until) spec.until = parse_time(until);
    auto source = open_sqlite_report_source(path_);
    return run_report(*source, spec);
  }

  const std::string& path() const { return path_; }

 private:
  audit::TempDir dir_;
  std::string path_;
};

// A finished call with usage and cost.
Columns call(const char* time, const char* app, const char* model, int prompt, int completion,
             const char* cost, double duration_ms, const char* currency = "'USD'") {
  return {{"request_time", fmt::format("'{}'", time)},
          {"response_time", fmt::format("'{}'", time)},
          {"app_id", app},
          {"model", fmt::format("'{}'", model)},
          {"deployment", fmt::format("'{}-dep'", model)},
          {"backend", "'eastus'"},
          {"status", "200"},
          {"outcome", "'ok'"},
          {"prompt_tokens", std::to_string(prompt)},
          {"completion_tokens", std::to_string(completion)},
          {"total_tokens", std::to_string(prompt + completion)},
          {"cached_tokens", "0"},
          {"reasoning_tokens", "0"},
          {"cost_amount", cost},
          {"cost_currency", std::string(cost) == "NULL" ? "NULL" : currency},
          {"duration_ms", fmt::format("{}", duration_ms)}};
}

Columns with(Columns columns, const Columns& changes) {
  for (const auto& [name, value] : changes) columns[name] = value;
  return columns;
}

// Seven calls in November and December 2026 (see each line).
void fill(Store& store) {
  store.add("m1",
            with(call("2026-11-01T10:00:00.000000Z", "'app-a'", "gpt-4o", 100, 50, "0.001", 100),
                 {{"cached_tokens", "20"},
                  {"reasoning_tokens", "10"},
                  {"name", "'Alice'"},
                  {"end_user", "'u1'"}}));
  store.add("m2",
            with(call("2026-11-01T12:00:00.000000Z", "'app-a'", "gpt-4o", 200, 100, "0.002", 300),
                 {{"subject", "'sub-2'"}, {"end_user", "'u1'"}}));
  // Rate limited: an error, without usage.
  store.add("m3", with(call("2026-11-02T08:00:00.000000Z", "'app-a'", "gpt-4o", 0, 0, "NULL", 10),
                       {{"status", "429"},
                        {"prompt_tokens", "NULL"},
                        {"completion_tokens", "NULL"},
                        {"total_tokens", "NULL"},
                        {"cached_tokens", "NULL"},
                        {"reasoning_tokens", "NULL"}}));
  // Still in flight: only its request is known.
  store.add("m4", {{"request_time", "'2026-11-03T00:00:00.000000Z'"},
                   {"app_id", "'app-a'"},
                   {"model", "'gpt-4o'"}});
  // Unpriced model, on the first instant of December.
  store.add("m5", call("2026-12-01T00:00:00.000000Z", "'app-b'", "gpt-4o-mini", 10, 5, "NULL", 50));
  // A timeout, no application.
  store.add("m6", with(call("2026-11-30T23:59:59.999999Z", "NULL", "gpt-4o", 0, 0, "NULL", 20000),
                       {{"status", "504"},
                        {"outcome", "'timeout'"},
                        {"prompt_tokens", "NULL"},
                        {"completion_tokens", "NULL"},
                        {"total_tokens", "NULL"}}));
  // Its request event never arrived: dated by its response. Priced in euros.
  store.add("m7",
            with(call("2026-11-15T00:00:00.000000Z", "'app-b'", "gpt-4o", 1, 1, "0.5", 5, "'EUR'"),
                 {{"request_time", "NULL"}}));
}

TEST(Report, TotalsWithoutDimensions) {
  Store store;
  fill(store);
  auto rows = store.report({});
  ASSERT_EQ(rows.size(), 1u);
  const auto& all = rows[0];
  EXPECT_TRUE(all.keys.empty());
  EXPECT_EQ(all.calls, 7);
  EXPECT_EQ(all.errors, 2);  // the 429 and the timeout; the call in flight is not an error
  EXPECT_EQ(all.prompt_tokens, 311);
  EXPECT_EQ(all.completion_tokens, 156);
  EXPECT_EQ(all.total_tokens, 467);
  EXPECT_EQ(all.cached_tokens, 20);
  EXPECT_EQ(all.reasoning_tokens, 10);
  EXPECT_EQ(all.unpriced_calls, 1);  // m5: usage, no price
  // USD and EUR are never added up.
  EXPECT_TRUE(all.mixed_currencies);
  EXPECT_FALSE(all.cost);
  EXPECT_FALSE(all.currency);
  // Durations 5, 10, 50, 100, 300, 20000 (m4 has none): nearest rank 3 and 6.
  EXPECT_EQ(all.p50_ms, 50);
  EXPECT_EQ(all.p95_ms, 20000);
}

TEST(Report, GroupsByApplicationAndModelSortedNullFirst) {
  Store store;
  fill(store);
  auto rows = store.report({Dimension::app, Dimension::model});
  ASSERT_EQ(rows.size(), 4u);
  using Key = std::vector<std::optional<std::string>>;
  EXPECT_EQ(rows[0].keys, (Key{std::nullopt, "gpt-4o"}));
  EXPECT_EQ(rows[1].keys, (Key{"app-a", "gpt-4o"}));
  EXPECT_EQ(rows[2].keys, (Key{"app-b", "gpt-4o"}));
  EXPECT_EQ(rows[3].keys, (Key{"app-b", "gpt-4o-mini"}));

  const auto& a = rows[1];
  EXPECT_EQ(a.calls, 4);
  EXPECT_EQ(a.errors, 1);
  EXPECT_DOUBLE_EQ(a.error_rate(), 0.25);
  EXPECT_EQ(a.prompt_tokens, 300);
  EXPECT_EQ(a.completion_tokens, 150);
  EXPECT_EQ(a.total_tokens, 450);
  EXPECT_EQ(a.cached_tokens, 20);
  EXPECT_EQ(a.reasoning_tokens, 10);
  ASSERT_TRUE(a.cost);
  EXPECT_DOUBLE_EQ(*a.cost, 0.003);
  EXPECT_EQ(a.currency, "USD");
  EXPECT_FALSE(a.mixed_currencies);
  EXPECT_EQ(a.unpriced_calls, 0);  // the 429 has no usage to price
  EXPECT_EQ(a.p50_ms, 100);        // of 10, 100, 300
  EXPECT_EQ(a.p95_ms, 300);

  EXPECT_EQ(rows[2].currency, "EUR");
  EXPECT_DOUBLE_EQ(*rows[2].cost, 0.5);
  EXPECT_FALSE(rows[3].cost);
  EXPECT_FALSE(rows[3].currency);
  EXPECT_EQ(rows[3].unpriced_calls, 1);
}

TEST(Report, PeriodIsHalfOpenAndDaysAreUtc) {
  Store store;
  fill(store);
  auto rows = store.report({Dimension::day}, "2026-11-01", "2026-12-01");
  std::map<std::string, std::int64_t> calls;
  for (const auto& row : rows) calls[*row.keys[0]] = row.calls;
  // m5 (2026-12-01T00:00:00Z) is outside; m7 is dated by its response.
  EXPECT_EQ(calls, (std::map<std::string, std::int64_t>{{"2026-11-01", 2},
                                                        {"2026-11-02", 1},
                                                        {"2026-11-03", 1},
                                                        {"2026-11-15", 1},
                                                        {"2026-11-30", 1}}));
  rows = store.report({Dimension::day}, "2026-11-01T11:00:00+01:00", "2026-11-02T08:00:00Z");
  ASSERT_EQ(rows.size(), 1u);  // 10:00Z is at the bound, 08:00Z on the 2nd is past it
  EXPECT_EQ(rows[0].calls, 2);
  rows = store.report({Dimension::day}, "2026-11-01T10:00:00.000001Z");
  EXPECT_EQ(rows.front().keys[0], "2026-11-01");
  EXPECT_EQ(rows.front().calls, 1);
  EXPECT_TRUE(store.report({}, "2027-01-01").empty());
}

TEST(Report, MonthsUsersAndEndUsers) {
  Store store;
  fill(store);
  auto months = store.report({Dimension::month});
  ASSERT_EQ(months.size(), 2u);
  EXPECT_EQ(months[0].keys[0], "2026-11");
  EXPECT_EQ(months[0].calls, 6);
  EXPECT_EQ(months[1].keys[0], "2026-12");
  EXPECT_EQ(months[1].calls, 1);

  auto users = store.report({Dimension::user});
  ASSERT_EQ(users.size(), 3u);
  EXPECT_EQ(users[0].keys[0], std::nullopt);
  EXPECT_EQ(users[0].calls, 5);
  EXPECT_EQ(users[1].keys[0], "Alice");  // the name when there is one
  EXPECT_EQ(users[2].keys[0], "sub-2");  // else the subject

  auto end_users = store.report({Dimension::end_user, Dimension::deployment, Dimension::backend});
  ASSERT_EQ(end_users.size(), 4u);
  EXPECT_EQ(end_users[0].keys, (std::vector<std::optional<std::string>>(3)));  // m4, in flight
  EXPECT_EQ(end_users[3].keys,
            (std::vector<std::optional<std::string>>{"u1", "gpt-4o-dep", "eastus"}));
  EXPECT_EQ(end_users[3].calls, 2);
}

TEST(Report, PercentilesAreNearestRank) {
  Store store;
  for (int i = 1; i <= 20; ++i)
    store.add(fmt::format("p{}", i), call("2026-11-01T00:00:00.000000Z", "'app'", "m", 1, 1, "NULL",
                                          21 - i));  // inserted out of order
  auto rows = store.report({});
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].p50_ms, 10);  // ceil(0.50 × 20) = 10th
  EXPECT_EQ(rows[0].p95_ms, 19);  // ceil(0.95 × 20) = 19th
  store.add("one-more", call("2026-11-01T00:00:00.000000Z", "'app'", "m", 1, 1, "NULL", 1000));
  rows = store.report({});
  EXPECT_EQ(rows[0].p50_ms, 11);  // ceil(10.5) = 11th of 21
  EXPECT_EQ(rows[0].p95_ms, 20);  // ceil(19.95) = 20th of 21: not the slowest
}

TEST(Report, RefusesWhatIsNotAnAuditStore) {
  audit::TempDir dir;
  EXPECT_THROW(open_sqlite_report_source((dir / "missing.db").string()), std::runtime_error);
  {
    audit::Database db((dir / "other.db").string());
    db.exec("CREATE TABLE t (x)");
  }
  try {
    open_sqlite_report_source((dir / "other.db").string());
    FAIL() << "opened a database without a calls table";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("has no calls table"), std::string::npos) << e.what();
  }
}

TEST(ReportSpec, DimensionsAreReadStrictly) {
  EXPECT_EQ(parse_dimensions("app, model,day"),
            (std::vector<Dimension>{Dimension::app, Dimension::model, Dimension::day}));
  EXPECT_TRUE(parse_dimensions("").empty());
  EXPECT_THROW(parse_dimensions("app,region"), std::invalid_argument);
  EXPECT_THROW(parse_dimensions("model,model"), std::invalid_argument);
}

TEST(ReportFormat, JsonCsvAndTable) {
  Store store;
  fill(store);
  ReportSpec spec;
  spec.by = {Dimension::app, Dimension::model};
  spec.since = parse_time("2026-11-01");
  auto rows = store.report(spec.by, "2026-11-01");

  auto parsed = boost::json::parse(format_report(spec, rows, ReportFormat::json));
  const auto& root = parsed.as_object();
  EXPECT_EQ(root.at("by"), (boost::json::array{"app", "model"}));
  EXPECT_EQ(root.at("since"), "2026-11-01T00:00:00.000000Z");
  EXPECT_TRUE(root.at("until").is_null());
  const auto& json_rows = root.at("rows").as_array();
  ASSERT_EQ(json_rows.size(), 4u);
  EXPECT_TRUE(json_rows[0].at("app").is_null());
  const auto& a = json_rows[1].as_object();
  EXPECT_EQ(a.at("app"), "app-a");
  EXPECT_EQ(a.at("calls"), 4);
  EXPECT_EQ(a.at("error_rate").as_double(), 0.25);
  EXPECT_EQ(a.at("cost").as_double(), 0.003);
  EXPECT_EQ(a.at("currency"), "USD");
  EXPECT_EQ(a.at("p95_ms").as_double(), 300);

  const auto csv = format_report(spec, rows, ReportFormat::csv);
  EXPECT_EQ(csv.substr(0, csv.find("\r\n")),
            "app,model,calls,errors,error_rate,prompt_tokens,completion_tokens,cached_tokens,"
            "reasoning_tokens,total_tokens,cost,currency,unpriced_calls,p50_ms,p95_ms");
  EXPECT_NE(csv.find("\r\n,gpt-4o,1,1,1,0,0,0,0,0,,,0,20000,20000\r\n"), std::string::npos) << csv;
  EXPECT_NE(csv.find("\r\napp-a,gpt-4o,4,1,0.25,300,150,20,10,450,0.003,USD,0,100,300\r\n"),
            std::string::npos)
      << csv;

  const auto table = format_report(spec, rows, ReportFormat::table);
  EXPECT_EQ(table.substr(0, table.find(' ')), "app");
  EXPECT_NE(table.find("(none)"), std::string::npos);
  EXPECT_NE(table.find("0.003000"), std::string::npos) << table;
  EXPECT_NE(table.find("25.0%"), std::string::npos) << table;
  EXPECT_EQ(format_report(spec, {}, ReportFormat::table).find("(no calls in this period)") ==
                std::string::npos,
            false);
}

TEST(ReportFormat, CsvQuotesFieldsThatNeedIt) {
  Store store;
  store.add("q", call("2026-11-01T00:00:00.000000Z", "'team \"a\", ops'", "m", 1, 1, "NULL", 1));
  ReportSpec spec;
  spec.by = {Dimension::app};
  auto csv = format_report(spec, store.report(spec.by), ReportFormat::csv);
  EXPECT_NE(csv.find("\r\n\"team \"\"a\"\", ops\",1,"), std::string::npos) << csv;
}

}  // namespace
}  // namespace tollgate::analytics
