#include "balance/pool.h"

#include <algorithm>
#include <optional>

namespace tollgate::balance {

Pool::Pool(std::string model, std::vector<Member> members, RoutingConfig::Strategy strategy)
    : model_(std::move(model)),
      members_(std::move(members)),
      strategy_(strategy),
      current_(members_.size(), 0) {}

std::variant<Pool::Pick, Pool::Exhausted> Pool::pick(const std::vector<bool>& tried,
                                                     Clock::time_point now) {
  std::lock_guard lock(mutex_);
  std::vector<Target::Availability> availability(members_.size());
  for (std::size_t i = 0; i < members_.size(); ++i)
    if (!tried[i]) availability[i] = members_[i].target->availability(now);

  for (std::size_t group = 0; group < members_.size();) {
    std::size_t end = group;
    while (end < members_.size() && members_[end].priority == members_[group].priority) ++end;
    std::vector<std::size_t> candidates;
    for (std::size_t i = group; i < end; ++i)
      if (!tried[i] && availability[i].available) candidates.push_back(i);
    while (!candidates.empty()) {
      std::size_t chosen = choose(candidates);
      auto admission = members_[chosen].target->admit(now);
      if (admission != CircuitBreaker::Admission::refused)
        return Pick{chosen,
                    Lease(*members_[chosen].target, admission == CircuitBreaker::Admission::probe)};
      // Another loop took its probe since availability() was read.
      availability[chosen] = {};
      std::erase(candidates, chosen);
    }
    group = end;
  }

  Exhausted exhausted;
  std::optional<Clock::duration> wait;
  bool all_cooling = true, untried = false;
  for (std::size_t i = 0; i < members_.size(); ++i) {
    if (tried[i]) continue;
    untried = true;
    all_cooling = all_cooling && availability[i].cooling;
    wait = std::min(wait.value_or(availability[i].wait), availability[i].wait);
  }
  exhausted.cooling = untried && all_cooling;
  exhausted.wait = wait.value_or(Clock::duration::zero());
  return exhausted;
}

std::size_t Pool::choose(const std::vector<std::size_t>& candidates) {
  if (strategy_ == RoutingConfig::Strategy::weighted || candidates.size() == 1)
    return round_robin(candidates);
  // Fewest outstanding per unit of weight: a/wa < b/wb  <=>  a*wb < b*wa.
  auto load = [&](std::size_t i) {
    return std::pair<long, long>(members_[i].target->outstanding.load(), members_[i].weight);
  };
  std::vector<std::size_t> least;
  for (auto i : candidates) {
    if (least.empty()) {
      least.push_back(i);
      continue;
    }
    auto [a, wa] = load(i);
    auto [b, wb] = load(least.front());
    if (a * wb < b * wa)
      least.assign(1, i);
    else if (a * wb == b * wa)
      least.push_back(i);
  }
  return round_robin(least);
}

std::size_t Pool::round_robin(const std::vector<std::size_t>& candidates) {
  long total = 0;
  std::size_t best = candidates.front();
  for (auto i : candidates) {
    current_[i] += members_[i].weight;
    total += members_[i].weight;
    if (current_[i] > current_[best]) best = i;
  }
  current_[best] -= total;
  return best;
}

}  // namespace tollgate::balance
