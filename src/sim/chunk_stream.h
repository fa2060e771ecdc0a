// The streams of Chat Completions and legacy Completions: "data: {chunk}" events, each a whole
// object carrying the answer's id, created and model and one choice, ended by "data: [DONE]".
// The two APIs differ only in the object name and in how a choice is written, which the
// ChunkStyle supplies.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "sim/answer.h"
#include "sim/event_stream.h"

namespace tollgate::sim {

struct ChunkStyle {
  std::string_view object;  // "chat.completion.chunk" or "text_completion"
  std::string_view id_prefix;
  // Each appends one choice object, with its "index", to `out`. `head` may be null when the API
  // opens with no event before the content.
  void (*head)(const Choice& choice, std::size_t index, std::string& out);
  void (*content)(const Choice& choice, std::size_t index, std::string_view piece,
                  std::string& out);
  void (*finish)(const Choice& choice, std::size_t index, std::string& out);
};

// The stream: the head chunk of each choice, then the content chunks of the choices in turn
// (token 0 of each choice, then token 1, ...), then each choice's finish chunk. With
// `include_usage` every chunk carries "usage":null and a chunk with no choices and the usage
// comes last, as the real API does.
EventStream chunk_stream(const Answer& answer, bool include_usage, const ChunkStyle& style);

}  // namespace tollgate::sim
