#include "analytics/sqlite_report_source.h"

#include <fmt/format.h>

#include <filesystem>
#include <stdexcept>

#include "audit/sinks/sqlite_db.h"

namespace tollgate::analytics {

namespace {

using audit::Database;
using audit::Statement;

class SqliteRow final : public ResultRow {
 public:
  explicit SqliteRow(const Statement& statement) : statement_(statement) {}
  bool null(int column) const override { return statement_.column_null(column); }
  std::string text(int column) const override {
    return std::string(statement_.column_text(column));
  }
  std::int64_t integer(int column) const override { return statement_.column_int(column); }
  double real(int column) const override { return statement_.column_real(column); }

 private:
  const Statement& statement_;
};

class SqliteReportSource final : public ReportSource {
 public:
  explicit SqliteReportSource(const std::string& path)
      : path_(path), db_(path, Database::Access::read_only) {
    // The sink may be writing; wait for its lock rather than fail a report.
    db_.set_busy_timeout(10'000);
    if (db_.query_text("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = "
                       "'calls'") != "1")
      throw std::runtime_error(
          fmt::format("{}: has no calls table; is it a Tollgate audit store (sqlite sink)?", path));
  }

  Engine engine() const override { return Engine::sqlite; }

  void query(const std::string& sql, const std::vector<std::string>& parameters,
             const std::function<void(const ResultRow&)>& on_row) override {
    try {
      Statement statement(db_, sql);
      for (std::size_t i = 0; i < parameters.size(); ++i)
        statement.bind_text(static_cast<int>(i + 1), parameters[i]);
      SqliteRow row(statement);
      while (statement.step()) on_row(row);
    } catch (const audit::SqliteError& e) {
      throw std::runtime_error(fmt::format("{}: {}", path_, e.what()));
    }
  }

 private:
  std::string path_;
  Database db_;
};

}  // namespace

std::unique_ptr<ReportSource> open_sqlite_report_source(const std::string& path) {
  // SQLite would report a missing file only as "unable to open database file".
  if (!std::filesystem::exists(path))
    throw std::runtime_error(fmt::format("{}: no such database", path));
  try {
    return std::make_unique<SqliteReportSource>(path);
  } catch (const audit::SqliteError& e) {
    throw std::runtime_error(fmt::format("{}: {}", path, e.what()));
  }
}

}  // namespace tollgate::analytics
