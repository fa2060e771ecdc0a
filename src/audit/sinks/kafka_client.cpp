#include "audit/sinks/kafka_client.h"

#include <fmt/format.h>
#include <librdkafka/rdkafka.h>
#include <spdlog/spdlog.h>

#include <stdexcept>

#include "audit/sinks/event_hubs.h"
#include "audit/sinks/sink_settings.h"

namespace tollgate::audit {

namespace {

// librdkafka's syslog levels, onto the gateway's log.
void log_line(const rd_kafka_t* kafka, int level, const char* facility, const char* text) {
  const char* name = kafka ? rd_kafka_name(kafka) : "kafka";
  if (level <= 3)
    spdlog::error("kafka client={} {}: {}", name, facility, text);
  else if (level <= 5)
    spdlog::warn("kafka client={} {}: {}", name, facility, text);
  else if (level == 6)
    spdlog::info("kafka client={} {}: {}", name, facility, text);
  else
    spdlog::debug("kafka client={} {}: {}", name, facility, text);
}

}  // namespace

KafkaClientSettings read_kafka_client(const SinkSettings& settings) {
  KafkaClientSettings out;
  const std::string brokers = settings.optional("brokers");
  const std::string connection_string = settings.optional("connection_string");
  if (brokers.empty() == connection_string.empty())
    settings.fail(brokers.empty() ? "brokers" : "connection_string",
                  "give either brokers (HOST:PORT,...) or an Event Hubs connection_string");
  out.topic = settings.optional("topic");
  if (!brokers.empty()) {
    out.properties["bootstrap.servers"] = brokers;
    out.label = brokers;
  } else {
    try {
      auto hub = parse_event_hubs(connection_string);
      out.properties = std::move(hub.properties);
      out.label = hub.bootstrap;
      if (out.topic.empty()) out.topic = hub.entity_path;
    } catch (const std::runtime_error& e) {
      settings.fail("connection_string", e.what());
    }
  }
  if (out.topic.empty())
    settings.fail("topic", connection_string.empty()
                               ? "is required"
                               : "is required (the connection string names no EntityPath)");
  // Given properties win over derived ones: an operator may know better (a CA file, say).
  for (auto& [key, value] : settings.group("properties.")) out.properties[key] = value;
  return out;
}

void KafkaConfDeleter::operator()(rd_kafka_conf_s* conf) const { rd_kafka_conf_destroy(conf); }

void KafkaDeleter::operator()(rd_kafka_s* kafka) const { rd_kafka_destroy(kafka); }

KafkaConf make_kafka_conf(const std::map<std::string, std::string>& properties,
                          const std::string& who) {
  KafkaConf conf(rd_kafka_conf_new());
  char error[512];
  for (const auto& [key, value] : properties)
    if (rd_kafka_conf_set(conf.get(), key.c_str(), value.c_str(), error, sizeof error) !=
        RD_KAFKA_CONF_OK)
      throw std::runtime_error(fmt::format("{}: Kafka property '{}': {}", who, key, error));
  rd_kafka_conf_set_log_cb(conf.get(), log_line);
  return conf;
}

}  // namespace tollgate::audit
