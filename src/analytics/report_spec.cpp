#include "analytics/report_spec.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <stdexcept>
#include <utility>

namespace tollgate::analytics {

namespace {

constexpr std::array<std::pair<Dimension, std::string_view>, 8> names{{
    {Dimension::app, "app"},
    {Dimension::user, "user"},
    {Dimension::end_user, "end_user"},
    {Dimension::model, "model"},
    {Dimension::deployment, "deployment"},
    {Dimension::backend, "backend"},
    {Dimension::day, "day"},
    {Dimension::month, "month"},
}};

}  // namespace

std::string_view dimension_name(Dimension dimension) {
  for (const auto& [d, name] : names)
    if (d == dimension) return name;
  return "?";
}

std::vector<Dimension> parse_dimensions(std::string_view text) {
  std::vector<Dimension> dimensions;
  while (!text.empty()) {
    auto comma = text.find(',');
    auto word = text.substr(0, comma);
    text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
    while (!word.empty() && word.front() == ' ') word.remove_prefix(1);
    while (!word.empty() && word.back() == ' ') word.remove_suffix(1);
    if (word.empty()) continue;
    auto found = std::find_if(names.begin(), names.end(),
                              [&](const auto& entry) { return entry.second == word; });
    if (found == names.end())
      throw std::invalid_argument(fmt::format(
          "'{}' is not a dimension (they are app, user, end_user, model, deployment, backend, "
          "day, month)",
          word));
    if (std::find(dimensions.begin(), dimensions.end(), found->first) != dimensions.end())
      throw std::invalid_argument(fmt::format("'{}' is given twice", word));
    dimensions.push_back(found->first);
  }
  return dimensions;
}

}  // namespace tollgate::analytics
