// The backends of one model and the choice of which takes a call's next attempt.
//
// Members are grouped by priority (lower number first). A group is used only when no member
// of the groups above can take the call: every one is cooling down, open, failing its health
// check, or was already tried by this call. Within a group the choice is smooth weighted round
// robin (nginx's: each member gets its weight's share, evenly interleaved), or, with the
// least_outstanding strategy, the member with the fewest calls in flight per unit of weight,
// round robin among equals.
//
// Thread safety: shared by every event loop; pick() may be called from any thread (the
// round-robin state is behind a mutex, held for one pick).
#pragma once

#include <chrono>
#include <cstddef>
#include <mutex>
#include <string>
#include <variant>
#include <vector>

#include "balance/target.h"
#include "core/config.h"

namespace tollgate::balance {

class Pool {
 public:
  using Clock = std::chrono::steady_clock;

  struct Member {
    Target* target;
    int priority;
    unsigned weight;
  };

  // `members` sorted by priority; the targets must outlive the Pool.
  Pool(std::string model, std::vector<Member> members, RoutingConfig::Strategy strategy);

  struct Pick {
    std::size_t index;  // into members()
    Lease lease;        // the claim on the member's target for this attempt
  };
  // No member can take the attempt.
  struct Exhausted {
    // Every member not yet tried is cooling down after a Retry-After (and one at least was
    // not tried): the backends are rate-limiting, not failing.
    bool cooling = false;
    // The shortest wait before a member not yet tried may take a call again.
    Clock::duration wait{};
  };

  // Picks the member for the next attempt of a call; tried[i] says member i had one already.
  // REQUIRES: tried.size() == members().size().
  std::variant<Pick, Exhausted> pick(const std::vector<bool>& tried, Clock::time_point now);

  const std::string& model() const { return model_; }
  const std::vector<Member>& members() const { return members_; }

 private:
  // The candidate that takes the call, by the strategy. REQUIRES: candidates not empty.
  std::size_t choose(const std::vector<std::size_t>& candidates);
  // Smooth weighted round robin among `candidates`.
  std::size_t round_robin(const std::vector<std::size_t>& candidates);

  const std::string model_;
  const std::vector<Member> members_;
  const RoutingConfig::Strategy strategy_;
  std::mutex mutex_;
  std::vector<long> current_;  // smooth weighted round robin state, guarded by mutex_
};

}  // namespace tollgate::balance
