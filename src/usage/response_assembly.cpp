#include "usage/response_assembly.h"

#include <boost/json/array.hpp>
#include <boost/json/string.hpp>
#include <string_view>

#include "usage/delta.h"

namespace tollgate::usage {

namespace json = boost::json;

namespace {

bool is_final(std::string_view type) {
  return type == "response.completed" || type == "response.incomplete" || type == "response.failed";
}

const json::object* object_member(const json::object& object, std::string_view key) {
  const json::value* value = object.if_contains(key);
  return value ? value->if_object() : nullptr;
}

const json::value* index_member(const json::object& event, std::string_view key) {
  const json::value* index = event.if_contains(key);
  return index && index->is_int64() && index->get_int64() >= 0 ? index : nullptr;
}

// Appends the event's "delta" string to `field` of `target`.
void append_delta(json::object* target, std::string_view field, const json::object& event) {
  const json::value* delta = event.if_contains("delta");
  if (target && delta && delta->is_string()) merge_delta(*target, json::object{{field, *delta}});
}

}  // namespace

// The content part an event names by output_index and content_index, created when the part
// is the next one of its item. Null for an unknown item or a part out of order, so that a
// wild index from a broken upstream cannot make the array grow without bound.
json::object* ResponseAssembly::part(const json::object& event) {
  const json::value* output = index_member(event, "output_index");
  const json::value* content = index_member(event, "content_index");
  if (!output || !content) return nullptr;
  auto item = items_.find(output->get_int64());
  if (item == items_.end()) return nullptr;
  json::value& parts = item->second["content"];
  if (!parts.is_array()) parts = json::array();
  json::array& array = parts.get_array();
  const auto at = static_cast<std::size_t>(content->get_int64());
  if (at > array.size()) return nullptr;
  if (at == array.size()) array.push_back(json::object());
  if (!array[at].is_object()) array[at] = json::object();
  return &array[at].get_object();
}

void ResponseAssembly::add(const json::object& event) {
  if (final_) return;
  const json::value* type_member = event.if_contains("type");
  if (!type_member || !type_member->is_string()) return;
  const std::string_view type = type_member->get_string();

  if (const json::object* response = object_member(event, "response")) {
    snapshot_ = *response;
    final_ = is_final(type);
    return;
  }
  if (type == "response.output_item.added" || type == "response.output_item.done") {
    const json::value* output = index_member(event, "output_index");
    const json::object* item = object_member(event, "item");
    if (output && item) items_[output->get_int64()] = *item;
  } else if (type == "response.content_part.added" || type == "response.content_part.done") {
    const json::object* done = object_member(event, "part");
    if (json::object* target = part(event); target && done) *target = *done;
  } else if (type == "response.output_text.delta") {
    append_delta(part(event), "text", event);
  } else if (type == "response.refusal.delta") {
    append_delta(part(event), "refusal", event);
  } else if (type == "response.function_call_arguments.delta") {
    const json::value* output = index_member(event, "output_index");
    auto item = output ? items_.find(output->get_int64()) : items_.end();
    append_delta(item == items_.end() ? nullptr : &item->second, "arguments", event);
  }
}

json::value ResponseAssembly::result() const {
  if (final_) return snapshot_;
  if (!snapshot_.is_object() && items_.empty()) return nullptr;
  json::object response = snapshot_.is_object() ? snapshot_.get_object() : json::object();
  if (!items_.empty()) {
    json::array output;
    for (const auto& [index, item] : items_) output.push_back(item);
    response["output"] = std::move(output);
  }
  return response;
}

}  // namespace tollgate::usage
