#include "audit/sinks/sink_settings.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <stdexcept>

namespace tollgate::audit {

SinkSettings::SinkSettings(const SinkConfig& config, std::initializer_list<std::string_view> known)
    : config_(config) {
  auto admitted = [&](const std::string& key) {
    return std::any_of(known.begin(), known.end(), [&](std::string_view name) {
      return name.ends_with('.') ? key.starts_with(name) && key.size() > name.size() : key == name;
    });
  };
  for (const auto& [key, value] : config.settings)
    if (!admitted(key))
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

std::map<std::string, std::string> SinkSettings::group(std::string_view prefix) const {
  std::map<std::string, std::string> out;
  for (const auto& [key, value] : config_.settings)
    if (key.starts_with(prefix)) out[key.substr(prefix.size())] = value;
  return out;
}

std::string SinkSettings::optional(std::string_view key) const {
  const auto* value = find(key);
  return value ? *value : std::string();
}

std::string SinkSettings::sink() const {
  if (config_.name.empty() || config_.name == config_.type) return config_.type + " sink";
  return fmt::format("{} sink '{}'", config_.type, config_.name);
}

void SinkSettings::fail(std::string_view key, std::string_view problem) const {
  throw std::runtime_error(fmt::format("{}: setting '{}': {}", sink(), key, problem));
}

}  // namespace tollgate::audit
