// A thin owner of one libpq connection. Failures throw PgError carrying PostgreSQL's message
// and SQLSTATE; the sink and ingest turn them into returned errors, so none crosses the Sink
// interface. The connection string may hold a password: it is never put in a message.
//
// Threading: a PgConnection belongs to one thread.
#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

struct pg_conn;
struct pg_result;

namespace tollgate::audit {

class PgError : public std::runtime_error {
 public:
  PgError(const std::string& message, std::string sqlstate)
      : std::runtime_error(message), sqlstate_(std::move(sqlstate)) {}
  // The five-character SQLSTATE, or "" when the server sent none (a lost connection).
  const std::string& sqlstate() const { return sqlstate_; }
  // Class 22: the data could not be converted (an event jsonb refuses, a number out of range).
  bool data_exception() const { return sqlstate_.starts_with("22"); }

 private:
  std::string sqlstate_;
};

// A statement parameter: SQL NULL, text, or binary bytes (for bytea).
struct PgParam {
  std::optional<std::string> value;
  bool binary = false;
};

// The rows a query returned, all as text (SQL NULL as nullopt).
using PgRows = std::vector<std::vector<std::optional<std::string>>>;

class PgConnection {
 public:
  // Connects with `dsn` (a libpq keyword/value string or URI). Throws PgError if it cannot.
  explicit PgConnection(const std::string& dsn);
  ~PgConnection();
  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;

  // Runs one or more statements without parameters.
  void exec(const std::string& sql);
  // Runs one statement with $1.. parameters; returns its rows, if any.
  PgRows query(const std::string& sql, const std::vector<PgParam>& params = {});
  // Rolls back the open transaction, if any. Never throws: it runs on failure paths.
  void rollback() noexcept;
  // False once the connection is lost: it must then be replaced.
  bool ok() const;

 private:
  pg_conn* conn_ = nullptr;
};

// Checks that `dsn` is a connection string libpq can read, without connecting. The message
// (empty when it is valid) never quotes the string, which may hold a password.
std::string check_dsn(const std::string& dsn);

// "HOST:PORT/DATABASE" from `dsn`, for log lines: where the events go, without credentials.
std::string dsn_label(const std::string& dsn);

}  // namespace tollgate::audit
