#include "analytics/postgres_report_source.h"

#include <fmt/format.h>

#include <charconv>
#include <cstdlib>
#include <stdexcept>

#include "audit/sinks/postgres_connection.h"

namespace tollgate::analytics {

namespace {

using audit::PgConnection;
using audit::PgError;
using audit::PgRows;

// libpq returns every value as text.
class PostgresRow final : public ResultRow {
 public:
  explicit PostgresRow(const std::vector<std::optional<std::string>>& cells) : cells_(cells) {}
  bool null(int column) const override { return !cells_.at(column); }
  std::string text(int column) const override { return *cells_.at(column); }
  std::int64_t integer(int column) const override {
    const auto& value = *cells_.at(column);
    std::int64_t number = 0;
    std::from_chars(value.data(), value.data() + value.size(), number);
    return number;
  }
  double real(int column) const override {
    return std::strtod(cells_.at(column)->c_str(), nullptr);
  }

 private:
  const std::vector<std::optional<std::string>>& cells_;
};

class PostgresReportSource final : public ReportSource {
 public:
  PostgresReportSource(const std::string& dsn) : label_(audit::dsn_label(dsn)), db_(dsn) {
    // A report only reads; the session makes sure of it.
    db_.exec("SET default_transaction_read_only = on");
    auto found = db_.query("SELECT to_regclass('calls') IS NOT NULL");
    if (found.empty() || found[0].empty() || found[0][0] != "t")
      throw std::runtime_error(fmt::format(
          "{}: has no calls table; is it a Tollgate audit store (postgres sink)?", label_));
  }

  Engine engine() const override { return Engine::postgres; }

  void query(const std::string& sql, const std::vector<std::string>& parameters,
             const std::function<void(const ResultRow&)>& on_row) override {
    std::vector<audit::PgParam> params;
    for (const auto& value : parameters) params.push_back({value, false});
    PgRows rows;
    try {
      rows = db_.query(sql, params);
    } catch (const PgError& e) {
      throw std::runtime_error(fmt::format("{}: {}", label_, e.what()));
    }
    for (const auto& cells : rows) on_row(PostgresRow(cells));
  }

 private:
  std::string label_;
  PgConnection db_;
};

}  // namespace

std::unique_ptr<ReportSource> open_postgres_report_source(const std::string& dsn) {
  if (auto problem = audit::check_dsn(dsn); !problem.empty())
    throw std::runtime_error("--postgres: " + problem);
  try {
    return std::make_unique<PostgresReportSource>(dsn);
  } catch (const PgError& e) {
    throw std::runtime_error(fmt::format("{}: {}", audit::dsn_label(dsn), e.what()));
  }
}

}  // namespace tollgate::analytics
