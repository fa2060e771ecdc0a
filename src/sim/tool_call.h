// The simulator's tool calls: which function a request's `tools` and `tool_choice` make the
// answer call, and the arguments it passes.
#pragma once

#include <boost/json/fwd.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "sim/prompt.h"

namespace tollgate::sim {

// The function to call: the one `tool_choice` names, else the first function tool. nullopt when
// there is no function tool or tool_choice is "none". Reads both the Chat Completions shape
// ({"type":"function","function":{"name","parameters"}}) and the flat Responses shape
// ({"type":"function","name","parameters"}). The result views `body`.
std::optional<ToolSpec> choose_tool(const boost::json::object& body);

// The arguments of a call to `tool`, serialized: a JSON object with a value for each `required`
// parameter, in order. A parameter with `enum` or `const` gets the first allowed value; an
// integer or number one from 0 to 99, a boolean true, an array [], an object {}; any other
// parameter, a string: `echo` when the request asked for an echo, else two vocabulary words.
std::string tool_arguments(const ToolSpec& tool, std::uint64_t seed,
                           std::optional<std::string_view> echo);

// "call_" and 16 hex digits derived from `seed` and the function's name.
std::string tool_call_id(std::uint64_t seed, std::string_view name);

}  // namespace tollgate::sim
