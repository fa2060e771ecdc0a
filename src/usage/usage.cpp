#include "usage/usage.h"

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <cmath>
#include <limits>
#include <string_view>

namespace tollgate::usage {

namespace json = boost::json;

namespace {

// Serializers differ in how they spell an integer (5, 5.0, 5E0); all are the same count. A
// string, a fraction or a negative number is not a token count, and is left out.
std::optional<std::int64_t> count(const json::value* value) {
  if (!value) return std::nullopt;
  if (const auto* integer = value->if_int64())
    return *integer >= 0 ? std::optional(*integer) : std::nullopt;
  if (const auto* unsigned_integer = value->if_uint64()) {
    if (*unsigned_integer > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
      return std::nullopt;
    return static_cast<std::int64_t>(*unsigned_integer);
  }
  if (const auto* real = value->if_double()) {
    // 2^63 is exactly representable; anything at or past it does not fit an int64.
    if (*real >= 0 && *real < 9223372036854775808.0 && std::trunc(*real) == *real)
      return static_cast<std::int64_t>(*real);
  }
  return std::nullopt;
}

// The first of the two spellings that the object holds.
const json::value* either(const json::object& object, std::string_view chat_name,
                          std::string_view responses_name) {
  if (const auto* value = object.if_contains(chat_name)) return value;
  return object.if_contains(responses_name);
}

std::optional<std::int64_t> detail(const json::object& usage, std::string_view chat_name,
                                   std::string_view responses_name, std::string_view field) {
  const json::value* details = either(usage, chat_name, responses_name);
  const json::object* object = details ? details->if_object() : nullptr;
  return object ? count(object->if_contains(field)) : std::nullopt;
}

bool is_embeddings_list(const json::object& body) {
  const json::value* object = body.if_contains("object");
  return object && object->is_string() && object->get_string() == "list";
}

json::value nullable(const std::optional<std::int64_t>& count) {
  return count ? json::value(*count) : json::value(nullptr);
}

}  // namespace

Usage usage_from_body(const json::value& body) {
  Usage usage;
  const json::object* object = body.if_object();
  const json::value* member = object ? object->if_contains("usage") : nullptr;
  const json::object* reported = member ? member->if_object() : nullptr;
  if (!reported) return usage;

  usage.prompt_tokens = count(either(*reported, "prompt_tokens", "input_tokens"));
  usage.completion_tokens = count(either(*reported, "completion_tokens", "output_tokens"));
  usage.total_tokens = count(reported->if_contains("total_tokens"));
  usage.cached_tokens =
      detail(*reported, "prompt_tokens_details", "input_tokens_details", "cached_tokens");
  usage.reasoning_tokens =
      detail(*reported, "completion_tokens_details", "output_tokens_details", "reasoning_tokens");
  const bool any = usage.prompt_tokens || usage.completion_tokens || usage.total_tokens ||
                   usage.cached_tokens || usage.reasoning_tokens;
  if (!any) return usage;
  if (!usage.completion_tokens && is_embeddings_list(*object)) usage.completion_tokens = 0;
  usage.source = Usage::Source::upstream;
  return usage;
}

json::value to_json(const Usage& usage) {
  json::value source = nullptr;
  if (usage.source == Usage::Source::upstream) source = "upstream";
  if (usage.source == Usage::Source::estimated) source = "estimated";
  return json::object{{"prompt_tokens", nullable(usage.prompt_tokens)},
                      {"completion_tokens", nullable(usage.completion_tokens)},
                      {"total_tokens", nullable(usage.total_tokens)},
                      {"cached_tokens", nullable(usage.cached_tokens)},
                      {"reasoning_tokens", nullable(usage.reasoning_tokens)},
                      {"source", std::move(source)}};
}

}  // namespace tollgate::usage
