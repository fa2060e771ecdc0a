// The audit log: the one object the gateway talks to about recording calls. It masks and
// builds each call's events, appends them to the spool (the hot path waits only for that
// append, never for a sink), and runs one SinkWorker per configured sink.
//
// Threading: record_*() may be called from every event loop at once. Construct before the
// loops start; stop() after they end.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/system/error_code.hpp>
#include <chrono>
#include <memory>
#include <vector>

#include "audit/call_record.h"
#include "audit/event_builder.h"
#include "audit/masking.h"
#include "audit/sink_worker.h"
#include "audit/spool.h"
#include "core/config.h"

namespace tollgate::audit {

class AuditLog {
 public:
  // Opens the spool and starts the sinks. Throws std::exception with a message saying which
  // part failed (spool directory, a sink's destination).
  AuditLog(const AuditConfig& config, GatewayInfo gateway);
  ~AuditLog();
  AuditLog(const AuditLog&) = delete;
  AuditLog& operator=(const AuditLog&) = delete;

  // Whether bodies are recorded; when not, the pipeline need not keep them.
  bool records_bodies() const { return config_.bodies; }

  // Masks the call's request body and appends its request event. A SpoolError::full error
  // means the call must be refused (reject policy); SpoolError::dropped means it was counted
  // and the call goes on.
  boost::asio::awaitable<boost::system::error_code> record_request(CallRecord& call);
  // Masks the call's response body and appends its response event. It is never refused for
  // a full spool: the call was admitted, so its record must be whole.
  boost::asio::awaitable<boost::system::error_code> record_response(CallRecord& call);

  // Lets the sinks deliver what the spool holds for up to `grace`, then stops them and
  // closes the spool.
  void stop(std::chrono::milliseconds grace);

  SpoolStats spool_stats() const { return spool_->stats(); }

 private:
  boost::asio::awaitable<boost::system::error_code> append(std::string event,
                                                           Spool::Admission admission);

  const AuditConfig& config_;
  GatewayInfo gateway_;
  Masker masker_;
  std::unique_ptr<Spool> spool_;
  std::vector<std::unique_ptr<SinkWorker>> workers_;
  bool stopped_ = false;
};

}  // namespace tollgate::audit
