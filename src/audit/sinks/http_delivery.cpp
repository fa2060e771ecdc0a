#include "audit/sinks/http_delivery.h"

#include <fmt/format.h>

#include <algorithm>
#include <thread>

namespace tollgate::audit {

namespace {

bool worth_retrying(int status) { return status == 408 || status == 429 || status >= 500; }

// The start of an error answer, on one line, for the failure message.
std::string excerpt(std::string_view body) {
  std::string text(body.substr(0, 200));
  std::replace_if(
      text.begin(), text.end(), [](char c) { return c == '\n' || c == '\r'; }, ' ');
  return body.size() > 200 ? text + "..." : text;
}

}  // namespace

HttpDelivery::HttpDelivery(const http::SyncClient::Options& client, RetryPolicy retry)
    : client_(client), retry_(retry) {}

std::string HttpDelivery::post(const std::string& target, std::string_view content_type,
                               const std::vector<Header>& headers, std::string body) {
  namespace bhttp = boost::beast::http;
  bhttp::request<bhttp::string_body> request{bhttp::verb::post, target, 11};
  request.set(bhttp::field::content_type, content_type);
  request.set(bhttp::field::user_agent, "tollgate/" TOLLGATE_VERSION);
  for (const auto& [name, value] : headers) request.set(name, value);
  request.body() = std::move(body);

  auto delay = retry_.backoff;
  for (unsigned tries = 1;; ++tries) {
    auto [ec, response] = client_.send(request);
    if (!ec && response.status >= 200 && response.status < 300) return {};
    const bool transient = ec || worth_retrying(response.status);
    if (!transient || tries > retry_.retries) {
      auto failure =
          ec ? ec.message() : fmt::format("HTTP {}: {}", response.status, excerpt(response.body));
      // The target is not shown: a webhook's query may hold a token.
      return fmt::format("POST failed ({} {}): {}", tries, tries == 1 ? "try" : "tries", failure);
    }
    std::this_thread::sleep_for(delay);
    delay = std::min(delay * 2, retry_.max_backoff);
  }
}

std::vector<std::pair<std::size_t, std::size_t>> runs_within(const std::vector<std::size_t>& sizes,
                                                             std::size_t max_bytes,
                                                             std::size_t run_overhead) {
  std::vector<std::pair<std::size_t, std::size_t>> runs;
  std::size_t first = 0;
  std::size_t bytes = run_overhead;
  for (std::size_t i = 0; i < sizes.size(); ++i) {
    if (i > first && bytes + sizes[i] > max_bytes) {
      runs.emplace_back(first, i);
      first = i;
      bytes = run_overhead;
    }
    bytes += sizes[i];
  }
  if (first < sizes.size()) runs.emplace_back(first, sizes.size());
  return runs;
}

}  // namespace tollgate::audit
