// A streamed answer rendered ahead of sending: the whole SSE body in one buffer, with the
// offsets the sender needs to pace it and to cut it short. Rendering everything first keeps the
// sending loop free of JSON work and the stream free of per-token allocations.
//
// Layout: head events (no content), then one event per content chunk (a token, or a piece of
// tool-call arguments), then the closing events (finish, usage, [DONE]).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace tollgate::sim {

struct EventStream {
  std::string data;
  std::size_t head_end = 0;               // where the head events end
  std::vector<std::size_t> content_ends;  // where each content event ends

  // Renderers call these after appending the last head event, and after each content event.
  void end_head() { head_end = data.size(); }
  void end_content() { content_ends.push_back(data.size()); }
};

}  // namespace tollgate::sim
