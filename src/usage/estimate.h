// A token estimate for a call whose upstream reported no usage: an old api-version that cannot
// ask for it in a stream, a stream that broke, a client that left. The method and its error
// bounds are in docs/usage.md; in short, tokens ≈ ceil(UTF-8 bytes of text / 4), plus a fixed
// overhead per chat message, and token-id prompts counted exactly.
//
// A pure function; safe from any thread.
#pragma once

#include <boost/json/fwd.hpp>
#include <string_view>

#include "usage/usage.h"

namespace tollgate::usage {

// `request_body`: the parsed request (whether or not bodies are logged). `result`: the
// response body, or a stream's StreamAssembler::result() (null when nothing arrived).
// `operation`: as for StreamAssembler, plus "embeddings". Returns prompt, completion and total
// tokens with source `estimated`, cached and reasoning tokens absent (nothing shows them), or
// an empty Usage (source none) for other operations or a request body that is not an object.
Usage estimate_usage(const boost::json::value& request_body, const boost::json::value& result,
                     std::string_view operation);

}  // namespace tollgate::usage
