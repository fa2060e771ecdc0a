#include "audit/sinks/event_hubs.h"

#include <stdexcept>

namespace tollgate::audit {

namespace {

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if ((a[i] | 0x20) != (b[i] | 0x20)) return false;
  return true;
}

}  // namespace

EventHubsConnection parse_event_hubs_connection(std::string_view connection_string) {
  std::map<std::string, std::string, std::less<>> fields;
  std::string_view rest = connection_string;
  while (!rest.empty()) {
    auto end = rest.find(';');
    std::string_view field = trim(rest.substr(0, end));
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
    if (field.empty()) continue;
    // Keys are case-insensitive; a value (a base64 key) may itself contain '='.
    auto eq = field.find('=');
    if (eq == std::string_view::npos || eq == 0)
      throw std::runtime_error(
          "the Event Hubs connection string must be KEY=VALUE fields separated by ';'");
    std::string key(trim(field.substr(0, eq)));
    for (auto& c : key) c = static_cast<char>(c | 0x20);
    fields[key] = std::string(trim(field.substr(eq + 1)));
  }
  auto field = [&](std::string_view key) -> std::string {
    auto it = fields.find(key);
    return it == fields.end() ? std::string() : it->second;
  };

  std::string endpoint = field("endpoint");
  constexpr std::string_view scheme = "sb://";
  if (endpoint.size() <= scheme.size() || !iequals(endpoint.substr(0, scheme.size()), scheme))
    throw std::runtime_error(
        "the Event Hubs connection string needs Endpoint=sb://NAMESPACE.servicebus.windows.net/");
  std::string host = endpoint.substr(scheme.size());
  host = host.substr(0, host.find('/'));
  if (host.empty() || host.find(':') != std::string::npos)
    throw std::runtime_error(
        "the Event Hubs connection string's Endpoint must name a host, as "
        "sb://NAMESPACE.servicebus.windows.net/");
  EventHubsConnection connection{host, field("sharedaccesskeyname"), field("sharedaccesskey"),
                                 field("sharedaccesssignature"), field("entitypath")};
  const bool key = !connection.key_name.empty() && !connection.key.empty();
  if (!key && connection.signature.empty())
    throw std::runtime_error(
        "the Event Hubs connection string needs SharedAccessKeyName and SharedAccessKey (or a "
        "SharedAccessSignature)");
  return connection;
}

EventHubsEndpoint parse_event_hubs(std::string_view connection_string) {
  const auto connection = parse_event_hubs_connection(connection_string);
  EventHubsEndpoint out;
  out.bootstrap = connection.host + ":9093";
  out.entity_path = connection.entity_path;
  out.properties = {
      {"bootstrap.servers", out.bootstrap},
      {"security.protocol", "SASL_SSL"},
      {"sasl.mechanisms", "PLAIN"},
      {"sasl.username", "$ConnectionString"},
      {"sasl.password", std::string(trim(connection_string))},
  };
  return out;
}

}  // namespace tollgate::audit
