#include "audit/sinks/postgres_connection.h"

#include <libpq-fe.h>

#include <memory>

namespace tollgate::audit {

namespace {

struct ResultDeleter {
  void operator()(PGresult* result) const { PQclear(result); }
};
using Result = std::unique_ptr<PGresult, ResultDeleter>;

std::string trimmed(const char* text) {
  std::string out = text ? text : "";
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  return out;
}

[[noreturn]] void fail(PGconn* conn, const PGresult* result) {
  const char* state = result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  std::string message = trimmed(result ? PQresultErrorMessage(result) : nullptr);
  if (message.empty()) message = trimmed(PQerrorMessage(conn));
  throw PgError(message.empty() ? "PostgreSQL failed without a message" : message,
                state ? state : "");
}

Result checked(PGconn* conn, PGresult* raw) {
  Result result(raw);
  const auto status = result ? PQresultStatus(result.get()) : PGRES_FATAL_ERROR;
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) fail(conn, result.get());
  return result;
}

}  // namespace

PgConnection::PgConnection(const std::string& dsn) {
  // Defaults first, so that the dsn's own settings win (expand_dbname: later values override).
  const char* keys[] = {"connect_timeout", "application_name", "dbname", nullptr};
  const char* values[] = {"10", "tollgate", dsn.c_str(), nullptr};
  conn_ = PQconnectdbParams(keys, values, 1);
  if (conn_ == nullptr) throw PgError("out of memory connecting to PostgreSQL", "");
  if (PQstatus(conn_) != CONNECTION_OK) {
    std::string message = "cannot connect to PostgreSQL: " + trimmed(PQerrorMessage(conn_));
    PQfinish(conn_);
    throw PgError(message, "");
  }
  // Tolerate a server whose default client encoding differs: events are UTF-8.
  if (PQsetClientEncoding(conn_, "UTF8") != 0) {
    std::string message = trimmed(PQerrorMessage(conn_));
    PQfinish(conn_);
    throw PgError("cannot use UTF8 with PostgreSQL: " + message, "");
  }
}

PgConnection::~PgConnection() { PQfinish(conn_); }

void PgConnection::exec(const std::string& sql) { checked(conn_, PQexec(conn_, sql.c_str())); }

PgRows PgConnection::query(const std::string& sql, const std::vector<PgParam>& params) {
  std::vector<const char*> values;
  std::vector<int> lengths;
  std::vector<int> formats;
  values.reserve(params.size());
  for (const auto& param : params) {
    values.push_back(param.value ? param.value->data() : nullptr);
    lengths.push_back(param.value ? static_cast<int>(param.value->size()) : 0);
    formats.push_back(param.binary ? 1 : 0);
  }
  auto result =
      checked(conn_, PQexecParams(conn_, sql.c_str(), static_cast<int>(params.size()), nullptr,
                                  values.data(), lengths.data(), formats.data(), 0));
  PgRows rows;
  const int count = PQntuples(result.get());
  const int columns = PQnfields(result.get());
  rows.reserve(static_cast<std::size_t>(count));
  for (int row = 0; row < count; ++row) {
    auto& out = rows.emplace_back();
    for (int column = 0; column < columns; ++column) {
      if (PQgetisnull(result.get(), row, column))
        out.emplace_back(std::nullopt);
      else
        out.emplace_back(
            std::string(PQgetvalue(result.get(), row, column),
                        static_cast<std::size_t>(PQgetlength(result.get(), row, column))));
    }
  }
  return rows;
}

void PgConnection::rollback() noexcept {
  if (PQstatus(conn_) != CONNECTION_OK) return;
  if (PQtransactionStatus(conn_) == PQTRANS_IDLE) return;
  PQclear(PQexec(conn_, "ROLLBACK"));
}

bool PgConnection::ok() const { return PQstatus(conn_) == CONNECTION_OK; }

std::string check_dsn(const std::string& dsn) {
  char* error = nullptr;
  PQconninfoOption* options = PQconninfoParse(dsn.c_str(), &error);
  if (options == nullptr) {
    // libpq's message may quote part of the string, password included: not repeated.
    PQfreemem(error);
    return "is not a PostgreSQL connection string (key=value pairs or a postgresql:// URI)";
  }
  PQconninfoFree(options);
  return {};
}

std::string dsn_label(const std::string& dsn) {
  char* error = nullptr;
  PQconninfoOption* options = PQconninfoParse(dsn.c_str(), &error);
  if (options == nullptr) {
    PQfreemem(error);
    return "(unreadable dsn)";
  }
  std::string host = "localhost", port = "5432", database;
  for (auto* option = options; option->keyword != nullptr; ++option) {
    if (option->val == nullptr || *option->val == '\0') continue;
    const std::string_view key = option->keyword;
    if (key == "host" || key == "hostaddr")
      host = option->val;
    else if (key == "port")
      port = option->val;
    else if (key == "dbname")
      database = option->val;
  }
  PQconninfoFree(options);
  return host + ":" + port + "/" + database;
}

}  // namespace tollgate::audit
