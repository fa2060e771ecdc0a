#include "analytics/report_sql.h"

#include <fmt/format.h>

#include "core/clock.h"

namespace tollgate::analytics {

namespace {

// A call is dated by its request; a call whose request event never arrived, by its response.
constexpr std::string_view call_time = "coalesce(request_time, response_time)";

// --- What differs between the engines -------------------------------------------------------

std::string day_bucket(Engine engine) {
  if (engine == Engine::sqlite) return fmt::format("substr({}, 1, 10)", call_time);
  return fmt::format("to_char({} AT TIME ZONE 'UTC', 'YYYY-MM-DD')", call_time);
}

std::string month_bucket(Engine engine) {
  if (engine == Engine::sqlite) return fmt::format("substr({}, 1, 7)", call_time);
  return fmt::format("to_char({} AT TIME ZONE 'UTC', 'YYYY-MM')", call_time);
}

// The n-th parameter, a time given as RFC 3339 UTC text with microseconds.
std::string time_parameter(Engine engine, std::size_t n) {
  if (engine == Engine::sqlite) return fmt::format("?{}", n);
  return fmt::format("${}::timestamptz", n);
}

// --- The same on both ----------------------------------------------------------------------

std::string dimension_expression(Dimension dimension, Engine engine) {
  switch (dimension) {
    case Dimension::app:
      return "app_id";
    case Dimension::user:
      return "coalesce(name, subject)";
    case Dimension::end_user:
      return "end_user";
    case Dimension::model:
      return "model";
    case Dimension::deployment:
      return "deployment";
    case Dimension::backend:
      return "backend";
    case Dimension::day:
      return day_bucket(engine);
    case Dimension::month:
      return month_bucket(engine);
  }
  return "NULL";
}

// The period's condition on `column`, with the bounds' parameter numbers (0: unbounded).
std::string within(std::string_view column, Engine engine, std::size_t since, std::size_t until) {
  std::string condition;
  if (since != 0) condition = fmt::format("{} >= {}", column, time_parameter(engine, since));
  if (until != 0)
    condition += fmt::format("{}{} < {}", condition.empty() ? "" : " AND ", column,
                             time_parameter(engine, until));
  return condition;
}

}  // namespace

ReportQuery report_query(const ReportSpec& spec, Engine engine) {
  ReportQuery query;
  std::size_t since = 0;
  std::size_t until = 0;
  if (spec.since) {
    query.parameters.push_back(rfc3339_micros(*spec.since));
    since = query.parameters.size();
  }
  if (spec.until) {
    query.parameters.push_back(rfc3339_micros(*spec.until));
    until = query.parameters.size();
  }
  // Written without coalesce() so that each side can use its index on request_time.
  std::string where;
  if (since != 0 || until != 0)
    where = fmt::format("WHERE ({}) OR (request_time IS NULL AND {})",
                        within("request_time", engine, since, until),
                        within("response_time", engine, since, until));

  std::string keys;       // "k0, k1"
  std::string key_exprs;  // "app_id AS k0, model AS k1, "
  for (std::size_t i = 0; i < spec.by.size(); ++i) {
    keys += fmt::format("{}k{}", i == 0 ? "" : ", ", i);
    key_exprs += fmt::format("{} AS k{}, ", dimension_expression(spec.by[i], engine), i);
  }
  const std::string partition = keys.empty() ? "" : "PARTITION BY " + keys;

  query.sql = fmt::format(
      R"sql(WITH base AS (
  SELECT {key_exprs}prompt_tokens, completion_tokens, total_tokens, cached_tokens,
         reasoning_tokens, cost_amount, cost_currency, duration_ms,
         CASE WHEN outcome IS NOT NULL AND (outcome <> 'ok' OR status >= 400) THEN 1 ELSE 0 END
           AS failed
  FROM calls
  {where}
), ranked AS (
  SELECT base.*,
         row_number() OVER ({partition} ORDER BY duration_ms IS NULL, duration_ms) AS duration_rank,
         count(duration_ms) OVER ({partition}) AS durations
  FROM base
)
SELECT {keys_comma}count(*), sum(failed),
       coalesce(sum(prompt_tokens), 0), coalesce(sum(completion_tokens), 0),
       coalesce(sum(total_tokens), 0), coalesce(sum(cached_tokens), 0),
       coalesce(sum(reasoning_tokens), 0),
       sum(cost_amount), count(DISTINCT cost_currency), max(cost_currency),
       sum(CASE WHEN prompt_tokens IS NOT NULL AND cost_amount IS NULL THEN 1 ELSE 0 END),
       max(CASE WHEN duration_rank = (durations * 50 + 99) / 100 THEN duration_ms END),
       max(CASE WHEN duration_rank = (durations * 95 + 99) / 100 THEN duration_ms END)
FROM ranked
{group_by})sql",
      fmt::arg("key_exprs", key_exprs), fmt::arg("where", where), fmt::arg("partition", partition),
      fmt::arg("keys_comma", keys.empty() ? "" : keys + ", "),
      fmt::arg("group_by", keys.empty() ? "" : "GROUP BY " + keys));
  return query;
}

}  // namespace tollgate::analytics
