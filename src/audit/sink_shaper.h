// Shapes a spooled audit event for one sink: converts it to the sink's format (typed, or the
// Azure API Management pattern's shape) and keeps it within the sink's maximum event size —
// nothing is ever cut silently: an oversized event either carries truncated bodies, still
// valid JSON, marked `truncated: true` with their original byte counts, or is split into
// ordered parts that a consumer joins back (docs/events.md).
//
// Threading: immutable; shape() may run on several sink threads at once.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/config.h"

namespace tollgate::audit {

class SinkShaper {
 public:
  explicit SinkShaper(const SinkConfig& sink);
  // `event` is a serialized typed event; returns the payloads the sink receives.
  std::vector<std::string> operator()(std::string_view event) const;

 private:
  SinkConfig::Format format_;
  std::size_t max_bytes_;
  SinkConfig::Oversize oversize_;
};

// Exposed for tests: the event with its bodies shortened until it fits `max_bytes`.
std::string truncate_event(std::string_view event, std::size_t max_bytes);
// Exposed for tests: the event cut into parts of at most `max_bytes` each.
std::vector<std::string> split_event(std::string_view event, std::size_t max_bytes);

}  // namespace tollgate::audit
