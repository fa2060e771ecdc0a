#include "audit/sinks/call_columns.h"

#include <array>

namespace tollgate::audit {

namespace {

constexpr auto request = EventSide::request;
constexpr auto response = EventSide::response;

// What the client asked, and who asked, is decided by the request event, which is written
// when the call is admitted; how the call ended is decided by the response event. The
// routing target is the response's: a retry may have moved the call to another backend.
constexpr std::array<CallColumn, 37> columns{{
    {"request_time", "/time", request, true},
    {"response_time", "/time", response, true},
    {"operation", "/call/operation", request},
    {"api_style", "/call/api_style", request},
    {"model", "/call/model", request},
    {"served_model", "/call/served_model", response},
    {"deployment", "/call/deployment", request},
    {"api_version", "/call/api_version", request},
    {"stream", "/call/stream", request},
    {"backend", "/routing/backend", response},
    {"region", "/routing/region", response},
    {"auth_method", "/identity/auth_method", request},
    {"app_id", "/identity/app_id", request},
    {"object_id", "/identity/object_id", request},
    {"tenant_id", "/identity/tenant_id", request},
    {"subject", "/identity/subject", request},
    {"name", "/identity/name", request},
    {"client_ip", "/client/ip", request},
    {"user_agent", "/client/user_agent", request},
    {"end_user", "/client/user", request},
    {"status", "/response/status", response},
    {"outcome", "/response/outcome", response},
    {"prompt_tokens", "/usage/prompt_tokens", response},
    {"completion_tokens", "/usage/completion_tokens", response},
    {"total_tokens", "/usage/total_tokens", response},
    {"cached_tokens", "/usage/cached_tokens", response},
    {"reasoning_tokens", "/usage/reasoning_tokens", response},
    {"usage_source", "/usage/source", response},
    {"cost_amount", "/cost/amount", response},
    {"cost_currency", "/cost/currency", response},
    {"duration_ms", "/timing/duration_ms", response},
    {"upstream_ttfb_ms", "/timing/upstream_ttfb_ms", response},
    {"model_time_ms", "/timing/model_time_ms", response},
    {"gateway_overhead_us", "/timing/gateway_overhead_us", response},
    {"request_bytes", "/request/bytes", request},
    {"response_bytes", "/response/bytes", response},
    // The request event lists no attempts yet: only the response's count is the call's.
    {"attempts", "/routing/attempts", response, true, true},
}};

}  // namespace

std::span<const CallColumn> call_columns() { return columns; }

}  // namespace tollgate::audit
