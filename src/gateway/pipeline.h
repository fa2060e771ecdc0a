// The gateway's request path, stage by stage: authenticate, route, authorize, (admit: a later
// issue), failover (forward, retried on other backends), stream back, and the access log line.
// One Pipeline serves one event loop.
//
// Threading: created and used on one event loop; holds that loop's upstream connection pools.
#pragma once

#include <boost/asio/io_context.hpp>

#include "audit/audit_log.h"
#include "balance/balancer.h"
#include "core/config.h"
#include "gateway/admin.h"
#include "gateway/failover.h"
#include "gateway/outcome.h"
#include "gateway/route.h"
#include "http/server.h"
#include "http/tls_contexts.h"
#include "identity/identity_service.h"

namespace tollgate::gateway {

class Pipeline : public http::Handler {
 public:
  // `config`, `tls`, `identity`, `audit` (null when auditing is off) and `balancer` must
  // outlive the Pipeline.
  Pipeline(net::io_context& loop, const Config& config, http::TlsContexts& tls,
           identity::IdentityService& identity, audit::AuditLog* audit,
           balance::Balancer& balancer);

  net::awaitable<void> serve(http::Exchange& exchange) override;

 private:
  struct Call;
  net::awaitable<void> forward_call(http::Exchange& exchange, Call& call);
  // Answers with a gateway error, recording both of the call's events first.
  net::awaitable<void> refuse(http::Exchange& exchange, Call& call, const ApiError& error,
                              Outcome outcome);
  // Appends the request event once; false when the spool refuses it (the call must be too).
  net::awaitable<bool> record_request(Call& call);
  net::awaitable<void> record_response(Call& call);

  const Config& config_;
  Router router_;
  Admin admin_;
  identity::IdentityService& identity_;
  identity::VerifiedTokens verified_tokens_;  // this loop's
  audit::AuditLog* audit_;
  Failover failover_;
};

}  // namespace tollgate::gateway
