// Wall-clock time as audit events and logs write it, and as configuration and commands read it.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace tollgate {

// RFC 3339 UTC with microseconds: "2026-11-27T13:50:40.123456Z".
std::string rfc3339_micros(std::chrono::system_clock::time_point time);

// Reads a date ("2026-11-01", meaning 00:00 UTC that day) or an RFC 3339 time
// ("2026-11-01T09:30:00Z", "2026-11-01T10:30:00.5+01:00"; fractions to the microsecond).
// nullopt when the text is neither, names a day that does not exist, or a year outside
// 1970–2199 (system_clock counts nanoseconds in 64 bits, which end in 2262).
std::optional<std::chrono::system_clock::time_point> parse_time(std::string_view text);

// Milliseconds between two steady-clock points, with microsecond precision.
double millis_between(std::chrono::steady_clock::time_point from,
                      std::chrono::steady_clock::time_point to);

}  // namespace tollgate
