#include "analytics/ingest.h"

#include <fmt/format.h>
#include <librdkafka/rdkafka.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <thread>
#include <utility>
#include <vector>

#include "audit/sink.h"
#include "audit/sinks/kafka_client.h"
#include "audit/sinks/sink_settings.h"
#include "core/logging.h"
#include "http/signals.h"

namespace tollgate::analytics {

namespace {

using Clock = std::chrono::steady_clock;
using audit::KafkaHandle;

struct MessageDeleter {
  void operator()(rd_kafka_message_t* message) const { rd_kafka_message_destroy(message); }
};
using Message = std::unique_ptr<rd_kafka_message_t, MessageDeleter>;

struct PartitionsDeleter {
  void operator()(rd_kafka_topic_partition_list_t* list) const {
    rd_kafka_topic_partition_list_destroy(list);
  }
};

// The consumer's librdkafka configuration, from the ingest section's `from`.
audit::KafkaConf consumer_conf(const SinkConfig& from, std::string& topic, std::string& label) {
  audit::SinkSettings settings(
      from, {"brokers", "connection_string", "topic", "group_id", "properties."});
  auto client = audit::read_kafka_client(settings);
  topic = client.topic;
  label = client.label;
  auto properties = client.properties;
  // Defaults the operator's `properties` may override (they are already in `properties`).
  for (const auto& [key, value] : std::map<std::string, std::string>{
           {"group.id", settings.required("group_id")},
           {"client.id", "tollgate-ingest"},
           {"auto.offset.reset", "earliest"},
       })
    properties.emplace(key, value);
  // What makes the loading at-least-once: offsets move only when this loop commits them.
  properties["enable.auto.commit"] = "false";
  properties["enable.auto.offset.store"] = "false";
  return audit::make_kafka_conf(properties, settings.sink());
}

// The consumer's librdkafka handle, subscribed to the topic. Throws std::runtime_error.
KafkaHandle subscribe(const SinkConfig& from, std::string& topic, std::string& label) {
  auto conf = consumer_conf(from, topic, label);
  char error[512];
  rd_kafka_t* kafka = rd_kafka_new(RD_KAFKA_CONSUMER, conf.get(), error, sizeof error);
  if (kafka == nullptr)
    throw std::runtime_error(fmt::format("cannot create the Kafka consumer: {}", error));
  conf.release();  // rd_kafka_new took it
  KafkaHandle handle(kafka);
  rd_kafka_poll_set_consumer(kafka);
  std::unique_ptr<rd_kafka_topic_partition_list_t, PartitionsDeleter> topics(
      rd_kafka_topic_partition_list_new(1));
  rd_kafka_topic_partition_list_add(topics.get(), topic.c_str(), RD_KAFKA_PARTITION_UA);
  if (auto result = rd_kafka_subscribe(kafka, topics.get()); result != RD_KAFKA_RESP_ERR_NO_ERROR)
    throw std::runtime_error(
        fmt::format("cannot subscribe to topic {}: {}", topic, rd_kafka_err2str(result)));
  return handle;
}

class IngestLoop {
 public:
  IngestLoop(const IngestConfig& config, KafkaHandle consumer, std::unique_ptr<audit::Sink> store,
             std::atomic<bool>& stop)
      : config_(config), consumer_(std::move(consumer)), store_(std::move(store)), stop_(stop) {}

  void run() {
    auto last_report = Clock::now();
    while (!stop_) {
      fill();
      if (!batch_.empty() && store()) commit();
      if (Clock::now() - last_report > std::chrono::seconds(10) && stored_ > reported_) {
        spdlog::info("ingest stored {} events ({} since the last report)", stored_,
                     stored_ - reported_);
        reported_ = stored_;
        last_report = Clock::now();
      }
    }
  }

  // Leaves the group, so that its partitions go to the other members at once.
  void close() {
    if (auto result = rd_kafka_consumer_close(consumer_.get());
        result != RD_KAFKA_RESP_ERR_NO_ERROR)
      spdlog::warn("ingest: leaving the consumer group: {}", rd_kafka_err2str(result));
    spdlog::info("ingest stopped after storing {} events", stored_);
  }

 private:
  // Polls until the batch is full, or batch_wait has passed since its first message.
  void fill() {
    Clock::time_point until = Clock::now() + std::chrono::milliseconds(500);
    bool started = false;
    while (!stop_ && batch_.size() < config_.batch_events) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now());
      if (left.count() <= 0) break;
      Message message(rd_kafka_consumer_poll(consumer_.get(), static_cast<int>(left.count())));
      if (!message) continue;
      if (message->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        if (message->err != RD_KAFKA_RESP_ERR__PARTITION_EOF)
          spdlog::warn("ingest: consuming: {}", rd_kafka_message_errstr(message.get()));
        continue;
      }
      if (!started) {
        started = true;
        until = Clock::now() + config_.batch_wait;
      }
      batch_.push_back(std::move(message));
    }
  }

  // Stores the batch, retrying with backoff until it is stored or the loop must stop.
  bool store() {
    std::vector<std::string_view> events;
    events.reserve(batch_.size());
    for (const auto& message : batch_)
      events.emplace_back(static_cast<const char*>(message->payload), message->len);
    auto delay = std::chrono::milliseconds(100);
    for (std::uint64_t attempt = 1;; ++attempt) {
      std::string error;
      try {
        error = store_->deliver(events);
      } catch (const std::exception& e) {
        error = e.what();
      }
      if (error.empty()) {
        stored_ += events.size();
        return true;
      }
      spdlog::warn("ingest: storing {} events failed (attempt {}), retrying in {} ms: {}",
                   events.size(), attempt, delay.count(), error);
      // Stopping now leaves the batch uncommitted: the group reads it again.
      for (auto until = Clock::now() + delay; Clock::now() < until;) {
        if (stop_) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
      // No polling meanwhile (it would hand over more messages): after max.poll.interval.ms
      // the group moves this member's partitions on, and its late commit is refused.
      delay = std::min(delay * 2, std::chrono::milliseconds(10'000));
    }
  }

  // Commits, for each partition in the batch, the offset after its last stored message.
  void commit() {
    std::map<std::pair<std::string, std::int32_t>, std::int64_t> next;
    for (const auto& message : batch_) {
      auto& offset = next[{rd_kafka_topic_name(message->rkt), message->partition}];
      offset = std::max(offset, message->offset + 1);
    }
    batch_.clear();
    std::unique_ptr<rd_kafka_topic_partition_list_t, PartitionsDeleter> offsets(
        rd_kafka_topic_partition_list_new(static_cast<int>(next.size())));
    for (const auto& [where, offset] : next)
      rd_kafka_topic_partition_list_add(offsets.get(), where.first.c_str(), where.second)->offset =
          offset;
    // A partition taken away meanwhile refuses the commit; its new owner re-reads events
    // that are stored already, which the store keeps once.
    if (auto result = rd_kafka_commit(consumer_.get(), offsets.get(), 0);
        result != RD_KAFKA_RESP_ERR_NO_ERROR)
      spdlog::warn("ingest: committing offsets: {} (the events are stored; some may be read again)",
                   rd_kafka_err2str(result));
  }

  const IngestConfig& config_;
  KafkaHandle consumer_;
  std::unique_ptr<audit::Sink> store_;
  std::atomic<bool>& stop_;
  std::vector<Message> batch_;
  std::uint64_t stored_ = 0;
  std::uint64_t reported_ = 0;
};

}  // namespace

void check_ingest(const IngestConfig& config) {
  std::string topic, label;
  consumer_conf(config.from, topic, label);
  audit::check_sink(config.to);
}

int run_ingest(const Config& config) {
  setup_logging(config.log_level, false);
  const auto& ingest = config.ingest;
  std::string topic, label;
  KafkaHandle consumer;
  std::unique_ptr<audit::Sink> store;
  try {
    store = audit::make_sink(ingest.to);
    consumer = subscribe(ingest.from, topic, label);
  } catch (const std::runtime_error& e) {
    spdlog::error("ingest cannot start: {}", e.what());
    return 1;
  }
  std::atomic<bool> stop{false};
  IngestLoop loop(ingest, std::move(consumer), std::move(store), stop);
  http::SignalWatcher signals([&] { stop = true; });
  spdlog::info("ingest consuming topic={} from {} group={}", topic, label,
               ingest.from.settings.at("group_id"));
  loop.run();
  loop.close();
  return 0;
}

}  // namespace tollgate::analytics
