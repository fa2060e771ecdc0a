#include "usage/choices_assembly.h"

#include <algorithm>
#include <boost/json/array.hpp>
#include <boost/json/string.hpp>
#include <string_view>

#include "usage/delta.h"

namespace tollgate::usage {

namespace json = boost::json;

namespace {

constexpr std::string_view kHead[] = {"id", "created", "model", "system_fingerprint"};

// Azure opens a stream with a chunk whose id and model are "" and created is 0 (it carries
// only prompt_filter_results), so an empty value is no answer yet.
bool is_empty(const json::value& value) {
  if (value.is_null()) return true;
  if (const auto* text = value.if_string()) return text->empty();
  if (const auto* number = value.if_int64()) return *number == 0;
  return false;
}

std::int64_t index_or_zero(const json::object& object) {
  const json::value* index = object.if_contains("index");
  return index && index->is_int64() ? index->get_int64() : 0;
}

const json::value& member_or_null(const json::object& object, std::string_view key) {
  static const json::value null;
  const json::value* value = object.if_contains(key);
  return value ? *value : null;
}

// Tool calls in the order of their index, without it, as a non-streamed message has them.
json::array tool_calls(const json::array& merged) {
  json::array calls = merged;
  std::stable_sort(calls.begin(), calls.end(), [](const json::value& a, const json::value& b) {
    return index_or_zero(a.as_object()) < index_or_zero(b.as_object());
  });
  for (auto& call : calls)
    if (auto* object = call.if_object()) object->erase("index");
  return calls;
}

// The message of a chat.completion choice: role, content and refusal always (null when no
// delta gave them), tool calls when there were any, and whatever else the deltas carried.
json::object message(const json::object& delta) {
  json::object message;
  const json::value& role = member_or_null(delta, "role");
  message["role"] = role.is_null() ? json::value("assistant") : role;
  message["content"] = member_or_null(delta, "content");
  message["refusal"] = member_or_null(delta, "refusal");
  for (const auto& member : delta) {
    if (message.contains(member.key())) continue;
    if (member.key() == "tool_calls" && member.value().is_array()) {
      if (!member.value().get_array().empty())
        message["tool_calls"] = tool_calls(member.value().get_array());
    } else {
      message.insert_or_assign(member.key(), member.value());
    }
  }
  return message;
}

}  // namespace

void ChoicesAssembly::add(const json::object& chunk) {
  for (std::string_view key : kHead) {
    const json::value* value = chunk.if_contains(key);
    if (value && !is_empty(*value) && is_empty(member_or_null(head_, key)))
      head_.insert_or_assign(key, *value);
  }
  if (const json::value* usage = chunk.if_contains("usage"); usage && usage->is_object())
    usage_ = *usage;

  const json::value* choices = chunk.if_contains("choices");
  if (!choices || !choices->is_array()) return;
  seen_ = true;
  for (const auto& element : choices->get_array()) {
    const json::object* choice = element.if_object();
    if (!choice) continue;
    Choice& state = choices_[index_or_zero(*choice)];
    if (chat_) {
      if (const json::value* delta = choice->if_contains("delta"); delta && delta->is_object())
        merge_delta(state.delta, delta->get_object());
    } else if (const json::value* text = choice->if_contains("text"); text && text->is_string()) {
      merge_delta(state.delta, json::object{{"text", *text}});
    }
    if (const json::value* logprobs = choice->if_contains("logprobs");
        logprobs && logprobs->is_object()) {
      if (!state.logprobs.is_object()) state.logprobs = json::object();
      merge_delta(state.logprobs.get_object(), logprobs->get_object());
    }
    if (const json::value* reason = choice->if_contains("finish_reason");
        reason && reason->is_string())
      state.finish_reason = *reason;
  }
}

json::value ChoicesAssembly::result() const {
  if (!seen_) return nullptr;
  json::array choices;
  for (const auto& [index, state] : choices_) {
    json::object choice{{"index", index}};
    if (chat_) {
      choice["message"] = message(state.delta);
    } else {
      const json::value& text = member_or_null(state.delta, "text");
      choice["text"] = text.is_null() ? json::value("") : text;
    }
    choice["logprobs"] = state.logprobs;
    choice["finish_reason"] = state.finish_reason;
    choices.push_back(std::move(choice));
  }
  json::object body;
  body["id"] = member_or_null(head_, "id");
  body["object"] = chat_ ? "chat.completion" : "text_completion";
  for (std::string_view key : kHead)
    if (key != "id") body[key] = member_or_null(head_, key);
  body["choices"] = std::move(choices);
  body["usage"] = usage_;
  return body;
}

}  // namespace tollgate::usage
