// The counters and the log of recent requests behind /sim/stats, /sim/requests and
// /sim/reset. One Stats is shared by every loop of the simulator.
//
// Thread safety: every method may be called from any thread. The counters are atomics; the log
// is behind a mutex, held only to append or copy.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "http/exchange.h"

namespace tollgate::sim {

class Stats {
 public:
  static constexpr std::size_t kLogSize = 100;

  // Counts `request` and logs its method, target, headers and a fingerprint of its body.
  // Returns a serial number unique to the request for the life of the process.
  std::uint64_t record(const http::Request& request);

  void stream_started() { ++streams_started_; }
  void stream_completed() { ++streams_completed_; }
  // The client closed the connection before the stream ended.
  void stream_aborted() { ++streams_aborted_; }
  void connection_opened();
  void connection_closed() { --connections_open_; }

  // {"requests","streams_started","streams_completed","streams_aborted","connections_open",
  //  "connections_total"}
  std::string counters_json() const;
  // The logged requests, oldest first: [{"method","target","headers","body_bytes","body_sha256"}]
  std::string requests_json() const;
  // Zeroes the counters and empties the log. connections_open is kept: it counts connections
  // open now, which a reset does not close.
  void reset();

 private:
  struct Entry {
    std::string method;
    std::string target;
    std::vector<std::pair<std::string, std::string>> headers;  // names in lowercase
    std::size_t body_bytes = 0;
    std::string body_sha256;
  };

  std::atomic<std::uint64_t> serial_{0};
  std::atomic<std::uint64_t> requests_{0};
  std::atomic<std::uint64_t> streams_started_{0};
  std::atomic<std::uint64_t> streams_completed_{0};
  std::atomic<std::uint64_t> streams_aborted_{0};
  std::atomic<std::int64_t> connections_open_{0};
  std::atomic<std::uint64_t> connections_total_{0};

  mutable std::mutex mutex_;
  std::deque<Entry> log_;  // guarded by mutex_; at most kLogSize entries
};

}  // namespace tollgate::sim
