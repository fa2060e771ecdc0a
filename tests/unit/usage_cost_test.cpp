#include <gtest/gtest.h>

#include "core/clock.h"
#include "usage/cost.h"

namespace tollgate::usage {
namespace {

std::chrono::system_clock::time_point at(const char* text) { return *parse_time(text); }

Price price(double input, double cached, double output, const char* currency = "USD") {
  Price p;
  p.input = input;
  p.cached_input = cached;
  p.output = output;
  p.currency = currency;
  return p;
}

Usage usage(std::optional<std::int64_t> prompt, std::optional<std::int64_t> completion,
            std::optional<std::int64_t> cached = std::nullopt,
            std::optional<std::int64_t> reasoning = std::nullopt) {
  Usage u;
  u.prompt_tokens = prompt;
  u.completion_tokens = completion;
  u.cached_tokens = cached;
  u.reasoning_tokens = reasoning;
  u.source = Usage::Source::upstream;
  return u;
}

TEST(Cost, PromptCachedAndCompletionAtTheirPricesPerMillion) {
  // 1200 prompt tokens of which 200 cached, 300 completion tokens (50 of them reasoning).
  auto cost = cost_of(usage(1200, 300, 200, 50), price(2.5, 1.25, 10));
  ASSERT_TRUE(cost);
  EXPECT_DOUBLE_EQ(cost->amount, (1000 * 2.5 + 200 * 1.25 + 300 * 10) / 1e6);
  EXPECT_EQ(cost->currency, "USD");
}

TEST(Cost, ReasoningTokensAreAlreadyPartOfTheCompletion) {
  auto with = cost_of(usage(10, 100, 0, 90), price(1, 1, 4));
  auto without = cost_of(usage(10, 100, 0, 0), price(1, 1, 4));
  ASSERT_TRUE(with && without);
  EXPECT_DOUBLE_EQ(with->amount, without->amount);
}

TEST(Cost, UnknownCachedCountIsNoDiscount) {
  auto cost = cost_of(usage(1000, 0), price(3, 1, 0));
  ASSERT_TRUE(cost);
  EXPECT_DOUBLE_EQ(cost->amount, 3000 / 1e6);
}

TEST(Cost, CachedAboveThePromptIsCappedAtThePrompt) {
  auto cost = cost_of(usage(100, 0, 500), price(3, 1, 0));
  ASSERT_TRUE(cost);
  EXPECT_DOUBLE_EQ(cost->amount, 100 / 1e6);
}

TEST(Cost, EmbeddingsHaveNoCompletionCost) {
  auto cost = cost_of(usage(8191, 0), price(0.02, 0.02, 0));
  ASSERT_TRUE(cost);
  EXPECT_DOUBLE_EQ(cost->amount, 8191 * 0.02 / 1e6);
}

TEST(Cost, NoCostWithoutPromptOrCompletionCounts) {
  EXPECT_FALSE(cost_of(usage(std::nullopt, 10), price(1, 1, 1)));
  EXPECT_FALSE(cost_of(usage(10, std::nullopt), price(1, 1, 1)));
  EXPECT_FALSE(cost_of(Usage{}, price(1, 1, 1)));
}

TEST(Cost, ThePriceInEffectAtTheCallsTimeApplies) {
  std::vector<Price> prices{price(5, 5, 15), price(2.5, 1.25, 10), price(2, 1, 8, "EUR")};
  prices[1].effective_from = at("2026-01-01");
  prices[2].effective_from = at("2026-03-01T12:00:00Z");

  EXPECT_EQ(price_at(prices, at("2025-12-31T23:59:59.999999Z")), &prices[0]);
  EXPECT_EQ(price_at(prices, at("2026-01-01")), &prices[1]);  // from its first instant
  EXPECT_EQ(price_at(prices, at("2026-03-01T11:59:59Z")), &prices[1]);
  EXPECT_EQ(price_at(prices, at("2026-03-01T12:00:00Z")), &prices[2]);
  EXPECT_EQ(price_at(prices, at("2030-01-01")), &prices[2]);

  auto cost = call_cost(prices, at("2026-06-01"), usage(1'000'000, 1'000'000));
  ASSERT_TRUE(cost);
  EXPECT_DOUBLE_EQ(cost->amount, 10);
  EXPECT_EQ(cost->currency, "EUR");
}

TEST(Cost, NoPriceBeforeTheFirstTakesEffectOrWithoutPrices) {
  std::vector<Price> prices{price(1, 1, 1)};
  prices[0].effective_from = at("2026-01-01");
  EXPECT_EQ(price_at(prices, at("2025-06-01")), nullptr);
  EXPECT_FALSE(call_cost(prices, at("2025-06-01"), usage(10, 10)));
  EXPECT_FALSE(call_cost({}, at("2026-06-01"), usage(10, 10)));
}

}  // namespace
}  // namespace tollgate::usage
