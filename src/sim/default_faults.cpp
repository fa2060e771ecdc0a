#include "sim/default_faults.h"

#include <boost/json.hpp>

#include "sim/faults.h"

namespace tollgate::sim {

std::shared_ptr<const SimOptions> DefaultFaults::current() const {
  std::lock_guard lock(mutex_);
  return current_;
}

std::optional<std::string> DefaultFaults::replace(std::map<std::string, std::string> faults) {
  auto next = std::make_shared<SimOptions>(*current());
  next->faults = std::move(faults);
  if (auto problem = check_fault_options(*next)) return problem;
  std::lock_guard lock(mutex_);
  current_ = std::move(next);
  return std::nullopt;
}

std::string DefaultFaults::json() const {
  boost::json::object out;
  for (const auto& [name, value] : current()->faults) out[name] = value;
  return boost::json::serialize(out);
}

}  // namespace tollgate::sim
