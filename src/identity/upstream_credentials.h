// Upstream credentials: the backend's own key replaces whatever the client sent, so a
// client's credentials never leave the gateway and backend keys never reach clients.
#pragma once

#include <boost/beast/http/fields.hpp>

#include "core/config.h"

namespace tollgate::identity {

// Removes the client's credentials from `headers` and adds the backend's: `api-key` for Azure,
// `Authorization: Bearer` for OpenAI-kind backends.
void apply_upstream_credentials(const BackendConfig& backend, boost::beast::http::fields& headers);

}  // namespace tollgate::identity
