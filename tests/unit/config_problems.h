// What the configuration tests ask of parse_config: the problems it reports for a text.
#pragma once

#include <string>
#include <vector>

#include "core/config.h"

namespace tollgate {

// Every "FILE:LINE:COL: key: message" parse_config reports for `text` (as t.yaml); none when
// it is valid.
inline std::vector<std::string> problems_of(const std::string& text) {
  try {
    parse_config(text, "t.yaml");
  } catch (const ConfigError& e) {
    return e.problems();
  }
  return {};
}

}  // namespace tollgate
