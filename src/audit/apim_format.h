// The compatibility format: audit events in the shape the Azure API Management
// log-to-eventhub pattern emits, so Stream Analytics and Power BI jobs written for it keep
// working after a migration. The mapping and its differences are in docs/events.md.
#pragma once

#include <string>
#include <string_view>

namespace tollgate::audit {

// Converts a serialized typed event into the APIM pattern's shape.
std::string to_apim(std::string_view typed_event);

}  // namespace tollgate::audit
