// What a call costs, from its usage and its model's configured prices (`prices:` in the
// configuration, README.md): prompt tokens not served from the cache at the input price,
// cached ones at the cached-input price, completion tokens (reasoning tokens are part of
// them, docs/usage.md) at the output price, each per million tokens.
//
// Pure functions; safe from any thread.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "core/config.h"
#include "usage/usage.h"

namespace tollgate::usage {

struct Cost {
  double amount = 0;
  std::string currency;
};

// The price in effect at `at`: the entry with the latest effective_from not after it. Null
// when `prices` is empty or every entry takes effect later.
// REQUIRES: `prices` sorted by effective_from (as the configuration keeps them).
const Price* price_at(const std::vector<Price>& prices, std::chrono::system_clock::time_point at);

// The cost of `usage` at `price`. nullopt when the prompt or completion count is unknown:
// a bill must not rest on a guessed number. An unknown cached count is taken as 0, and a
// cached count above the prompt count as the prompt count.
std::optional<Cost> cost_of(const Usage& usage, const Price& price);

// The cost of a call made at `at` with `usage`: nullopt when no price is in effect for the
// model then, or the usage is unknown.
std::optional<Cost> call_cost(const std::vector<Price>& prices,
                              std::chrono::system_clock::time_point at, const Usage& usage);

}  // namespace tollgate::usage
