// What a generative request (chat completions, completions, responses) asks the simulator for,
// read from its JSON body by the API that received it.
//
// A Prompt views the parsed request body (the chosen tool's schema), so it must not outlive it.
#pragma once

#include <boost/json/fwd.hpp>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sim/text.h"

namespace tollgate::sim {

// A function the answer must call.
struct ToolSpec {
  std::string_view name;
  const boost::json::object* parameters = nullptr;  // its JSON Schema, or null
};

// The text that one choice answers, and the seed that picks its words.
struct Turn {
  std::uint64_t seed = 0;
  std::string text;
};

struct Prompt {
  std::string model;        // echoed in the answer
  std::vector<Turn> turns;  // one per choice
  std::optional<int> max_tokens;
  std::optional<ToolSpec> tool;
  bool stream = false;
  bool include_usage = false;  // stream_options.include_usage

  // The input, measured for usage and hashed for the seed.
  std::uint64_t seed = kFnvOffset;
  std::size_t input_bytes = 0;
  std::int64_t input_token_ids = 0;  // tokens given as ids (completions prompts)
  int input_messages = 0;

  // Counts and hashes one message of the conversation.
  void add_message(std::string_view role, std::string_view text);
  // Counts and hashes input text that is not a message (a completions prompt).
  void add_text(std::string_view text);
  // The usage rule: one token per 4 bytes of input text, each token id, and 3 per message.
  std::int64_t prompt_tokens() const;
};

// The text of a message's `content`: the string itself, or the `text` of each part of an array
// of content parts, concatenated. Other parts (images, audio) and other values give nothing.
std::string content_text(const boost::json::value& content);

// Reads `stream` and `stream_options.include_usage`, as Chat Completions and Completions send
// them.
void read_streaming(const boost::json::object& body, Prompt& prompt);

// `body[key]` when it is an integer in [min, max], nullopt when absent or null; sets `invalid`
// when present with another value.
std::optional<int> int_field(const boost::json::object& body, std::string_view key, int min,
                             int max, bool& invalid);

}  // namespace tollgate::sim
