#include "identity/access_rules.h"

#include <algorithm>

namespace tollgate::identity {

namespace {

bool admits(const AccessList& list, const Identity& identity) {
  auto listed = [](const std::vector<std::string>& values, const std::string& value) {
    return !value.empty() && std::find(values.begin(), values.end(), value) != values.end();
  };
  return listed(list.apps, identity.app_id) ||
         std::any_of(identity.roles.begin(), identity.roles.end(),
                     [&](const std::string& role) { return listed(list.roles, role); });
}

}  // namespace

std::optional<AuthFailure> AccessRules::may_use(const Identity& identity,
                                                const std::string& model) const {
  auto rule = auth_.models.find(model);
  if (rule == auth_.models.end() || admits(rule->second, identity)) return std::nullopt;
  return AuthFailure{AuthFailure::Kind::forbidden,
                     identity.auth_method == "none"
                         ? "the model '" + model + "' is open only to authenticated callers"
                         : "the application or roles of this caller are not allowed to use the "
                           "model '" +
                               model + "'"};
}

std::optional<AuthFailure> AccessRules::may_administer(const Identity& identity) const {
  if (auth_.modes == std::vector<std::string>{"none"}) return std::nullopt;
  if (identity.auth_method == "none")
    return AuthFailure{AuthFailure::Kind::unauthenticated, "the admin endpoints need credentials"};
  if (admits(auth_.admin, identity)) return std::nullopt;
  return AuthFailure{AuthFailure::Kind::forbidden,
                     "this caller is not an administrator (auth.admin lists who is)"};
}

}  // namespace tollgate::identity
