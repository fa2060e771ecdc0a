// Azure Event Hubs through its Kafka endpoint: what a Kafka client needs, derived from an
// Event Hubs connection string
//   Endpoint=sb://NAMESPACE.servicebus.windows.net/;SharedAccessKeyName=NAME;
//   SharedAccessKey=KEY[;EntityPath=HUB]
// The bootstrap server is NAMESPACE.servicebus.windows.net:9093, over SASL_SSL with the PLAIN
// mechanism, user name "$ConnectionString" and the whole connection string as the password;
// the event hub (EntityPath) is the Kafka topic. The string is a secret: no message quotes it.
#pragma once

#include <map>
#include <string>
#include <string_view>

namespace tollgate::audit {

struct EventHubsEndpoint {
  std::string bootstrap;                          // HOST:9093
  std::string entity_path;                        // the event hub, or "" if the string names none
  std::map<std::string, std::string> properties;  // librdkafka settings, bootstrap included
};

// Throws std::runtime_error saying what is missing or malformed (never the string itself).
EventHubsEndpoint parse_event_hubs(std::string_view connection_string);

}  // namespace tollgate::audit
