// Token usage of one call, as the upstream reported it or as estimated when it did not, read
// from every response shape the gateway audits. Counts are exact integers or absent, never
// guessed from a malformed field: an audit that bills on them must not invent numbers.
//
// Pure functions and a plain value type; safe from any thread.
#pragma once

#include <boost/json/fwd.hpp>
#include <cstdint>
#include <optional>

namespace tollgate::usage {

struct Usage {
  std::optional<std::int64_t> prompt_tokens;
  std::optional<std::int64_t> completion_tokens;
  std::optional<std::int64_t> total_tokens;
  std::optional<std::int64_t> cached_tokens;     // part of prompt_tokens served from cache
  std::optional<std::int64_t> reasoning_tokens;  // part of completion_tokens spent reasoning
  enum class Source { none, upstream, estimated } source = Source::none;
};

// The "usage" member of a response body: a chat.completion, text_completion, embeddings list,
// a stream's final usage chunk, or a Responses API response object. Both naming schemes are
// read: prompt_/completion_tokens with prompt_/completion_tokens_details, and input_/
// output_tokens with input_/output_tokens_details. A count is taken only when it is a
// non-negative integral JSON number; anything else leaves it absent. An embeddings list
// ("object": "list") has no completion, so its completion_tokens is 0 when not reported.
// Source is `upstream` when at least one count was read, else `none` (no usage member, null,
// or nothing usable in it).
Usage usage_from_body(const boost::json::value& body);

// The audit event's "usage" object: the five counts (null when absent) and "source"
// ("upstream", "estimated", or null for none).
boost::json::value to_json(const Usage& usage);

}  // namespace tollgate::usage
