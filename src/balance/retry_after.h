// Retry-After as LLM services send it: how long a 429 or 503 asks the caller to stay away.
//
// Thread safety: a pure function.
#pragma once

#include <boost/beast/http/fields.hpp>
#include <chrono>
#include <optional>

namespace tollgate::balance {

// The wait that `headers` ask for, read from the most precise header present:
//   retry-after-ms, x-ms-retry-after-ms  milliseconds (Azure OpenAI, OpenAI)
//   retry-after                          seconds, or an HTTP date (RFC 9110 §10.2.3)
// A date in the past is a wait of zero. Returns nullopt when no header is present or none
// parses (a malformed value is treated as absent, never as "retry at once").
std::optional<std::chrono::milliseconds> retry_after(const boost::beast::http::fields& headers,
                                                     std::chrono::system_clock::time_point now);

}  // namespace tollgate::balance
