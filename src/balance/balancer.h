// The balancer: every backend and deployment's health and every model's pool, built once from
// the configuration and shared by all event loops, so that what one loop learns (a 429, a
// tripped breaker, a failed health check) holds for all of them.
//
// Thread safety: the structure is immutable after construction; Targets and Pools guard their
// own state. Must outlive every Pipeline and the HealthChecker.
#pragma once

#include <boost/json/object.hpp>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "balance/pool.h"
#include "balance/retry_policy.h"
#include "balance/target.h"
#include "core/config.h"

namespace tollgate::balance {

class Balancer {
 public:
  // `config` must outlive the Balancer.
  explicit Balancer(const Config& config);

  // The pool of a configured model. REQUIRES: `model` is one of the configuration's.
  Pool& pool(const ModelConfig& model);
  // The pool of calls that name no model (files, batches): the first model's primary backend,
  // alone, since such resources exist on one resource only.
  Pool& model_less_pool() { return *model_less_; }

  const RetryPolicy& retry_policy() const { return retry_policy_; }
  const RoutingConfig& routing() const { return config_.routing; }

  // Every target of `backend`, for its health check.
  std::vector<Target*> targets_of(const std::string& backend);

  // The /admin/backends document: every target's state and counters.
  boost::json::object snapshot() const;

 private:
  Target& target(const BackendConfig& backend, const std::string& deployment);

  const Config& config_;
  RetryPolicy retry_policy_;
  // Keyed by (backend, deployment): one unit of health whichever models share it.
  std::map<std::pair<std::string, std::string>, std::unique_ptr<Target>> targets_;
  std::map<std::string, std::unique_ptr<Pool>, std::less<>> pools_;
  std::unique_ptr<Pool> model_less_;
};

}  // namespace tollgate::balance
