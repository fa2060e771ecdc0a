// Legacy Completions: POST .../completions.
#include <fmt/format.h>

#include <boost/json.hpp>
#include <iterator>

#include "sim/api.h"
#include "sim/chunk_stream.h"
#include "sim/json_text.h"

namespace tollgate::sim {

namespace json = boost::json;

namespace {

constexpr std::string_view kIdPrefix = "cmpl-";

void write_choice(std::string_view text, std::size_t index, std::string_view finish_reason,
                  std::string& out) {
  out += R"({"text":)";
  append_json_string(out, text);
  fmt::format_to(std::back_inserter(out), R"(,"index":{},"logprobs":null,"finish_reason":)", index);
  if (finish_reason.empty()) {
    out += "null}";
  } else {
    append_json_string(out, finish_reason);
    out += '}';
  }
}

void content(const Choice&, std::size_t index, std::string_view piece, std::string& out) {
  write_choice(piece, index, {}, out);
}

void finish(const Choice& choice, std::size_t index, std::string& out) {
  write_choice({}, index, choice.finish_reason, out);
}

constexpr ChunkStyle kStyle{"text_completion", kIdPrefix, nullptr, content, finish};

// A prompt given as token ids: an array of integers.
bool is_token_ids(const json::value& prompt) {
  const auto* ids = prompt.if_array();
  if (!ids || ids->empty()) return false;
  for (const auto& id : *ids)
    if (!id.is_int64() && !id.is_uint64()) return false;
  return true;
}

class CompletionsApi final : public GenerativeApi {
 public:
  std::optional<ApiError> read(const json::object& body, Prompt& prompt) const override {
    const json::value* value = body.if_contains("prompt");
    if (!value) return invalid_request("'prompt' is required.", "prompt");

    // One prompt, or a batch of them: each gets its own choices.
    std::vector<const json::value*> batch;
    if (value->is_string() || is_token_ids(*value)) {
      batch.push_back(value);
    } else if (value->is_array() && !value->get_array().empty()) {
      for (const auto& item : value->get_array()) batch.push_back(&item);
    }
    std::vector<Turn> turns;
    for (const json::value* item : batch) {
      if (item->is_string()) {
        std::string_view text = item->get_string();
        prompt.add_text(text);
        turns.push_back({fnv1a(text), std::string(text)});
      } else if (is_token_ids(*item)) {
        // Token ids have no text to echo; their serialization seeds the words instead.
        std::string ids = json::serialize(*item);
        prompt.seed = fnv1a(ids, prompt.seed);
        prompt.input_token_ids += static_cast<std::int64_t>(item->get_array().size());
        turns.push_back({fnv1a(ids), {}});
      } else {
        return invalid_request(
            "'prompt' must be a string, an array of strings, or an array of token arrays.",
            "prompt");
      }
    }
    if (turns.empty()) return invalid_request("'prompt' must not be empty.", "prompt");

    bool invalid = false;
    int n = int_field(body, "n", 1, 128, invalid).value_or(1);
    prompt.max_tokens = int_field(body, "max_tokens", 0, 1 << 30, invalid);
    if (invalid)
      return invalid_request("'n' must be from 1 to 128 and 'max_tokens' a non-negative integer.");
    read_streaming(body, prompt);
    for (const auto& turn : turns)
      for (int i = 0; i < n; ++i) prompt.turns.push_back({turn.seed + i, turn.text});
    return std::nullopt;
  }

  std::string render(const Answer& answer) const override {
    json::array choices;
    for (std::size_t i = 0; i < answer.choices.size(); ++i) {
      const Choice& choice = answer.choices[i];
      choices.push_back({{"text", choice.tokens.text},
                         {"index", i},
                         {"logprobs", nullptr},
                         {"finish_reason", choice.finish_reason}});
    }
    return completion_json(answer, kIdPrefix, "text_completion", std::move(choices));
  }

  EventStream render_stream(const Answer& answer, const Prompt& prompt) const override {
    return chunk_stream(answer, prompt.include_usage, kStyle);
  }
};

}  // namespace

const GenerativeApi& completions_api() {
  static const CompletionsApi api;
  return api;
}

}  // namespace tollgate::sim
