// Masking: rewrites matches of configured regular expressions (e-mail addresses, card
// numbers, ...) in prompts and completions before an event leaves the process, so that they
// reach neither the spool nor any sink.
//
// Threading: immutable after construction; apply() may run on many threads at once.
#pragma once

#include <boost/json/value.hpp>
#include <boost/regex.hpp>
#include <string>
#include <utility>
#include <vector>

#include "core/config.h"

namespace tollgate::audit {

class Masker {
 public:
  // REQUIRES: every pattern compiles (the configuration check ensures it).
  explicit Masker(const std::vector<MaskRule>& rules);

  bool empty() const { return rules_.empty(); }
  // Applies every rule, in order, to every string inside `value` (object keys excepted).
  void apply(boost::json::value& value) const;

 private:
  std::vector<std::pair<boost::regex, std::string>> rules_;
};

}  // namespace tollgate::audit
