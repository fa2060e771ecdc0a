#include "audit/sinks/stdout_sink.h"

#include <cerrno>
#include <system_error>

#include "audit/sinks/event_lines.h"

namespace tollgate::audit {

std::string StdoutSink::deliver(const std::vector<std::string_view>& events) {
  batch_.clear();
  append_event_lines(events, batch_);
  errno = 0;
  if (std::fwrite(batch_.data(), 1, batch_.size(), out_) == batch_.size() && std::fflush(out_) == 0)
    return {};
  const int error = errno;
  std::clearerr(out_);  // let the retry try again
  return "cannot write to standard output: " +
         (error != 0 ? std::generic_category().message(error) : std::string("stream error"));
}

}  // namespace tollgate::audit
