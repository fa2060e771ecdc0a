#include "core/clock.h"

#include <fmt/chrono.h>
#include <fmt/format.h>

namespace tollgate {

std::string rfc3339_micros(std::chrono::system_clock::time_point time) {
  auto micros = std::chrono::time_point_cast<std::chrono::microseconds>(time);
  auto seconds = std::chrono::time_point_cast<std::chrono::seconds>(micros);
  return fmt::format("{:%Y-%m-%dT%H:%M:%S}.{:06d}Z", seconds, (micros - seconds).count());
}

double millis_between(std::chrono::steady_clock::time_point from,
                      std::chrono::steady_clock::time_point to) {
  return std::chrono::duration<double, std::milli>(to - from).count();
}

}  // namespace tollgate
