// What a chargeback report asks for: the dimensions its rows are grouped by, and the period
// of calls it covers (docs/report.md).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tollgate::analytics {

enum class Dimension {
  app,         // identity.app_id: the calling application
  user,        // identity name, else subject: the authenticated caller
  end_user,    // the body's `user` field, as the application states it
  model,       // the configured model the client asked for
  deployment,  // the deployment that served it
  backend,     // the backend that served it
  day,         // the call's UTC day, YYYY-MM-DD
  month,       // the call's UTC month, YYYY-MM
};

struct ReportSpec {
  std::vector<Dimension> by;  // in the order given; none: one row for every call
  // Calls received at or after `since` and before `until` (a half-open period).
  std::optional<std::chrono::system_clock::time_point> since;
  std::optional<std::chrono::system_clock::time_point> until;
};

// The dimension's name on the command line and in output: "app", "end_user", ...
std::string_view dimension_name(Dimension dimension);

// Reads a comma-separated list such as "app,model,day". Throws std::invalid_argument naming
// an unknown or repeated dimension.
std::vector<Dimension> parse_dimensions(std::string_view text);

}  // namespace tollgate::analytics
