// Responses: POST .../responses. One output item per answer: a message, or a function call.
// Streams are typed events ("event: response.output_text.delta" ...), without a [DONE].
#include <fmt/format.h>

#include <boost/json.hpp>
#include <iterator>

#include "sim/api.h"
#include "sim/json_text.h"
#include "sim/tool_call.h"

namespace tollgate::sim {

namespace json = boost::json;

namespace {

std::string item_id(const Answer& answer) {
  return (answer.choices.front().is_tool_call() ? "fc_" : "msg_") + answer.id;
}

// A response ends "incomplete" when max_output_tokens cut it, as the real API does.
bool incomplete(const Answer& answer) { return answer.choices.front().finish_reason == "length"; }

json::object output_text(std::string_view text) {
  return {{"type", "output_text"},
          {"text", text},
          {"annotations", json::array()},
          {"logprobs", json::array()}};
}

// The output item, "in_progress" with no content yet (as streams open it) or finished.
json::object output_item(const Answer& answer, bool done) {
  const Choice& choice = answer.choices.front();
  std::string_view status = !done ? "in_progress" : incomplete(answer) ? "incomplete" : "completed";
  if (choice.is_tool_call()) {
    return {{"id", item_id(answer)},
            {"type", "function_call"},
            {"status", status},
            {"call_id", choice.tool_call_id},
            {"name", choice.tool_name},
            {"arguments", done ? std::string_view(choice.tokens.text) : std::string_view()}};
  }
  json::array content;
  if (done) content.push_back(output_text(choice.tokens.text));
  return {{"id", item_id(answer)},
          {"type", "message"},
          {"status", status},
          {"role", "assistant"},
          {"content", std::move(content)}};
}

// The response object; while `done` is false it is the "in_progress" shell that opens a stream.
json::object response(const Answer& answer, bool done) {
  json::value usage = nullptr;
  json::array output;
  std::string_view status = "in_progress";
  json::value details = nullptr;
  if (done) {
    usage = {{"input_tokens", answer.prompt_tokens},
             {"input_tokens_details", {{"cached_tokens", 0}}},
             {"output_tokens", answer.completion_tokens},
             {"output_tokens_details", {{"reasoning_tokens", 0}}},
             {"total_tokens", answer.total_tokens()}};
    output.push_back(output_item(answer, true));
    status = incomplete(answer) ? "incomplete" : "completed";
    if (incomplete(answer)) details = {{"reason", "max_output_tokens"}};
  }
  return {{"id", "resp_" + answer.id},
          {"object", "response"},
          {"created_at", answer.created},
          {"status", status},
          {"error", nullptr},
          {"incomplete_details", std::move(details)},
          {"instructions", nullptr},
          {"max_output_tokens", nullptr},
          {"model", answer.model},
          {"output", std::move(output)},
          {"parallel_tool_calls", true},
          {"previous_response_id", nullptr},
          {"reasoning", {{"effort", nullptr}, {"summary", nullptr}}},
          {"store", false},
          {"temperature", 1.0},
          {"text", {{"format", {{"type", "text"}}}}},
          {"tool_choice", "auto"},
          {"tools", json::array()},
          {"top_p", 1.0},
          {"truncation", "disabled"},
          {"usage", std::move(usage)},
          {"user", nullptr},
          {"metadata", json::object()}};
}

// Appends typed events to a stream, numbering them as the API does.
class EventWriter {
 public:
  explicit EventWriter(EventStream& out) : out_(out) {}

  // The event `type` with `fields` after its type and sequence number.
  void add(std::string_view type, json::object fields) {
    json::object event{{"type", type}, {"sequence_number", sequence_++}};
    for (auto& field : fields) event.emplace(field.key(), std::move(field.value()));
    out_.data += fmt::format("event: {}\ndata: ", type);
    out_.data += json::serialize(event);
    out_.data += "\n\n";
  }

  // A delta event, written by hand because there is one per token. `content_index` is the
  // message's text part, or negative for function-call arguments, which have none.
  void delta(std::string_view type, std::string_view item, int content_index,
             std::string_view piece) {
    fmt::format_to(
        std::back_inserter(out_.data),
        "event: {0}\ndata: {{\"type\":\"{0}\",\"sequence_number\":{1},\"item_id\":\"{2}\","
        "\"output_index\":0,",
        type, sequence_++, item);
    if (content_index >= 0)
      fmt::format_to(std::back_inserter(out_.data), "\"content_index\":{},", content_index);
    out_.data += "\"delta\":";
    append_json_string(out_.data, piece);
    out_.data += content_index >= 0 ? ",\"logprobs\":[]}\n\n" : "}\n\n";
  }

 private:
  EventStream& out_;
  int sequence_ = 0;
};

class ResponsesApi final : public GenerativeApi {
 public:
  std::optional<ApiError> read(const json::object& body, Prompt& prompt) const override {
    const json::value* instructions = body.if_contains("instructions");
    if (instructions && instructions->is_string())
      prompt.add_message("system", instructions->get_string());

    const json::value* input = body.if_contains("input");
    std::string last_user_text;
    if (input && input->is_string()) {
      last_user_text = input->get_string();
      prompt.add_message("user", last_user_text);
    } else if (input && input->is_array()) {
      for (const auto& item : input->get_array()) {
        const auto* object = item.if_object();
        if (!object) return invalid_request("Each input item must be an object.", "input");
        if (const auto* role = object->if_contains("role"); role && role->is_string()) {
          const json::value* content = object->if_contains("content");
          std::string text = content ? content_text(*content) : std::string();
          prompt.add_message(role->get_string(), text);
          if (role->get_string() == "user") last_user_text = std::move(text);
        } else if (const auto* output = object->if_contains("output");
                   output && output->is_string()) {
          prompt.add_message("tool", output->get_string());
        } else if (const auto* arguments = object->if_contains("arguments");
                   arguments && arguments->is_string()) {
          prompt.add_message("assistant", arguments->get_string());
        }
      }
    } else {
      return invalid_request("'input' must be a string or an array of input items.", "input");
    }

    bool invalid = false;
    prompt.max_tokens = int_field(body, "max_output_tokens", 1, 1 << 30, invalid);
    if (invalid)
      return invalid_request("'max_output_tokens' must be a positive integer.",
                             "max_output_tokens");
    const json::value* stream = body.if_contains("stream");
    prompt.stream = stream && stream->is_bool() && stream->get_bool();
    prompt.tool = choose_tool(body);
    prompt.turns.push_back({prompt.seed, std::move(last_user_text)});
    return std::nullopt;
  }

  std::string render(const Answer& answer) const override {
    return json::serialize(response(answer, true));
  }

  EventStream render_stream(const Answer& answer, const Prompt&) const override {
    EventStream stream;
    const Choice& choice = answer.choices.front();
    stream.data.reserve(4096 + 160 * choice.tokens.size());
    EventWriter events{stream};
    const std::string item = item_id(answer);

    events.add("response.created", {{"response", response(answer, false)}});
    events.add("response.in_progress", {{"response", response(answer, false)}});
    events.add("response.output_item.added",
               {{"output_index", 0}, {"item", output_item(answer, false)}});
    if (choice.is_tool_call()) {
      stream.end_head();
      for (std::size_t k = 0; k < choice.tokens.size(); ++k) {
        events.delta("response.function_call_arguments.delta", item, -1, choice.tokens[k]);
        stream.end_content();
      }
      events.add("response.function_call_arguments.done", {{"item_id", item},
                                                           {"output_index", 0},
                                                           {"name", choice.tool_name},
                                                           {"arguments", choice.tokens.text}});
    } else {
      json::object part_location{{"item_id", item}, {"output_index", 0}, {"content_index", 0}};
      auto at_part = [&](json::object fields) {
        json::object all = part_location;
        for (auto& field : fields) all.emplace(field.key(), std::move(field.value()));
        return all;
      };
      events.add("response.content_part.added", at_part({{"part", output_text("")}}));
      stream.end_head();
      for (std::size_t k = 0; k < choice.tokens.size(); ++k) {
        events.delta("response.output_text.delta", item, 0, choice.tokens[k]);
        stream.end_content();
      }
      events.add("response.output_text.done",
                 at_part({{"text", choice.tokens.text}, {"logprobs", json::array()}}));
      events.add("response.content_part.done",
                 at_part({{"part", output_text(choice.tokens.text)}}));
    }
    events.add("response.output_item.done",
               {{"output_index", 0}, {"item", output_item(answer, true)}});
    events.add(incomplete(answer) ? "response.incomplete" : "response.completed",
               {{"response", response(answer, true)}});
    return stream;
  }
};

}  // namespace

const GenerativeApi& responses_api() {
  static const ResponsesApi api;
  return api;
}

}  // namespace tollgate::sim
