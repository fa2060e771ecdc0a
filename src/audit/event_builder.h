// Builds the two audit events of a call (docs/events.md, schema/audit-event.schema.json) from
// its CallRecord. Pure functions: masking and size limits are applied elsewhere.
#pragma once

#include <string>

#include "audit/call_record.h"

namespace tollgate::audit {

inline constexpr const char* event_schema = "tollgate.audit.v1";

struct GatewayInfo {
  std::string instance;  // host name and process id
  std::string version;
};

// The request event, serialized, with a new event_id.
std::string request_event(const CallRecord& call, const GatewayInfo& gateway);
// The response event, serialized, with a new event_id.
std::string response_event(const CallRecord& call, const GatewayInfo& gateway);

}  // namespace tollgate::audit
