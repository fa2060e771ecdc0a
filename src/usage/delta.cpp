#include "usage/delta.h"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/string.hpp>
#include <boost/json/value.hpp>
#include <string_view>

namespace tollgate::usage {

namespace json = boost::json;

namespace {

bool names_something(std::string_view key) {
  return key == "id" || key == "type" || key == "name" || key == "role";
}

const json::value* index_of(const json::value& element) {
  const json::object* object = element.if_object();
  const json::value* index = object ? object->if_contains("index") : nullptr;
  return index && index->is_int64() ? index : nullptr;
}

void merge_array(json::array& into, const json::array& delta) {
  for (const auto& element : delta) {
    const json::value* index = index_of(element);
    json::value* earlier = nullptr;
    if (index) {
      for (auto& candidate : into) {
        const json::value* candidate_index = index_of(candidate);
        if (candidate_index && *candidate_index == *index) earlier = &candidate;
      }
    }
    if (earlier)
      merge_delta(earlier->get_object(), element.get_object());
    else
      into.push_back(element);
  }
}

void merge_member(json::object& into, std::string_view key, const json::value& delta) {
  if (delta.is_null()) return;
  json::value* earlier = into.if_contains(key);
  if (!earlier || earlier->is_null()) {
    into.insert_or_assign(key, delta);
  } else if (earlier->is_string() && delta.is_string()) {
    json::string& text = earlier->get_string();
    if (!names_something(key))
      text.append(delta.get_string());
    else if (text.empty())
      text = delta.get_string();
  } else if (earlier->is_object() && delta.is_object()) {
    merge_delta(earlier->get_object(), delta.get_object());
  } else if (earlier->is_array() && delta.is_array()) {
    merge_array(earlier->get_array(), delta.get_array());
  } else {
    *earlier = delta;
  }
}

}  // namespace

void merge_delta(json::object& into, const json::object& delta) {
  for (const auto& member : delta) merge_member(into, member.key(), member.value());
}

}  // namespace tollgate::usage
