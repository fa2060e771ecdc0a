// The authenticate stage: the pipeline asks identity/authenticator.h who is calling, before
// it reads the body, and identity/access_rules.h whether they may use the model, after routing.
// This file holds the answer when the
// gateway will not serve them: 401 with a `WWW-Authenticate: Bearer` challenge (RFC 6750
// §3), 403, or 503 when it cannot check credentials yet. The reason is told to the caller;
// the credential never is.
#pragma once

#include <variant>

#include "core/api_error.h"
#include "http/exchange.h"
#include "identity/identity.h"

namespace tollgate::gateway {

// The caller's identity, or the failure that refuses the call.
using AuthVerdict = std::variant<identity::Identity, identity::AuthFailure>;

// The error a failure is answered with; for a 401, also sets the challenge header on
// `exchange`.
ApiError refusal(const identity::AuthFailure& failure, http::Exchange& exchange);

}  // namespace tollgate::gateway
