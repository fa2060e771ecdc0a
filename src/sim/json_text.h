// Hand-assembled JSON for the simulator's hot paths (stream events, embedding vectors), where
// building a boost::json::value per token would cost more than the bytes it produces.
#pragma once

#include <string>
#include <string_view>

namespace tollgate::sim {

// Appends `text` to `out` as a quoted, escaped JSON string. `text` is copied byte for byte apart
// from the escapes JSON requires, so UTF-8 passes through unchanged.
void append_json_string(std::string& out, std::string_view text);

}  // namespace tollgate::sim
