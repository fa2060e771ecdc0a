// Fault injection: what a request's x-sim-* headers, or the --fault defaults, ask the simulator
// to do to its answer (fail, wait, reset, hang, change its length). A header wins over the
// default of the same name.
//
// Thread safety: pure functions; Faults is a plain value.
#pragma once

#include <boost/beast/http/fields.hpp>
#include <chrono>
#include <optional>
#include <string>

#include "core/api_error.h"
#include "sim/simulator.h"

namespace tollgate::sim {

struct Faults {
  int status = 0;              // x-sim-status: answer with this error status (400 to 599)
  std::string retry_after;     // x-sim-retry-after: seconds, sent as retry-after
  std::string retry_after_ms;  // x-sim-retry-after-ms: sent as retry-after-ms, x-ms-retry-after-ms
  std::chrono::milliseconds delay{0};        // x-sim-delay-ms: before the response header
  std::chrono::milliseconds ttft{0};         // x-sim-ttft-ms: before the first token
  std::chrono::milliseconds token_delay{0};  // x-sim-token-delay-ms: between tokens
  std::optional<int> reset_after;            // x-sim-reset-after: content chunks before a RST
  bool hang = false;                         // x-sim-hang: never answer
  bool drop = false;          // x-sim-drop: reset the connection instead of answering, after delay
  std::optional<int> tokens;  // x-sim-tokens: completion length in words

  // How long producing `tokens` tokens takes: the first after ttft, each next after token_delay.
  std::chrono::milliseconds generation_time(std::size_t tokens) const;
};

// Reads the faults for a request with `headers`, over the defaults in `options` (its ttft_ms,
// token_delay_ms and faults). Returns a message naming the first invalid value instead.
std::optional<std::string> read_faults(const boost::beast::http::fields& headers,
                                       const SimOptions& options, Faults& out);

// The OpenAI-shaped error that x-sim-status asks for, typed as the real API types that status
// (429: "requests" / rate_limit_exceeded, 5xx: server_error, other 4xx: invalid_request_error).
ApiError fault_error(const Faults& faults);

// Checks the defaults alone, for startup: unknown fault names and invalid values.
std::optional<std::string> check_fault_options(const SimOptions& options);

}  // namespace tollgate::sim
