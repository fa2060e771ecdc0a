// Where `tollgate report` reads calls from: a database holding the `calls` table the sqlite
// and postgres audit sinks write (same column names in both; docs/sinks.md). A source runs
// one query and hands back its rows; the SQL itself is written by report_sql.h for the
// source's engine.
//
// Threading: a source and its rows are used by one thread.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace tollgate::analytics {

enum class Engine { sqlite, postgres };

// One row of a result, columns numbered from 0. Valid only during the callback it is passed to.
class ResultRow {
 public:
  virtual ~ResultRow() = default;
  virtual bool null(int column) const = 0;
  virtual std::string text(int column) const = 0;
  // REQUIRES: the column is not null and holds a number.
  virtual std::int64_t integer(int column) const = 0;
  virtual double real(int column) const = 0;
};

class ReportSource {
 public:
  virtual ~ReportSource() = default;
  virtual Engine engine() const = 0;
  // Runs `sql` with text parameters (numbered from 1, in the engine's placeholder syntax)
  // and calls `on_row` for each row. Throws std::runtime_error saying what failed.
  virtual void query(const std::string& sql, const std::vector<std::string>& parameters,
                     const std::function<void(const ResultRow&)>& on_row) = 0;
};

}  // namespace tollgate::analytics
