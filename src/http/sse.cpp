#include "http/sse.h"

namespace tollgate::http {

const std::vector<std::string_view>& SseFramer::feed(std::string_view bytes) {
  events_.clear();
  if (consumed_ > 0) {
    buffer_.erase(0, consumed_);
    scanned_ -= consumed_;
    consumed_ = 0;
  }
  buffer_.append(bytes);
  // An event ends at an empty line. Lines end with CRLF, LF or CR, so a CR is a line break
  // on its own and an LF right after it belongs to it.
  for (; scanned_ < buffer_.size(); ++scanned_) {
    char c = buffer_[scanned_];
    if (c == '\n' && after_cr_) {
      after_cr_ = false;
      continue;
    }
    if (c != '\n' && c != '\r') {
      line_start_ = after_cr_ = false;
      continue;
    }
    after_cr_ = c == '\r';
    if (!line_start_) {
      line_start_ = true;
      continue;
    }
    // An event ending in CR takes the LF that may follow it; wait to see that byte.
    std::size_t end = scanned_ + 1;
    if (c == '\r') {
      if (end == buffer_.size()) break;
      if (buffer_[end] == '\n') ++end;
      after_cr_ = false;
    }
    events_.emplace_back(std::string_view(buffer_).substr(consumed_, end - consumed_));
    consumed_ = end;
    scanned_ = end - 1;
  }
  return events_;
}

std::string_view SseFramer::pending() const { return std::string_view(buffer_).substr(consumed_); }

std::string sse_data(std::string_view event) {
  std::string data;
  bool first = true;
  while (!event.empty()) {
    std::size_t end = event.find_first_of("\r\n");
    std::string_view line = event.substr(0, end);
    event = end == std::string_view::npos ? std::string_view{} : event.substr(end + 1);
    if (line.substr(0, 5) != "data:") continue;
    line.remove_prefix(5);
    if (!line.empty() && line.front() == ' ') line.remove_prefix(1);
    if (!first) data += '\n';
    data.append(line);
    first = false;
  }
  return data;
}

}  // namespace tollgate::http
