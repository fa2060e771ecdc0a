#include "sim/prompt.h"

#include <algorithm>
#include <boost/json.hpp>

namespace tollgate::sim {

namespace json = boost::json;

namespace {

// Hashes `field` and a terminating zero byte, so that "ab" then "c" differs from "a" then "bc".
std::uint64_t hash_field(std::string_view field, std::uint64_t seed) {
  return fnv1a(std::string_view("\0", 1), fnv1a(field, seed));
}

}  // namespace

void Prompt::add_message(std::string_view role, std::string_view text) {
  // The role counts for the seed, so that the same words from the system and from the user
  // get different answers.
  seed = hash_field(text, hash_field(role, seed));
  input_bytes += text.size();
  ++input_messages;
}

void Prompt::add_text(std::string_view text) {
  seed = hash_field(text, seed);
  input_bytes += text.size();
}

std::int64_t Prompt::prompt_tokens() const {
  return std::max<std::int64_t>(
      1, estimate_tokens(input_bytes) + input_token_ids + 3 * std::int64_t{input_messages});
}

std::string content_text(const json::value& content) {
  if (const auto* text = content.if_string()) return std::string(*text);
  std::string out;
  if (const auto* parts = content.if_array()) {
    for (const auto& part : *parts) {
      const auto* object = part.if_object();
      const json::value* text = object ? object->if_contains("text") : nullptr;
      if (text && text->is_string()) out += text->get_string();
    }
  }
  return out;
}

namespace {

bool is_true(const json::object& object, std::string_view key) {
  const json::value* value = object.if_contains(key);
  return value && value->is_bool() && value->get_bool();
}

}  // namespace

void read_streaming(const json::object& body, Prompt& prompt) {
  prompt.stream = is_true(body, "stream");
  const json::value* options = body.if_contains("stream_options");
  prompt.include_usage =
      options && options->is_object() && is_true(options->get_object(), "include_usage");
}

std::optional<int> int_field(const json::object& body, std::string_view key, int min, int max,
                             bool& invalid) {
  const json::value* value = body.if_contains(key);
  if (!value || value->is_null()) return std::nullopt;
  // JSON numbers such as 16.0 or 1e2 are integers too, as Python's json module may send them.
  json::error_code ec;
  auto number = value->to_number<std::int64_t>(ec);
  if (ec || number < min || number > max) {
    invalid = true;
    return std::nullopt;
  }
  return static_cast<int>(number);
}

}  // namespace tollgate::sim
