// The kafka sink: audit events to a Kafka topic, or an Azure Event Hub through its Kafka
// endpoint (kafka_client.h), with librdkafka's idempotent producer (acks=all, retries keep
// order within a partition), compression and batching (linger).
//
// Each event's key is its call's message_id (default: both events of a call land on one
// partition, request before response) or its app_id (an application's calls together; a call
// without one falls back to its message_id). The parts of a split event share their event's
// key. deliver() returns success only once the broker has acknowledged every message of the
// batch, so the spool's cursor moves on durable delivery only (at-least-once; the idempotent
// producer adds no duplicates of its own within a session).
//
// Threading: not thread-safe; the sink's worker thread is its only user.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <string>

#include "audit/sink.h"

namespace tollgate::audit {

struct KafkaSinkOptions {
  std::map<std::string, std::string> properties;  // librdkafka's, bootstrap.servers included
  std::string topic;
  std::string label;  // where, for log lines
  enum class Key { message_id, app_id } key = Key::message_id;
  // A batch not acknowledged by then fails, and is offered again later.
  std::chrono::milliseconds delivery_timeout{10'000};
};

// Builds the producer (it connects in the background). Throws std::runtime_error for a
// property librdkafka refuses.
std::unique_ptr<Sink> open_kafka_sink(KafkaSinkOptions options);

// Exposed for tests: the key of a whole event (typed or apim), "" if it has none.
std::string kafka_key(std::string_view event, KafkaSinkOptions::Key key);

}  // namespace tollgate::audit
