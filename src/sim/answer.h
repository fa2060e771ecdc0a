// The simulator's answer to a generative request, before any API shapes it: per choice the
// tokens to emit (the text, or a tool call's arguments) and why it ended, plus usage.
#pragma once

#include <boost/json/fwd.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sim/prompt.h"
#include "sim/text.h"

namespace tollgate::sim {

// Answers without x-sim-tokens or a smaller max_tokens have this many words.
inline constexpr int kDefaultWords = 16;
inline constexpr std::string_view kSystemFingerprint = "fp_tollgate_sim";

struct Choice {
  Tokens tokens;             // the content, or the tool call's arguments
  std::string tool_call_id;  // empty when the choice is text
  std::string tool_name;
  std::string_view finish_reason;  // "stop", "length" or "tool_calls"

  bool is_tool_call() const { return !tool_call_id.empty(); }
};

struct Answer {
  std::string model;
  std::string id;            // 16 hex digits, unique per request; each API adds its prefix
  std::int64_t created = 0;  // Unix time, seconds
  std::vector<Choice> choices;
  std::int64_t prompt_tokens = 0;
  std::int64_t completion_tokens = 0;  // the tokens of all choices

  std::int64_t total_tokens() const { return prompt_tokens + completion_tokens; }
};

// Answers `prompt`: per turn a tool call when the prompt has a tool, else the echo when the
// turn's text asks for one, else generated words: `tokens` of them when set (x-sim-tokens), else
// max_tokens when smaller than kDefaultWords (finish_reason "length"), else kDefaultWords.
// `serial` makes the id unique.
Answer answer(const Prompt& prompt, std::optional<int> tokens, std::uint64_t serial,
              std::int64_t now);

// The usage object of Chat Completions and Completions answers, with the token details the SDKs
// expect (cached and reasoning tokens are always 0).
boost::json::object usage_json(const Answer& answer);

// A whole (non-streamed) chat.completion or text_completion answer around `choices`,
// serialized: the envelope both APIs share.
std::string completion_json(const Answer& answer, std::string_view id_prefix,
                            std::string_view object, boost::json::array choices);

}  // namespace tollgate::sim
