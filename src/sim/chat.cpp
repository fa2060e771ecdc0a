// Chat Completions: POST .../chat/completions.
#include <fmt/format.h>

#include <boost/json.hpp>
#include <iterator>

#include "sim/api.h"
#include "sim/chunk_stream.h"
#include "sim/json_text.h"
#include "sim/tool_call.h"

namespace tollgate::sim {

namespace json = boost::json;

namespace {

constexpr std::string_view kIdPrefix = "chatcmpl-";

void open_choice(std::size_t index, std::string& out) {
  fmt::format_to(std::back_inserter(out), R"({{"index":{},"delta":)", index);
}

void close_choice(std::string_view finish_reason, std::string& out) {
  out += R"(,"logprobs":null,"finish_reason":)";
  if (finish_reason.empty()) {
    out += "null}";
  } else {
    append_json_string(out, finish_reason);
    out += '}';
  }
}

void head(const Choice& choice, std::size_t index, std::string& out) {
  open_choice(index, out);
  if (choice.is_tool_call()) {
    out += R"({"role":"assistant","content":null,"tool_calls":[{"index":0,"id":)";
    append_json_string(out, choice.tool_call_id);
    out += R"(,"type":"function","function":{"name":)";
    append_json_string(out, choice.tool_name);
    out += R"(,"arguments":""}}],"refusal":null})";
  } else {
    out += R"({"role":"assistant","content":"","refusal":null})";
  }
  close_choice({}, out);
}

void content(const Choice& choice, std::size_t index, std::string_view piece, std::string& out) {
  open_choice(index, out);
  if (choice.is_tool_call()) {
    out += R"({"tool_calls":[{"index":0,"function":{"arguments":)";
    append_json_string(out, piece);
    out += "}}]}";
  } else {
    out += R"({"content":)";
    append_json_string(out, piece);
    out += '}';
  }
  close_choice({}, out);
}

void finish(const Choice& choice, std::size_t index, std::string& out) {
  open_choice(index, out);
  out += "{}";
  close_choice(choice.finish_reason, out);
}

constexpr ChunkStyle kStyle{"chat.completion.chunk", kIdPrefix, head, content, finish};

class ChatApi final : public GenerativeApi {
 public:
  std::optional<ApiError> read(const json::object& body, Prompt& prompt) const override {
    const json::value* messages = body.if_contains("messages");
    if (!messages || !messages->is_array() || messages->get_array().empty())
      return invalid_request("'messages' must be a non-empty array of messages.", "messages");

    std::string last_user_text;
    for (const auto& message : messages->get_array()) {
      const auto* object = message.if_object();
      const json::value* role = object ? object->if_contains("role") : nullptr;
      if (!role || !role->is_string())
        return invalid_request("Each message must be an object with a string 'role'.", "messages");
      const json::value* content = object->if_contains("content");
      std::string text = content ? content_text(*content) : std::string();
      prompt.add_message(role->get_string(), text);
      if (role->get_string() == "user") last_user_text = std::move(text);
    }

    bool invalid = false;
    int n = int_field(body, "n", 1, 128, invalid).value_or(1);
    prompt.max_tokens = int_field(body, "max_completion_tokens", 1, 1 << 30, invalid);
    if (!prompt.max_tokens) prompt.max_tokens = int_field(body, "max_tokens", 1, 1 << 30, invalid);
    if (invalid)
      return invalid_request(
          "'n', 'max_tokens' and 'max_completion_tokens' must be positive "
          "integers.");
    read_streaming(body, prompt);
    prompt.tool = choose_tool(body);
    for (int i = 0; i < n; ++i) prompt.turns.push_back({prompt.seed + i, last_user_text});
    return std::nullopt;
  }

  std::string render(const Answer& answer) const override {
    json::array choices;
    for (std::size_t i = 0; i < answer.choices.size(); ++i) {
      const Choice& choice = answer.choices[i];
      json::object message{{"role", "assistant"},
                           {"content", nullptr},
                           {"refusal", nullptr},
                           {"annotations", json::array()}};
      if (choice.is_tool_call()) {
        message["tool_calls"] = json::array{
            {{"id", choice.tool_call_id},
             {"type", "function"},
             {"function", {{"name", choice.tool_name}, {"arguments", choice.tokens.text}}}}};
      } else {
        message["content"] = choice.tokens.text;
      }
      choices.push_back({{"index", i},
                         {"message", std::move(message)},
                         {"logprobs", nullptr},
                         {"finish_reason", choice.finish_reason}});
    }
    return completion_json(answer, kIdPrefix, "chat.completion", std::move(choices));
  }

  EventStream render_stream(const Answer& answer, const Prompt& prompt) const override {
    return chunk_stream(answer, prompt.include_usage, kStyle);
  }
};

}  // namespace

const GenerativeApi& chat_api() {
  static const ChatApi api;
  return api;
}

}  // namespace tollgate::sim
