// The YAML reader behind load_config, shared by the files that parse one section each. It
// collects every problem with its position instead of stopping at the first, so one
// `tollgate check` run shows them all.
#pragma once

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <string>
#include <vector>

#include "core/config.h"

namespace tollgate::config_detail {

class Reader {
 public:
  explicit Reader(std::string source) : source_(std::move(source)) {}

  void problem(const YAML::Node& at, const std::string& key, const std::string& message) {
    auto mark = at.Mark();
    problems_.push_back(
        fmt::format("{}:{}:{}: {}: {}", source_, mark.line + 1, mark.column + 1, key, message));
  }
  std::vector<std::string>& problems() { return problems_; }

  // A scalar with ${ENV} references expanded; reports and returns "" when it is not a scalar.
  std::string text(const YAML::Node& node, const std::string& key) {
    if (!node.IsScalar()) {
      problem(node, key, "must be a single value");
      return {};
    }
    return expand(node, key, node.Scalar());
  }

  template <class Int>
  Int number(const YAML::Node& node, const std::string& key, Int min, Int max) {
    auto value = text(node, key);
    Int result{};
    auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), result);
    if (ec != std::errc{} || end != value.data() + value.size() || result < min || result > max) {
      problem(node, key, fmt::format("must be a whole number from {} to {}", min, max));
      return min;
    }
    return result;
  }

  bool boolean(const YAML::Node& node, const std::string& key) {
    auto value = text(node, key);
    if (value == "true") return true;
    if (value != "false") problem(node, key, "must be true or false");
    return false;
  }

  // A non-negative decimal number, such as a price.
  double decimal(const YAML::Node& node, const std::string& key) {
    auto value = text(node, key);
    double result = 0;
    auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), result);
    if (ec != std::errc{} || end != value.data() + value.size() || !std::isfinite(result) ||
        result < 0) {
      problem(node, key, "must be a number, 0 or more");
      return 0;
    }
    return result;
  }

  std::chrono::milliseconds millis(const YAML::Node& node, const std::string& key) {
    return std::chrono::milliseconds(number<long>(node, key, 1, 86'400'000));
  }

  // Reports keys of `map` that are not in `known`, since a misspelt key would otherwise be
  // silently ignored.
  bool expect_map(const YAML::Node& map, const std::string& key,
                  std::initializer_list<const char*> known) {
    if (!map.IsMap()) {
      problem(map, key, "must be a mapping");
      return false;
    }
    for (const auto& item : map) {
      auto name = item.first.as<std::string>();
      if (std::none_of(known.begin(), known.end(), [&](const char* k) { return name == k; }))
        problem(item.first, key.empty() ? name : key + "." + name, "unknown key");
    }
    return true;
  }

 private:
  std::string expand(const YAML::Node& node, const std::string& key, const std::string& raw) {
    std::string out;
    std::size_t pos = 0;
    while (pos < raw.size()) {
      auto open = raw.find("${", pos);
      if (open == std::string::npos) break;
      auto close = raw.find('}', open);
      if (close == std::string::npos) {
        problem(node, key, "has ${ without a closing }");
        return raw;
      }
      out.append(raw, pos, open - pos);
      std::string name = raw.substr(open + 2, close - open - 2);
      std::string fallback;
      bool has_fallback = false;
      if (auto dash = name.find(":-"); dash != std::string::npos) {
        fallback = name.substr(dash + 2);
        name.resize(dash);
        has_fallback = true;
      }
      if (const char* value = std::getenv(name.c_str()); value && *value) {
        out += value;
      } else if (has_fallback) {
        out += fallback;
      } else {
        problem(node, key, fmt::format("environment variable {} is not set", name));
      }
      pos = close + 1;
    }
    out.append(raw, pos);
    return out;
  }

  std::string source_;
  std::vector<std::string> problems_;
};

// A list of strings, or one string standing for a list of one.
std::vector<std::string> string_list(Reader& r, const YAML::Node& node, const std::string& key);

// Section parsers that live in their own files.
void parse_auth(Reader& r, const YAML::Node& node, AuthConfig& auth);
void parse_credential(Reader& r, const YAML::Node& node, const std::string& key,
                      CredentialConfig& credential);

}  // namespace tollgate::config_detail
