// How a streamed delta adds to what came before it, the rule the OpenAI SDKs use to rebuild a
// message from chunks. Being generic, it keeps whatever a delta carries (content, refusal,
// tool calls, audio transcripts, logprobs) without a case per field:
//
//  - strings concatenate, except those that name rather than accumulate (id, type, name, role),
//    where the first non-empty value stays: some compatible servers repeat them on every chunk;
//  - objects merge member by member;
//  - arrays whose elements carry an integer "index" (tool_calls) merge element by element with
//    the earlier element of the same index; other arrays (logprobs.content) append;
//  - other values replace what was there, and null never erases anything.
//
// A pure function; safe from any thread on distinct objects.
#pragma once

#include <boost/json/fwd.hpp>

namespace tollgate::usage {

void merge_delta(boost::json::object& into, const boost::json::object& delta);

}  // namespace tollgate::usage
