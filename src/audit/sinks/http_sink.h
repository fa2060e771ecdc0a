// The http sink: events as NDJSON (one event per line, Content-Type application/x-ndjson) in
// POST requests to a URL, for log platforms and webhooks. A batch from the worker is sent in
// requests of at most max_batch_bytes each, in order; each request is retried with backoff
// (http_delivery.h), and the batch fails at the first request that still fails, to be
// offered again whole. Headers (such as Authorization) are sent as configured and never
// logged.
//
// Threading: not thread-safe; the sink's worker thread is its only user.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "audit/sink.h"
#include "audit/sinks/http_delivery.h"

namespace tollgate::audit {

struct HttpSinkOptions {
  http::SyncClient::Options client;
  RetryPolicy retry;
  std::string target;  // the URL's path and query
  std::vector<Header> headers;
  std::size_t max_batch_bytes = 1024 * 1024;
};

// Throws boost::system::system_error when the ca_file cannot be loaded.
std::unique_ptr<Sink> make_http_sink(HttpSinkOptions options);

}  // namespace tollgate::audit
