#include "audit/event_builder.h"

#include <boost/json.hpp>

#include "core/clock.h"
#include "core/ids.h"

namespace tollgate::audit {

namespace json = boost::json;

namespace {

json::value text_or_null(const std::string& text) {
  if (text.empty()) return nullptr;
  return json::string(text);
}

template <class T>
json::value optional_number(const std::optional<T>& value) {
  if (!value) return nullptr;
  return json::value(*value);
}

// The members both events share: envelope, call, identity, client and routing.
json::object common(const CallRecord& call, const GatewayInfo& gateway, const char* type,
                    std::chrono::system_clock::time_point time) {
  json::object event;
  event["schema"] = event_schema;
  event["event_id"] = new_uuid();
  event["event_type"] = type;
  event["message_id"] = call.message_id;
  event["time"] = rfc3339_micros(time);
  event["gateway"] = {{"instance", gateway.instance}, {"version", gateway.version}};
  event["call"] = {{"operation", call.operation},
                   {"api_style", call.api_style},
                   {"method", call.method},
                   {"path", call.path},
                   {"deployment", text_or_null(call.deployment)},
                   {"api_version", text_or_null(call.api_version)},
                   {"model", text_or_null(call.model)},
                   {"served_model", text_or_null(call.served_model)},
                   {"stream", call.stream}};
  const auto& identity = call.identity;
  json::array roles;
  for (const auto& role : identity.roles) roles.emplace_back(role);
  event["identity"] = {{"auth_method", identity.auth_method},
                       {"app_id", text_or_null(identity.app_id)},
                       {"object_id", text_or_null(identity.object_id)},
                       {"tenant_id", text_or_null(identity.tenant_id)},
                       {"subject", text_or_null(identity.subject)},
                       {"name", text_or_null(identity.name)},
                       {"roles", std::move(roles)}};
  event["client"] = {{"ip", call.client_ip},
                     {"user_agent", text_or_null(call.user_agent)},
                     {"user", text_or_null(call.end_user)}};
  json::array attempts;
  for (const auto& attempt : call.attempts)
    attempts.push_back(
        {{"backend", attempt.backend},
         {"deployment", text_or_null(attempt.deployment)},
         {"status", attempt.status == 0 ? json::value(nullptr) : json::value(attempt.status)},
         {"duration_ms", attempt.duration_ms},
         {"error", text_or_null(attempt.error)}});
  event["routing"] = {{"backend", text_or_null(call.backend)},
                      {"backend_host", text_or_null(call.backend_host)},
                      {"region", text_or_null(call.region)},
                      {"attempts", std::move(attempts)}};
  return event;
}

}  // namespace

std::string request_event(const CallRecord& call, const GatewayInfo& gateway) {
  auto event = common(call, gateway, "request", call.received_at);
  event["request"] = {{"body", call.request_body},
                      {"bytes", call.request_bytes},
                      {"truncated", false},
                      {"content_type", text_or_null(call.request_content_type)}};
  return json::serialize(event);
}

std::string response_event(const CallRecord& call, const GatewayInfo& gateway) {
  auto event = common(call, gateway, "response", std::chrono::system_clock::now());
  event["response"] = {{"status", call.status},
                       {"outcome", call.outcome},
                       {"body", call.response_body},
                       {"bytes", call.response_bytes},
                       {"truncated", false},
                       {"chunks", optional_number(call.chunks)},
                       {"time_to_first_token_ms", optional_number(call.time_to_first_token_ms)},
                       {"error", text_or_null(call.error)}};
  if (call.usage.is_object()) {
    event["usage"] = call.usage;
  } else {
    event["usage"] = {{"prompt_tokens", nullptr},    {"completion_tokens", nullptr},
                      {"total_tokens", nullptr},     {"cached_tokens", nullptr},
                      {"reasoning_tokens", nullptr}, {"source", nullptr}};
  }
  event["cost"] = {{"amount", optional_number(call.cost_amount)},
                   {"currency", text_or_null(call.cost_currency)}};
  event["timing"] = {{"duration_ms", call.duration_ms},
                     {"upstream_ttfb_ms", optional_number(call.upstream_ttfb_ms)},
                     {"model_time_ms", optional_number(call.model_time_ms)},
                     {"gateway_overhead_us", optional_number(call.gateway_overhead_us)}};
  return json::serialize(event);
}

}  // namespace tollgate::audit
