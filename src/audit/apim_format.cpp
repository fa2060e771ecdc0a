#include "audit/apim_format.h"

#include <boost/json.hpp>
#include <cmath>

#include "core/json.h"

namespace tollgate::audit {

namespace json = boost::json;

namespace {

const json::value null_value;

const json::value& at(const json::value& value, std::initializer_list<const char*> path) {
  const json::value* current = &value;
  for (const char* key : path) {
    const auto* object = current->if_object();
    if (!object) return null_value;
    current = object->if_contains(key);
    if (!current) return null_value;
  }
  return *current;
}

// The APIM operation ids the reference's jobs group by.
json::string operation_id(const json::value& operation) {
  static const std::pair<std::string_view, std::string_view> ids[] = {
      {"chat.completions", "ChatCompletions_Create"},
      {"completions", "Completions_Create"},
      {"embeddings", "embeddings_create"},
      {"responses", "Responses_Create"}};
  std::string_view name = operation.is_string() ? std::string_view(operation.as_string()) : "";
  for (const auto& [typed, apim] : ids)
    if (name == typed) return json::string(apim);
  return json::string(name);
}

// The reference writes token counts and model time as strings; its jobs cast them, so they
// stay strings.
json::value count_text(const json::value& count) {
  if (count.is_int64()) return json::string(std::to_string(count.as_int64()));
  if (count.is_uint64()) return json::string(std::to_string(count.as_uint64()));
  if (count.is_double()) return json::string(std::to_string(std::llround(count.as_double())));
  return "";
}

}  // namespace

std::string to_apim(std::string_view typed_event) {
  json::value event = parse_json(typed_event);
  const bool request = at(event, {"event_type"}) == "request";
  json::object out;
  out["event-type"] = request ? "Request" : "Response";
  out["event-time"] = at(event, {"time"});
  out["backend"] = at(event, {"routing", "backend_host"});
  out["message-id"] = at(event, {"message_id"});
  out["operation"] = operation_id(at(event, {"call", "operation"}));
  out["appid"] = at(event, {"identity", "app_id"}).is_null() ? json::value("")
                                                             : at(event, {"identity", "app_id"});
  out["apiId"] = "tollgate";
  out["productId"] = "";
  if (request) {
    const auto& body = at(event, {"request", "body"});
    out["model"] =
        at(body, {"model"}).is_null() ? at(event, {"call", "model"}) : at(body, {"model"});
    out["prompt"] = at(body, {"prompt"});
    out["messages"] = at(body, {"messages"});
  } else {
    const auto& body = at(event, {"response", "body"});
    out["model"] = at(event, {"call", "served_model"});
    out["choices"] = at(body, {"choices"});
    out["modeltime"] = count_text(at(event, {"timing", "model_time_ms"}));
    out["prompt_tokens"] = count_text(at(event, {"usage", "prompt_tokens"}));
    out["completion_tokens"] = count_text(at(event, {"usage", "completion_tokens"}));
    out["total_tokens"] = count_text(at(event, {"usage", "total_tokens"}));
  }
  return json::serialize(out);
}

}  // namespace tollgate::audit
