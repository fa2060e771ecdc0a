// Account stage: reads the backend's answer as it streams back — usage, the served model,
// region and model time, the answer itself (reassembled for streams) — into the call's
// record, hides from the client what the gateway added to get exact usage
// (stream_options.include_usage), and has the audit log record the response event before the
// client receives its last bytes.
//
// One per call, on the call's event loop.
#pragma once

#include <boost/json/value.hpp>
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "audit/audit_log.h"
#include "audit/call_record.h"
#include "gateway/answer_observer.h"
#include "gateway/forward.h"
#include "usage/stream_assembler.h"

namespace tollgate::gateway {

class Account : public AnswerObserver {
 public:
  // `record`, `call`, `request_body` and `audit` (null when auditing is off) must outlive the
  // Account. `hide_usage` is set when the gateway asked the backend for a usage chunk the
  // client did not ask for. `request_body` is the parsed request, for estimates. `prices` (the
  // model's, which must outlive the Account too) price the usage. Without an audit log the
  // answer passes untouched and nothing is parsed or kept.
  Account(audit::CallRecord& record, const UpstreamCall& call, audit::AuditLog* audit,
          bool hide_usage, const boost::json::value& request_body,
          const std::vector<Price>& prices);

  void on_header(const boost::beast::http::response_header<>& header) override;
  std::string_view on_event(std::string_view event) override;
  void on_body(std::string_view piece) override;
  boost::asio::awaitable<void> on_complete(Outcome outcome, std::string_view error) override;

 private:
  // Fills the record's response body and usage from what was relayed.
  void settle(Outcome outcome);

  audit::CallRecord& record_;
  const UpstreamCall& call_;
  audit::AuditLog* audit_;
  const bool hide_usage_;
  const boost::json::value& request_body_;
  const std::vector<Price>& prices_;
  const std::chrono::steady_clock::time_point upstream_sent_;
  bool json_body_ = false;
  std::optional<usage::StreamAssembler> stream_;  // set for event streams
  std::string body_;                              // a non-stream body, as relayed
  std::string rewritten_;                         // the last event, as the client gets it
};

}  // namespace tollgate::gateway
