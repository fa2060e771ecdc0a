// Authorization: what a proven identity may do. Per-model allow-lists (auth.models) and the
// admin endpoints (auth.admin) admit callers whose application is listed or who hold a listed
// role. Required token claims are checked earlier, with the token (claims.h).
//
// Threading: immutable after construction.
#pragma once

#include <optional>
#include <string>

#include "core/config.h"
#include "identity/identity.h"

namespace tollgate::identity {

class AccessRules {
 public:
  // `auth` must outlive this object.
  explicit AccessRules(const AuthConfig& auth) : auth_(auth) {}

  // Why `identity` may not call `model`, if it may not.
  std::optional<AuthFailure> may_use(const Identity& identity, const std::string& model) const;

  // Why `identity` may not read the /admin endpoints, if it may not. With authentication off
  // (mode none alone) they are open, like the rest of a loopback-only gateway.
  std::optional<AuthFailure> may_administer(const Identity& identity) const;

 private:
  const AuthConfig& auth_;
};

}  // namespace tollgate::identity
