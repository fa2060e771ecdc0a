#include "sim/tool_call.h"

#include <boost/json.hpp>

namespace tollgate::sim {

namespace json = boost::json;

namespace {

// The object that holds a tool's (or a tool_choice's) name: its "function" member in the Chat
// Completions shape, the object itself in the Responses shape.
const json::object& function_of(const json::object& tool) {
  const json::value* function = tool.if_contains("function");
  if (function && function->is_object()) return function->get_object();
  return tool;
}

std::string_view name_of(const json::object& function) {
  const json::value* name = function.if_contains("name");
  return name && name->is_string() ? std::string_view(name->get_string()) : std::string_view();
}

bool is_function_tool(const json::value& tool) {
  const auto* object = tool.if_object();
  if (!object) return false;
  const json::value* type = object->if_contains("type");
  return type && type->is_string() && type->get_string() == "function" &&
         !name_of(function_of(*object)).empty();
}

// The first type a schema allows other than "null": "type" may be a string or a list.
std::string_view type_of(const json::object& schema) {
  const json::value* type = schema.if_contains("type");
  if (!type) return {};
  if (type->is_string()) return type->get_string();
  if (const auto* types = type->if_array()) {
    for (const auto& t : *types)
      if (t.is_string() && t.get_string() != "null") return t.get_string();
  }
  return {};
}

json::value argument_value(const json::object* schema, std::uint64_t seed,
                           std::optional<std::string_view> echo) {
  if (schema) {
    const json::value* allowed = schema->if_contains("enum");
    if (allowed && allowed->is_array() && !allowed->get_array().empty())
      return allowed->get_array().front();
    if (const json::value* constant = schema->if_contains("const")) return *constant;
    std::string_view type = type_of(*schema);
    if (type == "integer" || type == "number") return static_cast<std::int64_t>(mix(seed) % 100);
    if (type == "boolean") return true;
    if (type == "array") return json::array();
    if (type == "object") return json::object();
  }
  if (echo) return json::string(*echo);
  return json::string(words(seed, 2).text);
}

}  // namespace

std::optional<ToolSpec> choose_tool(const json::object& body) {
  const json::value* tools = body.if_contains("tools");
  if (!tools || !tools->is_array()) return std::nullopt;

  std::string_view wanted;
  if (const json::value* choice = body.if_contains("tool_choice")) {
    if (choice->is_string() && choice->get_string() == "none") return std::nullopt;
    if (choice->is_object()) wanted = name_of(function_of(choice->get_object()));
  }

  const json::object* chosen = nullptr;
  for (const auto& tool : tools->get_array()) {
    if (!is_function_tool(tool)) continue;
    const json::object& function = function_of(tool.get_object());
    if (!chosen) chosen = &function;
    if (name_of(function) == wanted) {
      chosen = &function;
      break;
    }
  }
  if (!chosen) return std::nullopt;

  ToolSpec spec{name_of(*chosen), nullptr};
  const json::value* parameters = chosen->if_contains("parameters");
  if (parameters && parameters->is_object()) spec.parameters = &parameters->get_object();
  return spec;
}

std::string tool_arguments(const ToolSpec& tool, std::uint64_t seed,
                           std::optional<std::string_view> echo) {
  json::object arguments;
  if (tool.parameters) {
    const json::value* required = tool.parameters->if_contains("required");
    const json::value* properties = tool.parameters->if_contains("properties");
    const json::object* schemas = properties ? properties->if_object() : nullptr;
    if (required && required->is_array()) {
      for (const auto& name : required->get_array()) {
        if (!name.is_string()) continue;
        const json::value* schema = schemas ? schemas->if_contains(name.get_string()) : nullptr;
        arguments[name.get_string()] = argument_value(schema ? schema->if_object() : nullptr,
                                                      fnv1a(name.get_string(), seed), echo);
      }
    }
  }
  return json::serialize(arguments);
}

std::string tool_call_id(std::uint64_t seed, std::string_view name) {
  return "call_" + hex64(mix(fnv1a(name, seed)));
}

}  // namespace tollgate::sim
