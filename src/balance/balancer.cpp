#include "balance/balancer.h"

#include <boost/json/array.hpp>

namespace tollgate::balance {

namespace json = boost::json;

Balancer::Balancer(const Config& config) : config_(config), retry_policy_(config.routing) {
  for (const auto& model : config.models) {
    std::vector<Pool::Member> members;
    for (const auto& entry : model.targets)
      members.push_back({&target(*config.backend(entry.backend), entry.deployment), entry.priority,
                         entry.weight});
    pools_.emplace(model.name,
                   std::make_unique<Pool>(model.name, std::move(members), config.routing.strategy));
  }
  const auto& primary = config.models.front().targets.front();
  model_less_ = std::make_unique<Pool>(
      "", std::vector<Pool::Member>{{&target(*config.backend(primary.backend), ""), 1, 1}},
      config.routing.strategy);
}

Target& Balancer::target(const BackendConfig& backend, const std::string& deployment) {
  auto& slot = targets_[{backend.name, deployment}];
  if (!slot) slot = std::make_unique<Target>(backend, deployment, config_.routing.breaker);
  return *slot;
}

Pool& Balancer::pool(const ModelConfig& model) { return *pools_.find(model.name)->second; }

std::vector<Target*> Balancer::targets_of(const std::string& backend) {
  std::vector<Target*> found;
  for (auto& [key, target] : targets_)
    if (key.first == backend) found.push_back(target.get());
  return found;
}

json::object Balancer::snapshot() const {
  auto now = Target::Clock::now();
  json::array targets;
  for (const auto& [key, target] : targets_) {
    auto entry = target->snapshot(now);
    json::array models;
    for (const auto& [name, pool] : pools_)
      for (const auto& member : pool->members())
        if (member.target == target.get()) models.push_back(json::string(name));
    entry["models"] = std::move(models);
    targets.push_back(std::move(entry));
  }
  return {{"object", "tollgate.backends"}, {"targets", std::move(targets)}};
}

}  // namespace tollgate::balance
