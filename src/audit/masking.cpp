#include "audit/masking.h"

#include <boost/json.hpp>

namespace tollgate::audit {

namespace json = boost::json;

Masker::Masker(const std::vector<MaskRule>& rules) {
  for (const auto& rule : rules)
    rules_.emplace_back(boost::regex(rule.pattern, boost::regex::ECMAScript), rule.replacement);
}

void Masker::apply(json::value& value) const {
  if (rules_.empty()) return;
  if (auto* text = value.if_string()) {
    std::string masked(text->data(), text->size());
    for (const auto& [pattern, replacement] : rules_)
      masked = boost::regex_replace(masked, pattern, replacement);
    *text = masked;
  } else if (auto* array = value.if_array()) {
    for (auto& item : *array) apply(item);
  } else if (auto* object = value.if_object()) {
    for (auto& member : *object) apply(member.value());
  }
}

}  // namespace tollgate::audit
