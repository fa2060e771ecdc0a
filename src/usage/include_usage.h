// Exact usage for streamed Chat Completions and Completions calls. Upstreams report a stream's
// usage only when the request says stream_options.include_usage; the gateway adds that when the
// client did not, where the backend accepts the field, and then hides what the option changes
// in the stream, so the client sees exactly the stream it asked for:
//
//   if (accepts_stream_options(...)) if (auto changed = add_include_usage(body)) {
//     send *changed; for each event: drop it if is_usage_only_chunk(sse_data(event)), else
//     forward without_null_usage(event)
//   }
//
// When add_include_usage returns nullopt the client asked for usage itself (or is not
// streaming), and its stream must be relayed untouched.
//
// Pure functions; safe from any thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/config.h"

namespace tollgate::usage {

// Whether the backend accepts "stream_options" in a request. `setting` is the backend's
// stream_usage: `always` and `never` decide alone (for a compatible server that rejects the
// field, or an Azure surface known to take it). `auto_detect` decides by kind and `api_version`,
// the one sent upstream (the backend's pinned version, else the client's): OpenAI yes; Azure
// from 2024-09-01-preview on, comparing the YYYY-MM-DD prefix so that a preview of that date or
// later counts; "v1" and "preview" (the v1 surface) yes; missing or unreadable versions no,
// because a field an old api-version rejects would break a call that works without it.
bool accepts_stream_options(BackendKind kind, std::string_view api_version,
                            BackendConfig::StreamUsage setting);

// For a JSON request body whose top-level "stream" is true: the body with
// "stream_options":{"include_usage":true} inserted right after the opening '{', or with
// include_usage added to (or set to true in) the stream_options object the body has, or with a
// null stream_options replaced; every other byte as it was. nullopt, meaning "send the body as
// it is", when stream is not true, when the client already set include_usage to true, when
// stream_options is neither an object nor null (the upstream will reject it as the client wrote
// it), and when the body is not one valid JSON object.
std::optional<std::string> add_include_usage(std::string_view body);

// Whether an event's data is the usage-only chunk include_usage adds at the end of a stream: a
// JSON object whose top-level "choices" is an empty array and whose "usage" is an object.
// (Azure's first chunk has empty choices too, but prompt_filter_results and no usage.)
bool is_usage_only_chunk(std::string_view data);

// The SSE event text ("data: {...}\n\n", any line endings) without the top-level
// "usage":null member that include_usage makes the upstream add to every chunk, together with
// the comma that joined it to its neighbour; every other byte as it was. A "usage":null inside
// a string or a nested object is not that member and stays. The event is returned unchanged
// when no data line holds one whole JSON object with exactly one top-level "usage" member that
// is null (a JSON value split over several data lines is left alone).
std::string without_null_usage(std::string_view event);

}  // namespace tollgate::usage
