// Who is calling: what the authenticate stage proves, the access rules judge, and the audit
// events record.
#pragma once

#include <string>
#include <vector>

namespace tollgate::identity {

struct Identity {
  std::string auth_method = "none";  // none, jwt, api_key
  std::string app_id;                // Entra appid (v1) / azp (v2), or the API key's application
  std::string object_id;             // oid
  std::string tenant_id;             // tid
  std::string subject;               // sub, or the API key's name
  std::string name;                  // upn / preferred_username / the application's configured name
  std::vector<std::string> roles;
  std::vector<std::string> scopes;  // scp, delegated tokens only
};

// Why a call is refused, and how: 401 (no or bad credentials), 403 (proven but not allowed),
// or 503 (the gateway cannot check right now, e.g. no signing keys yet).
struct AuthFailure {
  enum class Kind { unauthenticated, forbidden, unavailable } kind = Kind::unauthenticated;
  std::string reason;  // for the caller and the audit event; never quotes a credential
};

}  // namespace tollgate::identity
