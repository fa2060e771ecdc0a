#include "core/clock.h"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <cctype>

namespace tollgate {

namespace {

// Reads exactly `width` digits at `at` into `value`, advancing `at`.
bool digits(std::string_view text, std::size_t& at, std::size_t width, int& value) {
  if (at + width > text.size()) return false;
  value = 0;
  for (std::size_t i = 0; i < width; ++i) {
    char c = text[at + i];
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
    value = value * 10 + (c - '0');
  }
  at += width;
  return true;
}

bool expect(std::string_view text, std::size_t& at, std::string_view choices) {
  if (at >= text.size() || choices.find(text[at]) == std::string_view::npos) return false;
  ++at;
  return true;
}

}  // namespace

std::string rfc3339_micros(std::chrono::system_clock::time_point time) {
  auto micros = std::chrono::time_point_cast<std::chrono::microseconds>(time);
  auto seconds = std::chrono::time_point_cast<std::chrono::seconds>(micros);
  return fmt::format("{:%Y-%m-%dT%H:%M:%S}.{:06d}Z", seconds, (micros - seconds).count());
}

std::optional<std::chrono::system_clock::time_point> parse_time(std::string_view text) {
  using namespace std::chrono;
  std::size_t at = 0;
  int year = 0, month = 0, day = 0;
  if (!digits(text, at, 4, year) || !expect(text, at, "-") || !digits(text, at, 2, month) ||
      !expect(text, at, "-") || !digits(text, at, 2, day))
    return std::nullopt;
  year_month_day date{std::chrono::year(year), std::chrono::month(static_cast<unsigned>(month)),
                      std::chrono::day(static_cast<unsigned>(day))};
  if (!date.ok() || year < 1970 || year > 2199) return std::nullopt;
  sys_time<microseconds> time = sys_days(date);
  if (at == text.size()) return time;

  int hour = 0, minute = 0, second = 0;
  if (!expect(text, at, "Tt ") || !digits(text, at, 2, hour) || !expect(text, at, ":") ||
      !digits(text, at, 2, minute) || !expect(text, at, ":") || !digits(text, at, 2, second) ||
      hour > 23 || minute > 59 || second > 59)  // a leap second has no point on this clock
    return std::nullopt;
  time += hours(hour) + minutes(minute) + seconds(second);
  if (at < text.size() && text[at] == '.') {
    ++at;
    std::size_t first = at;
    std::int64_t micros = 0;
    for (; at < text.size() && std::isdigit(static_cast<unsigned char>(text[at])); ++at)
      if (at - first < 6) micros = micros * 10 + (text[at] - '0');
    if (at == first) return std::nullopt;
    for (std::size_t kept = at - first; kept < 6; ++kept) micros *= 10;
    time += microseconds(micros);
  }
  if (at < text.size() && (text[at] == 'Z' || text[at] == 'z')) {
    ++at;
  } else {
    if (at >= text.size() || (text[at] != '+' && text[at] != '-')) return std::nullopt;
    const bool east = text[at++] == '+';
    int offset_hours = 0, offset_minutes = 0;
    if (!digits(text, at, 2, offset_hours) || !expect(text, at, ":") ||
        !digits(text, at, 2, offset_minutes) || offset_hours > 23 || offset_minutes > 59)
      return std::nullopt;
    auto offset = hours(offset_hours) + minutes(offset_minutes);
    time += east ? -offset : offset;  // local time minus its offset is UTC
  }
  if (at != text.size()) return std::nullopt;
  return time_point_cast<system_clock::duration>(time);
}

double millis_between(std::chrono::steady_clock::time_point from,
                      std::chrono::steady_clock::time_point to) {
  return std::chrono::duration<double, std::milli>(to - from).count();
}

}  // namespace tollgate
