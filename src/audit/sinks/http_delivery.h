// What the two HTTP sinks (http, eventhubs_http) share: POSTing a batch to one server with
// bounded retries and exponential backoff, and cutting a batch into requests of bounded size.
//
// Retries are bounded so that deliver() returns within a predictable time; after the last
// one the sink reports the failure and its worker offers the batch again later (sink_worker.h),
// so an outage delays events and loses none. Delivery is at least once: a batch whose answer
// was lost, or whose later requests failed, is sent again whole.
//
// Threading: used by one sink worker thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "http/sync_client.h"

namespace tollgate::audit {

struct RetryPolicy {
  unsigned retries = 3;                    // after the first try
  std::chrono::milliseconds backoff{250};  // before the first retry; doubled for each next one
  std::chrono::milliseconds max_backoff{8'000};
};

// A request header; values may be secrets (Authorization) and are never logged or returned.
using Header = std::pair<std::string, std::string>;

class HttpDelivery {
 public:
  // Throws boost::system::system_error when the client's ca_file cannot be loaded.
  HttpDelivery(const http::SyncClient::Options& client, RetryPolicy retry);

  // POSTs `body` to `target` (path and query) and expects a 2xx answer. Retries what may pass
  // — no answer, 408, 429, 5xx — up to the policy's count; other statuses fail at once.
  // Returns an empty string on success, else what failed: the status and the start of the
  // server's answer, or the network error. Never the request's headers.
  std::string post(const std::string& target, std::string_view content_type,
                   const std::vector<Header>& headers, std::string body);

 private:
  http::SyncClient client_;
  const RetryPolicy retry_;
};

// Cuts items of the given encoded sizes, in order, into runs [first, last) whose sizes add up
// to at most `max_bytes` (each run besides costs `run_overhead`). An item too large for any
// run gets a run of its own.
std::vector<std::pair<std::size_t, std::size_t>> runs_within(const std::vector<std::size_t>& sizes,
                                                             std::size_t max_bytes,
                                                             std::size_t run_overhead);

}  // namespace tollgate::audit
