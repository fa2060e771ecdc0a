// Rebuilds the body a non-streamed Chat Completions or Completions call would have returned
// from the chunks of a streamed one: per choice (n > 1 included) the concatenated text or
// message, tool calls with their complete arguments, refusal, logprobs and finish reason.
//
// One per stream; not thread-safe. Used by StreamAssembler, which parses the chunks.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <map>

namespace tollgate::usage {

class ChoicesAssembly {
 public:
  // `chat`: chat.completion.chunk deltas; otherwise text_completion chunks.
  explicit ChoicesAssembly(bool chat) : chat_(chat) {}

  void add(const boost::json::object& chunk);

  // A chat.completion or text_completion object: id, object, created, model,
  // system_fingerprint (null until a chunk gives them), choices in index order, and the
  // upstream's usage object or null. Null when no chunk carried choices.
  boost::json::value result() const;

 private:
  struct Choice {
    boost::json::object delta;  // the merged deltas: the message, or {"text": ...}
    boost::json::value logprobs;
    boost::json::value finish_reason;
  };

  bool chat_;
  bool seen_ = false;
  boost::json::object head_;  // the first non-empty id, created, model, system_fingerprint
  std::map<std::int64_t, Choice> choices_;
  boost::json::value usage_;
};

}  // namespace tollgate::usage
