// Wall-clock time as audit events and logs write it.
#pragma once

#include <chrono>
#include <string>

namespace tollgate {

// RFC 3339 UTC with microseconds: "2026-11-27T13:50:40.123456Z".
std::string rfc3339_micros(std::chrono::system_clock::time_point time);

// Milliseconds between two steady-clock points, with microsecond precision.
double millis_between(std::chrono::steady_clock::time_point from,
                      std::chrono::steady_clock::time_point to);

}  // namespace tollgate
