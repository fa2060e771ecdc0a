#include "audit/sinks/call_columns.h"

#include <fmt/format.h>

#include <array>
#include <charconv>

namespace tollgate::audit {

namespace {

constexpr auto request = EventSide::request;
constexpr auto response = EventSide::response;

// What the client asked, and who asked, is decided by the request event, which is written
// when the call is admitted; how the call ended is decided by the response event. The
// routing target is the response's: a retry may have moved the call to another backend.
// The apim format's `backend` is a host, not the backend's name, so it fills no column.
constexpr std::array<CallColumn, 37> columns{{
    {.name = "request_time",
     .pointer = "/time",
     .owner = request,
     .owner_only = true,
     .apim_pointer = "/event-time"},
    {.name = "response_time",
     .pointer = "/time",
     .owner = response,
     .owner_only = true,
     .apim_pointer = "/event-time"},
    {.name = "operation",
     .pointer = "/call/operation",
     .owner = request,
     .apim_pointer = "/operation"},
    {.name = "api_style", .pointer = "/call/api_style", .owner = request},
    {.name = "model", .pointer = "/call/model", .owner = request, .apim_pointer = "/model"},
    {.name = "served_model",
     .pointer = "/call/served_model",
     .owner = response,
     .apim_pointer = "/model"},
    {.name = "deployment", .pointer = "/call/deployment", .owner = request},
    {.name = "api_version", .pointer = "/call/api_version", .owner = request},
    {.name = "stream", .pointer = "/call/stream", .owner = request},
    {.name = "backend", .pointer = "/routing/backend", .owner = response},
    {.name = "region", .pointer = "/routing/region", .owner = response},
    {.name = "auth_method", .pointer = "/identity/auth_method", .owner = request},
    {.name = "app_id", .pointer = "/identity/app_id", .owner = request, .apim_pointer = "/appid"},
    {.name = "object_id", .pointer = "/identity/object_id", .owner = request},
    {.name = "tenant_id", .pointer = "/identity/tenant_id", .owner = request},
    {.name = "subject", .pointer = "/identity/subject", .owner = request},
    {.name = "name", .pointer = "/identity/name", .owner = request},
    {.name = "client_ip", .pointer = "/client/ip", .owner = request},
    {.name = "user_agent", .pointer = "/client/user_agent", .owner = request},
    {.name = "end_user", .pointer = "/client/user", .owner = request},
    {.name = "status", .pointer = "/response/status", .owner = response},
    {.name = "outcome", .pointer = "/response/outcome", .owner = response},
    {.name = "prompt_tokens",
     .pointer = "/usage/prompt_tokens",
     .owner = response,
     .apim_pointer = "/prompt_tokens",
     .apim_text_number = true},
    {.name = "completion_tokens",
     .pointer = "/usage/completion_tokens",
     .owner = response,
     .apim_pointer = "/completion_tokens",
     .apim_text_number = true},
    {.name = "total_tokens",
     .pointer = "/usage/total_tokens",
     .owner = response,
     .apim_pointer = "/total_tokens",
     .apim_text_number = true},
    {.name = "cached_tokens", .pointer = "/usage/cached_tokens", .owner = response},
    {.name = "reasoning_tokens", .pointer = "/usage/reasoning_tokens", .owner = response},
    {.name = "usage_source", .pointer = "/usage/source", .owner = response},
    {.name = "cost_amount", .pointer = "/cost/amount", .owner = response},
    {.name = "cost_currency", .pointer = "/cost/currency", .owner = response},
    {.name = "duration_ms", .pointer = "/timing/duration_ms", .owner = response},
    {.name = "upstream_ttfb_ms", .pointer = "/timing/upstream_ttfb_ms", .owner = response},
    {.name = "model_time_ms",
     .pointer = "/timing/model_time_ms",
     .owner = response,
     .apim_pointer = "/modeltime",
     .apim_text_number = true},
    {.name = "gateway_overhead_us", .pointer = "/timing/gateway_overhead_us", .owner = response},
    {.name = "request_bytes", .pointer = "/request/bytes", .owner = request},
    {.name = "response_bytes", .pointer = "/response/bytes", .owner = response},
    // The request event lists no attempts yet: only the response's count is the call's.
    {.name = "attempts",
     .pointer = "/routing/attempts",
     .owner = response,
     .owner_only = true,
     .count = true},
}};

using simdjson::dom::element;

std::optional<std::string_view> string_member(element object, std::string_view key) {
  std::string_view value;
  if (object[key].get(value) != simdjson::SUCCESS) return std::nullopt;
  return value;
}

CallValue scalar(element value) {
  switch (value.type()) {
    case simdjson::dom::element_type::STRING:
      return value.get_string().value_unsafe();
    case simdjson::dom::element_type::INT64:
      return value.get_int64().value_unsafe();
    case simdjson::dom::element_type::UINT64:  // only above INT64_MAX
    case simdjson::dom::element_type::DOUBLE:
      return value.get_double().value_unsafe();
    case simdjson::dom::element_type::BOOL:
      return value.get_bool().value_unsafe();
    default:  // null; objects and arrays have no column to go to
      return std::monostate{};
  }
}

// The apim format writes counts as decimal text, "" when there is none.
CallValue text_number(element value) {
  std::string_view text;
  if (value.get(text) != simdjson::SUCCESS) return scalar(value);
  std::int64_t number = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), number);
  if (error != std::errc() || end != text.data() + text.size()) return std::monostate{};
  return number;
}

CallValue typed_value(const CallColumn& column, EventSide side, element event) {
  element value;
  if ((column.owner_only && column.owner != side) ||
      event.at_pointer(column.pointer).get(value) != simdjson::SUCCESS)
    return std::monostate{};
  if (!column.count) return scalar(value);
  simdjson::dom::array items;
  if (value.get(items) != simdjson::SUCCESS) return std::monostate{};
  return static_cast<std::int64_t>(items.size());
}

CallValue apim_value(const CallColumn& column, EventSide side, element event) {
  element value;
  // Only the owner's event: the two apim events use the same names for different things
  // (`model` is the requested model in one, the served model in the other).
  if (column.apim_pointer.empty() || column.owner != side ||
      event.at_pointer(column.apim_pointer).get(value) != simdjson::SUCCESS)
    return std::monostate{};
  if (column.apim_text_number) return text_number(value);
  CallValue out = scalar(value);
  // apim writes "" where the typed event has null (an unknown application, say).
  if (auto* text = std::get_if<std::string_view>(&out); text && text->empty())
    return std::monostate{};
  return out;
}

}  // namespace

std::span<const CallColumn> call_columns() { return columns; }

std::string call_upsert_sql(EventSide side, std::string_view values) {
  std::string names = "message_id";
  std::string updates;
  for (const auto& column : columns) {
    names += fmt::format(", {}", column.name);
    if (!updates.empty()) updates += ", ";
    if (column.owner == side)
      updates += fmt::format("{0} = coalesce(excluded.{0}, calls.{0})", column.name);
    else
      updates += fmt::format("{0} = coalesce(calls.{0}, excluded.{0})", column.name);
  }
  return fmt::format("INSERT INTO calls ({}) VALUES {} ON CONFLICT (message_id) DO UPDATE SET {}",
                     names, values, updates);
}

std::optional<CallFacts> read_call(element event) {
  if (event["part"].error() != simdjson::NO_SUCH_FIELD) return std::nullopt;
  const bool apim = event["event-type"].error() != simdjson::NO_SUCH_FIELD;
  auto type = string_member(event, apim ? "event-type" : "event_type");
  auto message_id = string_member(event, apim ? "message-id" : "message_id");
  if (!type || !message_id || message_id->empty()) return std::nullopt;
  CallFacts facts{.side = EventSide::request, .message_id = *message_id, .values = {}};
  if (*type == (apim ? "Response" : "response"))
    facts.side = EventSide::response;
  else if (*type != (apim ? "Request" : "request"))
    return std::nullopt;
  facts.values.reserve(columns.size());
  for (const auto& column : columns)
    facts.values.push_back(apim ? apim_value(column, facts.side, event)
                                : typed_value(column, facts.side, event));
  return facts;
}

}  // namespace tollgate::audit
