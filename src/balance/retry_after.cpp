#include "balance/retry_after.h"

#include <charconv>
#include <cmath>
#include <ctime>
#include <string>

namespace tollgate::balance {

namespace {

// Waits longer than a day are clamped: Azure answers quota exhaustion with hours, and the
// configured cap (max_cooldown_ms) is at most a day anyway.
constexpr double max_wait_ms = 86'400'000.0;

// A non-negative decimal number ("2", "1500", "0.5"), scaled to milliseconds.
std::optional<std::chrono::milliseconds> number(std::string_view text, double to_ms) {
  double value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc{} || end != text.data() + text.size() || !(value >= 0))
    return std::nullopt;
  return std::chrono::milliseconds(
      static_cast<long>(std::ceil(std::min(value * to_ms, max_wait_ms))));
}

// An IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT"), the only date form senders may generate.
std::optional<std::chrono::system_clock::time_point> http_date(std::string_view text) {
  std::tm tm{};
  std::string copy(text);
  const char* end = ::strptime(copy.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  if (!end || *end != '\0') return std::nullopt;
  return std::chrono::system_clock::from_time_t(::timegm(&tm));
}

}  // namespace

std::optional<std::chrono::milliseconds> retry_after(const boost::beast::http::fields& headers,
                                                     std::chrono::system_clock::time_point now) {
  for (std::string_view name : {"retry-after-ms", "x-ms-retry-after-ms"})
    if (auto field = headers.find(name); field != headers.end())
      if (auto wait = number(field->value(), 1.0)) return wait;
  auto field = headers.find(boost::beast::http::field::retry_after);
  if (field == headers.end()) return std::nullopt;
  if (auto wait = number(field->value(), 1000.0)) return wait;
  auto date = http_date(field->value());
  if (!date) return std::nullopt;
  if (*date <= now) return std::chrono::milliseconds(0);
  auto wait = std::chrono::ceil<std::chrono::milliseconds>(*date - now);
  return std::min(wait, std::chrono::milliseconds(static_cast<long>(max_wait_ms)));
}

}  // namespace tollgate::balance
