#include "audit/sinks/event_lines.h"

#include <algorithm>

namespace tollgate::audit {

void append_event_lines(const std::vector<std::string_view>& events, std::string& out) {
  for (std::string_view event : events) {
    const auto start = out.size();
    out.append(event);
    std::replace(out.begin() + static_cast<std::ptrdiff_t>(start), out.end(), '\n', ' ');
    out.push_back('\n');
  }
}

}  // namespace tollgate::audit
