// Server-sent events framing (https://html.spec.whatwg.org/#event-stream-interpretation):
// splits a byte stream into whole events so that each can be forwarded, inspected or dropped
// as a unit, however the bytes were cut by the network.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace tollgate::http {

class SseFramer {
 public:
  // Appends `bytes` and returns the events they complete, each with its terminating blank line.
  // The views stay valid until the next call.
  const std::vector<std::string_view>& feed(std::string_view bytes);
  // Bytes of an event not yet terminated.
  std::string_view pending() const;

 private:
  std::string buffer_;
  std::size_t consumed_ = 0;  // bytes of buffer_ already returned as events
  std::size_t scanned_ = 0;   // bytes of buffer_ searched for an event end
  bool line_start_ = true;    // the last scanned byte ended a line
  bool after_cr_ = false;     // the last scanned byte was CR, so an LF next is part of it
  std::vector<std::string_view> events_;
};

// The value of the event's data field(s), joined by '\n' as the spec says.
std::string sse_data(std::string_view event);

}  // namespace tollgate::http
