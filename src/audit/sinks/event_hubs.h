// Azure Event Hubs connection strings
//   Endpoint=sb://NAMESPACE.servicebus.windows.net/;SharedAccessKeyName=NAME;
//   SharedAccessKey=KEY[;EntityPath=HUB]
// read for the Kafka endpoint (the kafka sink) and the REST API (the eventhubs_http sink).
//
// Through the Kafka endpoint: the bootstrap server is NAMESPACE.servicebus.windows.net:9093, over
// SASL_SSL with the PLAIN mechanism, user name "$ConnectionString" and the whole connection string
// as the password; the event hub (EntityPath) is the Kafka topic. The string is a secret: no
// message quotes it.
#pragma once

#include <map>
#include <string>
#include <string_view>

namespace tollgate::audit {

// The parts of a connection string. Keys are case-insensitive; absent parts are "".
struct EventHubsConnection {
  std::string host;  // NAMESPACE.servicebus.windows.net
  std::string key_name;
  std::string key;
  std::string signature;    // a SharedAccessSignature given instead of a key
  std::string entity_path;  // the event hub
};

// Throws std::runtime_error saying what is missing or malformed (never the string itself):
// an Endpoint with a host, and a key (name and value) or a signature, are required.
EventHubsConnection parse_event_hubs_connection(std::string_view connection_string);

struct EventHubsEndpoint {
  std::string bootstrap;                          // HOST:9093
  std::string entity_path;                        // the event hub, or "" if the string names none
  std::map<std::string, std::string> properties;  // librdkafka settings, bootstrap included
};

// Throws std::runtime_error saying what is missing or malformed (never the string itself).
EventHubsEndpoint parse_event_hubs(std::string_view connection_string);

}  // namespace tollgate::audit
