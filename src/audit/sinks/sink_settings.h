// Reads a sink's own settings (SinkConfig::settings, all strings) into typed values. Every
// problem throws std::runtime_error naming the sink and the setting, for example
//   jsonl sink 'archive': setting 'rotate_bytes': must be a whole number from 4096 to ...
// so that a wrong configuration stops the gateway at startup with a message that says where.
//
// Threading: used once, while a sink is built. `config` must outlive the reader.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <map>
#include <string>
#include <string_view>

#include "core/config.h"

namespace tollgate::audit {

class SinkSettings {
 public:
  // Throws if `config` holds a setting not in `known`: a misspelt setting would otherwise be
  // ignored silently and its default used instead. A known name ending in '.' ("properties.")
  // admits a group of settings, each "properties.NAME" (config.cpp flattens a nested mapping so).
  SinkSettings(const SinkConfig& config, std::initializer_list<std::string_view> known);

  // The setting's value; throws if it is absent or empty.
  std::string required(std::string_view key) const;
  // The setting's value, or `fallback` when it is absent.
  std::string text(std::string_view key, std::string_view fallback = {}) const;
  // The setting as a whole number within [min, max], or `fallback` when it is absent.
  std::uint64_t number(std::string_view key, std::uint64_t fallback, std::uint64_t min,
                       std::uint64_t max) const;
  // The setting, which must be one of `choices`, or `fallback` when it is absent.
  std::string choice(std::string_view key, std::string_view fallback,
                     std::initializer_list<std::string_view> choices) const;

  // The settings of a group, "properties." say, by their names within it.
  std::map<std::string, std::string> group(std::string_view prefix) const;
  // The setting's value, or "" when it is absent.
  std::string optional(std::string_view key) const;

  // "jsonl sink" or "jsonl sink 'archive'": how messages name the sink.
  std::string sink() const;
  [[noreturn]] void fail(std::string_view key, std::string_view problem) const;

 private:
  const std::string* find(std::string_view key) const;

  const SinkConfig& config_;
};

}  // namespace tollgate::audit
