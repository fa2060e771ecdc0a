#include "audit/sinks/kafka_sink.h"

#include <fmt/format.h>
#include <librdkafka/rdkafka.h>
#include <simdjson.h>
#include <spdlog/spdlog.h>

#include <cstdint>
#include <stdexcept>
#include <vector>

#include "audit/sinks/kafka_client.h"

namespace tollgate::audit {

namespace {

using simdjson::dom::element;
using Clock = std::chrono::steady_clock;

std::string_view text_at(element event, std::string_view pointer) {
  std::string_view value;
  if (event.at_pointer(pointer).get(value) != simdjson::SUCCESS) return {};
  return value;
}

bool is_apim(element event) { return event["event-type"].error() != simdjson::NO_SUCH_FIELD; }

std::string key_of(element event, KafkaSinkOptions::Key key) {
  const bool apim = is_apim(event);
  const std::string_view message_id = text_at(event, apim ? "/message-id" : "/message_id");
  if (key == KafkaSinkOptions::Key::app_id) {
    const std::string_view app_id = text_at(event, apim ? "/appid" : "/identity/app_id");
    if (!app_id.empty()) return std::string(app_id);
  }
  return std::string(message_id);
}

class KafkaSink final : public Sink {
 public:
  explicit KafkaSink(KafkaSinkOptions options) : options_(std::move(options)) {
    properties_ = options_.properties;
    // Defaults the operator's `properties` may override (they are already in properties_).
    const std::map<std::string, std::string> defaults{
        {"client.id", "tollgate"},
        {"enable.idempotence", "true"},
        {"acks", "all"},
        {"message.timeout.ms", std::to_string(options_.delivery_timeout.count())},
        // Keys go to the partitions Java clients (and Event Hubs' SDKs) would pick.
        {"partitioner", "murmur2_random"},
    };
    for (const auto& [name, value] : defaults) properties_.emplace(name, value);
    create();
  }

  ~KafkaSink() override {
    if (!kafka_) return;
    // Whatever is still queued was not acknowledged, so its batch is still in the spool.
    rd_kafka_purge(kafka_.get(), RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
    rd_kafka_flush(kafka_.get(), 1000);
  }

  std::string deliver(const std::vector<std::string_view>& events) override {
    if (fatal()) {
      spdlog::warn("kafka sink {}: the producer failed for good ({}); starting a new one",
                   options_.label, fatal_reason_);
      kafka_.reset();
      create();
    }
    keys(events);
    ++generation_;
    acked_ = failed_ = 0;
    first_error_.clear();
    const auto deadline = Clock::now() + options_.delivery_timeout;
    std::size_t produced = 0;
    std::string error;
    for (std::size_t i = 0; i < events.size() && error.empty(); ++i) {
      for (;;) {
        const auto result = rd_kafka_producev(
            kafka_.get(), RD_KAFKA_V_TOPIC(options_.topic.c_str()),
            RD_KAFKA_V_KEY(keys_[i].data(), keys_[i].size()),
            RD_KAFKA_V_VALUE(const_cast<char*>(events[i].data()), events[i].size()),
            RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
            RD_KAFKA_V_OPAQUE(reinterpret_cast<void*>(generation_)), RD_KAFKA_V_END);
        if (result == RD_KAFKA_RESP_ERR_NO_ERROR) {
          ++produced;
          break;
        }
        if (result != RD_KAFKA_RESP_ERR__QUEUE_FULL || Clock::now() >= deadline) {
          error = rd_kafka_err2str(result);
          break;
        }
        rd_kafka_poll(kafka_.get(), 50);  // the local queue is full: let deliveries drain it
      }
    }
    // Waits for the report of each message produced: librdkafka gives one by
    // message.timeout.ms at the latest, a little after `deadline` for the last produced.
    const auto reports_due = deadline + std::chrono::seconds(2);
    while (acked_ + failed_ < produced && Clock::now() < reports_due) {
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(reports_due - Clock::now());
      rd_kafka_flush(kafka_.get(), static_cast<int>(std::max<long>(1, left.count())));
    }
    if (!error.empty())
      return fmt::format("cannot send events to Kafka at {} (topic {}): {}", options_.label,
                         options_.topic, error);
    if (failed_ > 0)
      return fmt::format("Kafka at {} refused {} of {} events (topic {}): {}", options_.label,
                         failed_, events.size(), options_.topic, first_error_);
    if (acked_ < produced)
      return fmt::format("Kafka at {} acknowledged {} of {} events within {} ms (topic {})",
                         options_.label, acked_, events.size(), options_.delivery_timeout.count(),
                         options_.topic);
    return {};
  }

 private:
  void create() {
    auto conf = make_kafka_conf(properties_, "kafka sink");
    rd_kafka_conf_set_opaque(conf.get(), this);
    rd_kafka_conf_set_dr_msg_cb(conf.get(), &KafkaSink::on_delivery);
    char error[512];
    rd_kafka_t* kafka = rd_kafka_new(RD_KAFKA_PRODUCER, conf.get(), error, sizeof error);
    if (kafka == nullptr)
      throw std::runtime_error(fmt::format("cannot create the Kafka producer: {}", error));
    conf.release();  // rd_kafka_new took it
    kafka_.reset(kafka);
  }

  bool fatal() {
    char reason[512];
    if (rd_kafka_fatal_error(kafka_.get(), reason, sizeof reason) == RD_KAFKA_RESP_ERR_NO_ERROR)
      return false;
    fatal_reason_ = reason;
    return true;
  }

  // keys_[i]: the key of events[i]. A split event's parts take the key of the event they
  // join back into.
  void keys(const std::vector<std::string_view>& events) {
    keys_.assign(events.size(), std::string());
    for (std::size_t i = 0; i < events.size(); ++i) {
      element event;
      if (parser_.parse(events[i].data(), events[i].size()).get(event) != simdjson::SUCCESS)
        continue;  // not JSON: no key, any partition
      std::int64_t parts = 0;
      if (event["parts"].get(parts) != simdjson::SUCCESS) {
        keys_[i] = key_of(event, options_.key);
        continue;
      }
      // The envelope of a part carries the message id; the app id needs the whole event.
      std::string key = key_of(event, KafkaSinkOptions::Key::message_id);
      const std::size_t last = std::min(events.size(), i + static_cast<std::size_t>(parts));
      if (options_.key == KafkaSinkOptions::Key::app_id) {
        std::string whole;
        for (std::size_t j = i; j < last; ++j) {
          element part;
          std::string_view data;
          if (parser_.parse(events[j].data(), events[j].size()).get(part) == simdjson::SUCCESS &&
              part["data"].get(data) == simdjson::SUCCESS)
            whole += data;
        }
        element joined;
        if (parser_.parse(whole).get(joined) == simdjson::SUCCESS)
          key = key_of(joined, options_.key);
      }
      for (std::size_t j = i; j < last; ++j) keys_[j] = key;
      i = last - 1;
    }
  }

  static void on_delivery(rd_kafka_t*, const rd_kafka_message_t* message, void* opaque) {
    auto* sink = static_cast<KafkaSink*>(opaque);
    // A report for an earlier batch (one that timed out) is no news for this one.
    if (reinterpret_cast<std::uintptr_t>(message->_private) != sink->generation_) return;
    if (message->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      ++sink->acked_;
    } else {
      if (sink->failed_++ == 0) sink->first_error_ = rd_kafka_err2str(message->err);
    }
  }

  const KafkaSinkOptions options_;
  std::map<std::string, std::string> properties_;
  KafkaHandle kafka_;
  simdjson::dom::parser parser_;
  std::vector<std::string> keys_;
  std::uintptr_t generation_ = 0;  // of the batch being delivered
  std::size_t acked_ = 0;
  std::size_t failed_ = 0;
  std::string first_error_;
  std::string fatal_reason_;
};

}  // namespace

std::unique_ptr<Sink> open_kafka_sink(KafkaSinkOptions options) {
  return std::make_unique<KafkaSink>(std::move(options));
}

std::string kafka_key(std::string_view event, KafkaSinkOptions::Key key) {
  simdjson::dom::parser parser;
  element parsed;
  if (parser.parse(event.data(), event.size()).get(parsed) != simdjson::SUCCESS) return {};
  return key_of(parsed, key);
}

}  // namespace tollgate::audit
