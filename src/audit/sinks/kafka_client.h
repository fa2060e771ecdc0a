// What the kafka sink and `tollgate ingest` share to reach a Kafka cluster or an Azure Event
// Hubs namespace: the connection settings (brokers, or an Event Hubs connection_string;
// topic; `properties` passed to librdkafka as they are), and a librdkafka configuration built
// from them whose log lines go to the gateway's log.
//
// Threading: plain values and functions; a configuration belongs to whoever builds it.
#pragma once

#include <map>
#include <memory>
#include <string>

struct rd_kafka_conf_s;
struct rd_kafka_s;

namespace tollgate::audit {

class SinkSettings;

struct KafkaClientSettings {
  std::map<std::string, std::string> properties;  // librdkafka's, bootstrap.servers included
  std::string topic;
  std::string label;  // where, for log lines: the bootstrap servers (no credentials)
};

// Reads `brokers` (HOST:PORT[,HOST:PORT...]) or `connection_string` (Event Hubs, which also
// gives the topic unless `topic` is set), `topic`, and `properties.*`. Throws
// std::runtime_error naming the setting.
KafkaClientSettings read_kafka_client(const SinkSettings& settings);

struct KafkaConfDeleter {
  void operator()(rd_kafka_conf_s* conf) const;
};
using KafkaConf = std::unique_ptr<rd_kafka_conf_s, KafkaConfDeleter>;

struct KafkaDeleter {
  void operator()(rd_kafka_s* kafka) const;
};
using KafkaHandle = std::unique_ptr<rd_kafka_s, KafkaDeleter>;

// A configuration holding `properties`, logging through spdlog. Throws std::runtime_error
// with librdkafka's reason for a property it refuses (`who` names the sink or command).
KafkaConf make_kafka_conf(const std::map<std::string, std::string>& properties,
                          const std::string& who);

}  // namespace tollgate::audit
