#include "sim/faults.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <charconv>

namespace tollgate::sim {

namespace {

constexpr std::string_view kHeaderPrefix = "x-sim-";
constexpr int kMaxMs = 24 * 3600 * 1000;

enum Fault {
  kStatus,
  kRetryAfter,
  kRetryAfterMs,
  kDelay,
  kTtft,
  kTokenDelay,
  kResetAfter,
  kHang,
  kDrop,
  kTokens,
  kFaultCount
};

// Each fault's request header (the --fault name is the same without the prefix) and its range.
struct Spec {
  std::string_view header;
  int min;
  int max;
};

constexpr std::array<Spec, kFaultCount> kSpecs = {{
    {"x-sim-status", 400, 599},
    {"x-sim-retry-after", 0, kMaxMs / 1000},
    {"x-sim-retry-after-ms", 0, kMaxMs},
    {"x-sim-delay-ms", 0, kMaxMs},
    {"x-sim-ttft-ms", 0, kMaxMs},
    {"x-sim-token-delay-ms", 0, kMaxMs},
    {"x-sim-reset-after", 0, 1 << 30},
    {"x-sim-hang", 0, 1},
    {"x-sim-drop", 0, 1},
    {"x-sim-tokens", 0, 1 << 20},
}};

std::string_view option_name(const Spec& spec) { return spec.header.substr(kHeaderPrefix.size()); }

// The fault's value from the request header, else from --fault; nullopt when neither sets it.
// Fills `error` when the value is not an integer in the fault's range.
std::optional<int> read(const Spec& spec, const boost::beast::http::fields& headers,
                        const SimOptions& options, std::optional<std::string>& error) {
  std::string_view text;
  std::string origin;
  if (auto field = headers.find(spec.header); field != headers.end()) {
    text = field->value();
    origin = spec.header;
  } else if (auto option = options.faults.find(std::string(option_name(spec)));
             option != options.faults.end()) {
    text = option->second;
    origin = fmt::format("--fault {}", option->first);
  } else {
    return std::nullopt;
  }
  int value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < spec.min ||
      value > spec.max) {
    error = fmt::format("{}: expected an integer from {} to {}, got \"{}\"", origin, spec.min,
                        spec.max, text);
    return std::nullopt;
  }
  return value;
}

std::chrono::milliseconds ms(const std::optional<int>& value) {
  return std::chrono::milliseconds(value.value_or(0));
}

}  // namespace

std::chrono::milliseconds Faults::generation_time(std::size_t tokens) const {
  if (tokens == 0) return ttft;
  return ttft + token_delay * static_cast<long>(tokens - 1);
}

std::optional<std::string> read_faults(const boost::beast::http::fields& headers,
                                       const SimOptions& options, Faults& out) {
  std::array<std::optional<int>, kFaultCount> value;
  value[kTtft] = options.ttft_ms;
  value[kTokenDelay] = options.token_delay_ms;
  std::optional<std::string> error;
  for (int fault = 0; fault < kFaultCount && !error; ++fault) {
    if (auto given = read(kSpecs[fault], headers, options, error)) value[fault] = given;
  }
  if (error) return error;

  out.status = value[kStatus].value_or(0);
  if (value[kRetryAfter]) out.retry_after = std::to_string(*value[kRetryAfter]);
  if (value[kRetryAfterMs]) out.retry_after_ms = std::to_string(*value[kRetryAfterMs]);
  out.delay = ms(value[kDelay]);
  out.ttft = ms(value[kTtft]);
  out.token_delay = ms(value[kTokenDelay]);
  out.reset_after = value[kResetAfter];
  out.hang = value[kHang] == 1;
  out.drop = value[kDrop] == 1;
  out.tokens = value[kTokens];
  return std::nullopt;
}

ApiError fault_error(const Faults& faults) {
  ApiError error{faults.status, {}, "invalid_request_error", {}, {}};
  if (faults.status == 429) {
    std::string_view wait = faults.retry_after;
    if (wait.empty()) wait = "1";
    error.message = fmt::format(
        "Rate limit reached for requests. Please retry after {} seconds. (Simulated: "
        "x-sim-status.)",
        wait);
    error.type = "requests";
    error.code = "rate_limit_exceeded";
  } else if (faults.status >= 500) {
    error.message = fmt::format(
        "The server had an error while processing your request. (Simulated: x-sim-status {}.)",
        faults.status);
    error.type = "server_error";
  } else {
    error.message =
        fmt::format("The request was refused. (Simulated: x-sim-status {}.)", faults.status);
  }
  return error;
}

std::optional<std::string> check_fault_options(const SimOptions& options) {
  for (const auto& [name, value] : options.faults) {
    auto known = [&](const Spec& spec) { return option_name(spec) == name; };
    if (std::none_of(kSpecs.begin(), kSpecs.end(), known))
      return fmt::format("--fault {}: unknown fault", name);
  }
  Faults ignored;
  return read_faults({}, options, ignored);
}

}  // namespace tollgate::sim
