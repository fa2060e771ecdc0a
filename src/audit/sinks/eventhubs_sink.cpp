#include "audit/sinks/eventhubs_sink.h"

#include <boost/json/serialize.hpp>
#include <boost/json/string_view.hpp>

#include "audit/sinks/sas_token.h"

namespace tollgate::audit {

namespace {

class EventHubsSink final : public Sink {
 public:
  explicit EventHubsSink(EventHubsOptions options)
      : options_(std::move(options)),
        delivery_(options_.client, options_.retry),
        signer_(options_.resource_uri, options_.key_name, options_.key, options_.token_ttl) {}

  std::string deliver(const std::vector<std::string_view>& events) override {
    // Each event as an entry of the batch: its JSON text as the Body string.
    std::vector<std::string> entries;
    std::vector<std::size_t> sizes;
    entries.reserve(events.size());
    for (auto event : events) {
      entries.push_back("{\"Body\":" + boost::json::serialize(boost::json::string_view(event)) +
                        "}");
      sizes.push_back(entries.back().size() + 1);  // and its comma
    }
    for (auto [first, last] :
         runs_within(sizes, options_.max_batch_bytes, eventhubs_batch_overhead)) {
      std::string body = "[";
      for (auto i = first; i < last; ++i) {
        if (i > first) body += ',';
        body += entries[i];
      }
      body += ']';
      const std::vector<Header> headers{
          {"Authorization", signer_.token(std::chrono::system_clock::now())}};
      auto failure = delivery_.post(options_.target, "application/vnd.microsoft.servicebus.json",
                                    headers, std::move(body));
      if (!failure.empty()) return failure;
    }
    return {};
  }

 private:
  const EventHubsOptions options_;
  HttpDelivery delivery_;
  SasSigner signer_;
};

}  // namespace

std::unique_ptr<Sink> make_eventhubs_sink(EventHubsOptions options) {
  return std::make_unique<EventHubsSink>(std::move(options));
}

}  // namespace tollgate::audit
