// Everything the audit records about one streamed response, gathered from its SSE events as
// they pass: the count of events, the model that served them, the usage the upstream reported,
// and the body a non-streamed call would have returned (see ChoicesAssembly and
// ResponseAssembly for what is rebuilt).
//
// One per stream, fed in arrival order; not thread-safe. Const methods may be called at any
// point, so a stream that breaks or is abandoned still yields what arrived.
#pragma once

#include <boost/json/value.hpp>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "usage/choices_assembly.h"
#include "usage/operation.h"
#include "usage/response_assembly.h"
#include "usage/usage.h"

namespace tollgate::usage {

class StreamAssembler {
 public:
  // `operation`: "chat.completions", "completions" or "responses" (the path spellings
  // "chat/completions" too). Any other rebuilds no body; its events are still counted and
  // their model and usage read.
  explicit StreamAssembler(std::string_view operation);

  // Takes the data of one SSE event (its data lines joined, as http::sse_data gives them).
  // Data that is empty or "[DONE]" is ignored; anything else counts as a chunk, and a chunk that
  // is not a JSON object is counted and otherwise skipped. Never throws but for bad_alloc.
  void feed(std::string_view data);

  // The rebuilt body: a chat.completion, a text_completion or a response object; null before
  // the first usable chunk, and for other operations.
  boost::json::value result() const;

  // The usage of the latest chunk or response object that reported one; Source::none if none
  // did (the caller then estimates).
  Usage usage() const { return usage_; }

  std::size_t chunks() const { return chunks_; }

  // The first non-empty "model" of a chunk (chat, completions) or response object (responses).
  std::optional<std::string> served_model() const { return served_model_; }

 private:
  Api api_;
  std::variant<std::monostate, ChoicesAssembly, ResponseAssembly> assembly_;
  std::size_t chunks_ = 0;
  std::optional<std::string> served_model_;
  Usage usage_;
};

}  // namespace tollgate::usage
