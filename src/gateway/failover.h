// Failover stage: the attempt loop. A call goes to the backend its model's pool picks; when
// that attempt fails before any byte reached the client — no connection, TLS failure, reset,
// timeout before the response header, or a status in routing.retry_on — the next backend the
// pool picks gets the call, until one answers, routing.max_attempts attempts were made, the
// per-call deadline (routing.timeout_ms) passed, or no backend is left. Once a response header
// is relayed the call is committed: a later failure goes to the client (stream-back's job).
// Every attempt is recorded in the call's audit record; each one's verdict feeds the backend's
// breaker and cool-downs, shared by all loops (src/balance/). Each attempt carries the
// credential of its backend (identity/upstream_credentials.h); a backend whose credential
// cannot be had (its token endpoint is down) is skipped like a failed attempt, without blaming
// the backend's breaker.
//
// Threading: a Failover belongs to one event loop and owns that loop's upstream connection
// pools; an Attempts object lives for one call on that loop.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "audit/call_record.h"
#include "balance/balancer.h"
#include "core/api_error.h"
#include "gateway/forward.h"
#include "gateway/outcome.h"
#include "http/exchange.h"
#include "http/tls_contexts.h"
#include "http/upstream_connection.h"
#include "identity/upstream_credentials.h"

namespace tollgate::gateway {

// The request one backend and deployment receive for the call.
struct UpstreamRequest {
  bhttp::request<bhttp::string_body> message;
  bool hide_usage = false;  // the gateway asked for a usage chunk the client did not
};
// Builds it, with the backend's `credential`; `last` is true when no later attempt can need the
// client's body again, so it may be moved instead of copied.
using PrepareUpstream =
    std::function<UpstreamRequest(const BackendConfig& backend, std::string_view deployment,
                                  const identity::UpstreamCredential& credential, bool last)>;

// The answer to relay: its response header has arrived.
struct Answer {
  std::unique_ptr<UpstreamCall> call;
  balance::Lease lease;  // held until the answer is relayed (outstanding calls)
  bool hide_usage = false;
};
// No backend answered; the gateway answers with this error.
struct Refusal {
  ApiError error;
  Outcome outcome;
};
// The client closed its connection while the gateway waited for a backend.
struct ClientLeft {};
using FailoverResult = std::variant<Answer, Refusal, ClientLeft>;

class Failover {
 public:
  // `tls`, `balancer` and `credentials` must outlive the Failover.
  Failover(net::any_io_executor executor, http::TlsContexts& tls, balance::Balancer& balancer,
           identity::UpstreamCredentials& credentials)
      : executor_(std::move(executor)), tls_(tls), balancer_(balancer), credentials_(credentials) {}

  balance::Balancer& balancer() { return balancer_; }
  identity::UpstreamCredentials& credentials() { return credentials_; }
  // This loop's connection pool to `backend`.
  http::UpstreamPool& connections(const BackendConfig& backend);

 private:
  net::any_io_executor executor_;
  http::TlsContexts& tls_;
  balance::Balancer& balancer_;
  identity::UpstreamCredentials& credentials_;
  std::map<std::string, std::unique_ptr<http::UpstreamPool>, std::less<>> pools_;
};

// One call's attempts.
class Attempts {
 public:
  using Clock = std::chrono::steady_clock;

  // All four must outlive the Attempts.
  Attempts(Failover& failover, balance::Pool& pool, audit::CallRecord& record,
           http::Exchange& exchange);

  // Picks the backend of the first attempt and names it in the record and the
  // x-tollgate-backend header. When no backend can take the call, returns the refusal to send
  // at once: a 429 when every backend is cooling down after a Retry-After, else a 503; both
  // with retry-after (seconds, rounded up) and retry-after-ms set on the exchange.
  std::optional<ApiError> begin();

  // Makes the attempts. REQUIRES: begin() returned nullopt.
  net::awaitable<FailoverResult> run(const PrepareUpstream& prepare);

 private:
  void name_backend(const balance::Target& target);
  // Picks the backend for another attempt when the call may still make one; false if none.
  bool pick_next(bool last, Clock::time_point deadline, Clock::time_point now);

  Failover& failover_;
  balance::Pool& pool_;
  audit::CallRecord& record_;
  http::Exchange& exchange_;
  std::vector<bool> tried_;
  std::optional<balance::Pool::Pick> next_;
};

}  // namespace tollgate::gateway
