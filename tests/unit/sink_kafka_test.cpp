#include <gtest/gtest.h>

#include <string>

#include "audit/sink.h"
#include "audit/sinks/event_hubs.h"
#include "audit/sinks/kafka_sink.h"

namespace tollgate::audit {
namespace {

const std::string hub =
    "Endpoint=sb://contoso-ns.servicebus.windows.net/;SharedAccessKeyName=send;"
    "SharedAccessKey=abc+def/ghi=;EntityPath=audit-events";

TEST(EventHubs, DerivesTheKafkaEndpointFromAConnectionString) {
  auto endpoint = parse_event_hubs(hub);
  EXPECT_EQ(endpoint.bootstrap, "contoso-ns.servicebus.windows.net:9093");
  EXPECT_EQ(endpoint.entity_path, "audit-events");
  EXPECT_EQ(endpoint.properties.at("bootstrap.servers"), "contoso-ns.servicebus.windows.net:9093");
  EXPECT_EQ(endpoint.properties.at("security.protocol"), "SASL_SSL");
  EXPECT_EQ(endpoint.properties.at("sasl.mechanisms"), "PLAIN");
  EXPECT_EQ(endpoint.properties.at("sasl.username"), "$ConnectionString");
  EXPECT_EQ(endpoint.properties.at("sasl.password"), hub);
}

TEST(EventHubs, KeysAreCaseInsensitiveAndTheHubOptional) {
  auto endpoint = parse_event_hubs(
      " endpoint=SB://ns.servicebus.windows.net;sharedaccesskeyname=k;sharedaccesskey=v== ;");
  EXPECT_EQ(endpoint.bootstrap, "ns.servicebus.windows.net:9093");
  EXPECT_EQ(endpoint.entity_path, "");
}

TEST(EventHubs, ProblemsNeverQuoteTheSecret) {
  for (std::string bad : {
           "SharedAccessKeyName=k;SharedAccessKey=secret-1",  // no endpoint
           "Endpoint=https://ns.servicebus.windows.net/;SharedAccessKeyName=k;"
           "SharedAccessKey=secret-1",                                        // not sb://
           "Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=k",  // no key
           "Endpoint=sb://ns.servicebus.windows.net/;secret-1",               // not KEY=VALUE
       }) {
    try {
      parse_event_hubs(bad);
      ADD_FAILURE() << "accepted: " << bad;
    } catch (const std::runtime_error& e) {
      EXPECT_EQ(std::string(e.what()).find("secret-1"), std::string::npos) << e.what();
      EXPECT_EQ(std::string(e.what()).find("ns.servicebus"), std::string::npos) << e.what();
    }
  }
}

SinkConfig kafka(std::map<std::string, std::string> settings) {
  SinkConfig config;
  config.type = config.name = "kafka";
  config.settings = std::move(settings);
  return config;
}

std::string check_problem(const SinkConfig& config) {
  try {
    check_sink(config);
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "";
}

TEST(KafkaSinkSettings, AreCheckedWithoutConnecting) {
  EXPECT_EQ(check_problem(kafka({{"brokers", "127.0.0.1:9"}, {"topic", "t"}})), "");
  EXPECT_EQ(check_problem(kafka({{"connection_string", hub}})), "");  // the hub is the topic
  EXPECT_EQ(check_problem(kafka({{"topic", "t"}})),
            "kafka sink: setting 'brokers': give either brokers (HOST:PORT,...) or an Event Hubs "
            "connection_string");
  EXPECT_EQ(check_problem(kafka({{"brokers", "b:1"}})), "kafka sink: setting 'topic': is required");
  EXPECT_EQ(check_problem(kafka({{"brokers", "b:1"}, {"topic", "t"}, {"key", "user"}})),
            "kafka sink: setting 'key': must be one of message_id, app_id, not 'user'");
  EXPECT_NE(check_problem(kafka({{"brokers", "b:1"}, {"topic", "t"}, {"properties.nope", "1"}}))
                .find("Kafka property 'nope'"),
            std::string::npos);
  const std::string hub_problem = check_problem(kafka(
      {{"connection_string", "Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKey=s3"}}));
  EXPECT_NE(hub_problem.find("setting 'connection_string'"), std::string::npos);
  EXPECT_EQ(hub_problem.find("s3"), std::string::npos);
}

TEST(KafkaKey, MessageIdOrAppIdOfEitherFormat) {
  const std::string typed =
      R"({"event_id":"e","event_type":"request","message_id":"m-1","identity":{"app_id":"app-7"}})";
  const std::string typed_no_app =
      R"({"event_id":"e","event_type":"request","message_id":"m-2","identity":{"app_id":null}})";
  const std::string apim = R"({"event-type":"Response","message-id":"m-3","appid":"app-9"})";
  const std::string apim_no_app = R"({"event-type":"Request","message-id":"m-4","appid":""})";
  using Key = KafkaSinkOptions::Key;
  EXPECT_EQ(kafka_key(typed, Key::message_id), "m-1");
  EXPECT_EQ(kafka_key(typed, Key::app_id), "app-7");
  EXPECT_EQ(kafka_key(typed_no_app, Key::app_id), "m-2");
  EXPECT_EQ(kafka_key(apim, Key::message_id), "m-3");
  EXPECT_EQ(kafka_key(apim, Key::app_id), "app-9");
  EXPECT_EQ(kafka_key(apim_no_app, Key::app_id), "m-4");
  EXPECT_EQ(kafka_key("not json", Key::message_id), "");
}

}  // namespace
}  // namespace tollgate::audit
