#include "audit/sinks/sink_settings.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <stdexcept>

namespace tollgate::audit {

SinkSettings::SinkSettings(const SinkConfig& config, std::initializer_list<std::string_view> known)
    : config_(config) {
  auto is_known = [&](const std::string& key) {
    for (std::string_view name : known) {
      if (name == key) return true;
      if (name.ends_with(".*") && key.size() > name.size() - 1 &&
          key.compare(0, name.size() - 1, name.substr(0, name.size() - 1)) == 0)
        return true;
    }
    return false;
  };
  for (const auto& [key, value] : config.settings)
    if (!is_known(key))
      fail(key, known.size() == 0 ? std::string("is not a setting of this sink, which takes none")
                                  : fmt::format("is not a setting of this sink (it takes: {})",
                                                fmt::join(known, ", ")));
}

const std::string* SinkSettings::find(std::string_view key) const {
  auto it = config_.settings.find(std::string(key));
  return it == config_.settings.end() ? nullptr : &it->second;
}

std::string SinkSettings::required(std::string_view key) const {
  const auto* value = find(key);
  if (value == nullptr || value->empty()) fail(key, "is required");
  return *value;
}

std::string SinkSettings::text(std::string_view key, std::string_view fallback) const {
  const auto* value = find(key);
  return value == nullptr ? std::string(fallback) : *value;
}

std::uint64_t SinkSettings::number(std::string_view key, std::uint64_t fallback, std::uint64_t min,
                                   std::uint64_t max) const {
  const auto* text = find(key);
  if (text == nullptr) return fallback;
  std::uint64_t value = 0;
  const char* end = text->data() + text->size();
  auto [at, error] = std::from_chars(text->data(), end, value);
  if (error != std::errc() || at != end || value < min || value > max)
    fail(key, fmt::format("must be a whole number from {} to {}, not '{}'", min, max, *text));
  return value;
}

std::string SinkSettings::choice(std::string_view key, std::string_view fallback,
                                 std::initializer_list<std::string_view> choices) const {
  const auto* value = find(key);
  if (value == nullptr) return std::string(fallback);
  if (std::find(choices.begin(), choices.end(), *value) == choices.end())
    fail(key, fmt::format("must be one of {}, not '{}'", fmt::join(choices, ", "), *value));
  return *value;
}

std::map<std::string, std::string> SinkSettings::group(std::string_view name) const {
  const std::string prefix = std::string(name) + ".";
  std::map<std::string, std::string> members;
  for (auto it = config_.settings.lower_bound(prefix);
       it != config_.settings.end() && it->first.starts_with(prefix); ++it)
    members[it->first.substr(prefix.size())] = it->second;
  return members;
}

std::string SinkSettings::sink() const {
  if (config_.name.empty() || config_.name == config_.type) return config_.type + " sink";
  return fmt::format("{} sink '{}'", config_.type, config_.name);
}

void SinkSettings::fail(std::string_view key, std::string_view problem) const {
  throw std::runtime_error(fmt::format("{}: setting '{}': {}", sink(), key, problem));
}

}  // namespace tollgate::audit
