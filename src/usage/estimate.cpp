#include "usage/estimate.h"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <cstdint>

#include "usage/operation.h"

namespace tollgate::usage {

namespace json = boost::json;

namespace {

// OpenAI's published accounting for chat formatting: every message costs 3 tokens of framing
// (role and separators) besides its text, and every reply is primed with 3 more.
constexpr std::int64_t kTokensPerMessage = 3;
constexpr std::int64_t kTokensPerReply = 3;
constexpr std::int64_t kBytesPerToken = 4;

// What a request or answer holds that the model reads or writes as text.
struct Text {
  std::int64_t bytes = 0;      // UTF-8 bytes of text
  std::int64_t token_ids = 0;  // prompt tokens given as ids, each exactly one token

  std::int64_t tokens() const { return (bytes + kBytesPerToken - 1) / kBytesPerToken + token_ids; }
};

// Members whose strings are text the model sees or writes, wherever they sit in messages,
// Responses API items or answers. Everything else (ids, roles, types, URLs, base64 images and
// audio, encrypted reasoning) is left out: counting a data URL would inflate the estimate a
// thousandfold, while leaving an image out only undercounts it.
bool is_text_member(std::string_view key) {
  return key == "content" || key == "text" || key == "refusal" || key == "name" ||
         key == "arguments" || key == "output" || key == "input";
}

// Adds up the text in `value`; `is_text` says whether a string found right here is text.
void add_text(const json::value& value, bool is_text, Text& text) {
  if (const auto* string = value.if_string()) {
    if (is_text) text.bytes += static_cast<std::int64_t>(string->size());
  } else if (const auto* array = value.if_array()) {
    for (const auto& element : *array) add_text(element, is_text, text);
  } else if (const auto* object = value.if_object()) {
    for (const auto& member : *object) add_text(member.value(), is_text_member(member.key()), text);
  } else if (is_text && (value.is_int64() || value.is_uint64())) {
    ++text.token_ids;  // a prompt or input given as token ids
  }
}

Text text_of(const json::object& object, std::string_view key) {
  Text text;
  if (const json::value* value = object.if_contains(key)) add_text(*value, true, text);
  return text;
}

// Tool and function definitions reach the model as text too; their JSON is a fair stand-in.
std::int64_t definition_bytes(const json::object& request) {
  std::int64_t bytes = 0;
  for (std::string_view key : {"tools", "functions"})
    if (const json::value* definitions = request.if_contains(key))
      bytes += static_cast<std::int64_t>(json::serialize(*definitions).size());
  return bytes;
}

std::int64_t framing(std::size_t messages) {
  return static_cast<std::int64_t>(messages) * kTokensPerMessage + kTokensPerReply;
}

std::int64_t prompt_tokens(const json::object& request, Api api) {
  switch (api) {
    case Api::chat_completions: {
      Text text = text_of(request, "messages");
      text.bytes += definition_bytes(request);
      const json::value* messages = request.if_contains("messages");
      const std::size_t count = messages && messages->is_array() ? messages->get_array().size() : 0;
      return text.tokens() + framing(count);
    }
    case Api::responses: {
      Text text = text_of(request, "input");
      text.bytes += text_of(request, "instructions").bytes + definition_bytes(request);
      const json::value* input = request.if_contains("input");
      const std::size_t count = input && input->is_array() ? input->get_array().size() : 1;
      return text.tokens() + framing(count);
    }
    case Api::completions: {
      Text text = text_of(request, "prompt");
      text.bytes += text_of(request, "suffix").bytes;
      return text.tokens();
    }
    case Api::embeddings:
    case Api::other:
      break;
  }
  return text_of(request, "input").tokens();
}

std::int64_t completion_tokens(const json::value& result, Api api) {
  const json::object* body = result.if_object();
  if (!body || api == Api::embeddings) return 0;
  // A response object's output items; the choices of a chat.completion or text_completion.
  Text text;
  const json::value* output = body->if_contains(api == Api::responses ? "output" : "choices");
  if (output) add_text(*output, false, text);
  return text.tokens();
}

}  // namespace

Usage estimate_usage(const json::value& request_body, const json::value& result,
                     std::string_view operation) {
  const Api api = api_of(operation);
  const json::object* request = request_body.if_object();
  if (api == Api::other || !request) return {};
  Usage usage;
  usage.prompt_tokens = prompt_tokens(*request, api);
  usage.completion_tokens = completion_tokens(result, api);
  usage.total_tokens = *usage.prompt_tokens + *usage.completion_tokens;
  usage.source = Usage::Source::estimated;
  return usage;
}

}  // namespace tollgate::usage
