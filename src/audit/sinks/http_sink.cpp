#include "audit/sinks/http_sink.h"

#include "audit/sinks/event_lines.h"

namespace tollgate::audit {

namespace {

class HttpSink final : public Sink {
 public:
  explicit HttpSink(HttpSinkOptions options)
      : options_(std::move(options)), delivery_(options_.client, options_.retry) {}

  std::string deliver(const std::vector<std::string_view>& events) override {
    std::vector<std::size_t> sizes;
    sizes.reserve(events.size());
    for (auto event : events) sizes.push_back(event.size() + 1);  // and its newline
    for (auto [first, last] : runs_within(sizes, options_.max_batch_bytes, 0)) {
      std::string body;
      append_event_lines({events.begin() + first, events.begin() + last}, body);
      auto failure = delivery_.post(options_.target, "application/x-ndjson", options_.headers,
                                    std::move(body));
      if (!failure.empty()) return failure;
    }
    return {};
  }

 private:
  const HttpSinkOptions options_;
  HttpDelivery delivery_;
};

}  // namespace

std::unique_ptr<Sink> make_http_sink(HttpSinkOptions options) {
  return std::make_unique<HttpSink>(std::move(options));
}

}  // namespace tollgate::audit
