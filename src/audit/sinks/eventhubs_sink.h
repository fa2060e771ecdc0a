// The eventhubs_http sink: events to an Azure Event Hub through its REST API, for tiers and
// networks without the Kafka endpoint. Each request is a batch send
//   POST https://{namespace}.servicebus.windows.net/{hub}/messages?timeout=60&api-version=2014-01
//   Content-Type: application/vnd.microsoft.servicebus.json
//   [{"Body":"<event JSON>"}, ...]
// of at most max_batch_bytes (the hub's limit: 1 MB on Standard and above, 256 KB on Basic),
// each event one Event Hubs event whose body is the audit event's JSON text. Requests carry a
// SAS token the sink signs from the connection string and renews before it expires
// (sas_token.h); they are retried with backoff (http_delivery.h), and a batch fails at the
// first request that still fails, to be offered again whole. The key and the tokens are never
// logged.
//
// Threading: not thread-safe; the sink's worker thread is its only user.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "audit/sink.h"
#include "audit/sinks/http_delivery.h"

namespace tollgate::audit {

struct EventHubsOptions {
  http::SyncClient::Options client;  // the namespace, or the endpoint that stands in for it
  RetryPolicy retry;
  std::string target;        // the path and query of the hub's messages resource
  std::string resource_uri;  // what the tokens are for: https://{namespace}/{hub}
  std::string key_name;
  std::string key;  // secret
  std::chrono::seconds token_ttl{3600};
  std::size_t max_batch_bytes = 1'000'000;
};

// The bytes a batch request spends around its events' JSON: "[", "]", and per event
// {"Body":"..."} and a comma. An event's JSON grows at most twice when escaped into a Body.
inline constexpr std::size_t eventhubs_batch_overhead = 2;
inline constexpr std::size_t eventhubs_entry_overhead = 12;

// Throws boost::system::system_error when the ca_file cannot be loaded.
std::unique_ptr<Sink> make_eventhubs_sink(EventHubsOptions options);

}  // namespace tollgate::audit
