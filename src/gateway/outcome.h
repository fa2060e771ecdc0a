// How a call ended, as the access log (and later the audit events) records it.
#pragma once

#include <string_view>

namespace tollgate::gateway {

enum class Outcome {
  ok,              // the backend's answer reached the client whole (errors included)
  upstream_error,  // the backend failed mid-answer or could not be reached
  gateway_error,   // the gateway refused or failed the call itself
  timeout,         // the backend did not answer in time
  client_aborted,  // the client went away before the answer was complete
};

constexpr std::string_view to_string(Outcome outcome) {
  switch (outcome) {
    case Outcome::ok:
      return "ok";
    case Outcome::upstream_error:
      return "upstream_error";
    case Outcome::gateway_error:
      return "gateway_error";
    case Outcome::timeout:
      return "timeout";
    case Outcome::client_aborted:
      return "client_aborted";
  }
  return "unknown";
}

}  // namespace tollgate::gateway
