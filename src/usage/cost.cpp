#include "usage/cost.h"

#include <algorithm>

namespace tollgate::usage {

const Price* price_at(const std::vector<Price>& prices, std::chrono::system_clock::time_point at) {
  auto after = std::upper_bound(
      prices.begin(), prices.end(), at,
      [](std::chrono::system_clock::time_point t, const Price& p) { return t < p.effective_from; });
  return after == prices.begin() ? nullptr : &*std::prev(after);
}

std::optional<Cost> cost_of(const Usage& usage, const Price& price) {
  if (!usage.prompt_tokens || !usage.completion_tokens) return std::nullopt;
  const auto prompt = static_cast<double>(*usage.prompt_tokens);
  const auto cached =
      static_cast<double>(std::min(usage.cached_tokens.value_or(0), *usage.prompt_tokens));
  const auto completion = static_cast<double>(*usage.completion_tokens);
  const double amount =
      ((prompt - cached) * price.input + cached * price.cached_input + completion * price.output) /
      1e6;
  return Cost{amount, price.currency};
}

std::optional<Cost> call_cost(const std::vector<Price>& prices,
                              std::chrono::system_clock::time_point at, const Usage& usage) {
  const Price* price = price_at(prices, at);
  if (!price) return std::nullopt;
  return cost_of(usage, *price);
}

}  // namespace tollgate::usage
