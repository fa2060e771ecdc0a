// A thin owner of a SQLite connection and its prepared statements. Failures throw
// SqliteError carrying SQLite's message; SqliteSink::deliver() turns them into its returned
// error, so none crosses the Sink interface.
//
// Threading: a Database and its Statements belong to one thread (the connection is opened
// without SQLite's own mutex). Statements must be destroyed before their Database.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

struct sqlite3;
struct sqlite3_stmt;

namespace tollgate::audit {

class SqliteError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Database {
 public:
  enum class Access { read_write, read_only };
  // Opens the database file at `path`: creating it for read_write; for read_only it must exist.
  explicit Database(const std::string& path, Access access = Access::read_write);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  // Runs one or more statements that return no rows needed by the caller.
  void exec(const std::string& sql);
  // Runs a statement returning one row with one column, such as a PRAGMA query.
  std::string query_text(const std::string& sql);
  // Rolls back the open transaction, if any. Never throws: it runs on failure paths.
  void rollback() noexcept;
  void set_busy_timeout(int milliseconds);

  sqlite3* handle() const { return db_; }
  // Throws SqliteError with `what` (if not empty) and the connection's last error message.
  [[noreturn]] void fail(std::string_view what) const;

 private:
  sqlite3* db_ = nullptr;
};

class Statement {
 public:
  // REQUIRES: `db` outlives the statement.
  Statement(Database& db, std::string_view sql);
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  // Parameters are numbered from 1. Text is not copied: it must stay valid until run() or
  // the last step() returns.
  void bind_text(int index, std::string_view text);
  void bind_int(int index, std::int64_t value);
  void bind_real(int index, double value);
  void bind_null(int index);

  // Executes a statement that returns no rows, then resets it and clears its parameters.
  void run();
  // Advances to the next row; false when there is none, after which the statement is reset
  // and its parameters cleared.
  bool step();
  // Columns of the current row, numbered from 0; valid until the next step().
  std::string_view column_text(int column) const;
  bool column_null(int column) const;
  std::int64_t column_int(int column) const;
  double column_real(int column) const;

 private:
  void reset() noexcept;

  Database& db_;
  sqlite3_stmt* stmt_ = nullptr;
};

}  // namespace tollgate::audit
