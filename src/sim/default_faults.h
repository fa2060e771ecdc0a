// The faults every request gets unless it sends its own x-sim-* header: the --fault options at
// start, replaceable at runtime through PUT /sim/faults, so that a test can make a simulated
// region fail, or recover, in the middle of a run.
//
// Thread safety: every method may be called from any thread. Readers get an immutable
// snapshot; the mutex is held only to copy or swap the pointer.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "sim/simulator.h"

namespace tollgate::sim {

class DefaultFaults {
 public:
  explicit DefaultFaults(const SimOptions& options)
      : current_(std::make_shared<const SimOptions>(options)) {}

  // The options requests are read against now (their `faults` replaced at runtime).
  std::shared_ptr<const SimOptions> current() const;
  // Replaces the faults (all of them: an empty map clears them). Returns the problem instead,
  // changing nothing, when a name is unknown or a value invalid.
  std::optional<std::string> replace(std::map<std::string, std::string> faults);
  // {"name": "value", ...}
  std::string json() const;

 private:
  mutable std::mutex mutex_;
  std::shared_ptr<const SimOptions> current_;  // guarded by mutex_
};

}  // namespace tollgate::sim
