#include "usage/include_usage.h"

#include "usage/json_scan.h"

namespace tollgate::usage {

namespace {

// The first Azure api-version whose Chat Completions and Completions take stream_options.
constexpr std::string_view kFirstAzureVersion = "2024-09-01";

// The YYYY-MM-DD an Azure api-version starts with ("2024-10-21", "2025-04-01-preview"), or
// empty when it does not start with one.
std::string_view date_of(std::string_view version) {
  if (version.size() < 10 || (version.size() > 10 && version[10] != '-')) return {};
  for (std::size_t i = 0; i < 10; ++i) {
    const bool dash = i == 4 || i == 7;
    const char c = version[i];
    if (dash ? c != '-' : (c < '0' || c > '9')) return {};
  }
  return version.substr(0, 10);
}

std::string spliced(std::string_view text, std::size_t begin, std::size_t end,
                    std::string_view replacement) {
  std::string out;
  out.reserve(text.size() - (end - begin) + replacement.size());
  out.append(text.substr(0, begin)).append(replacement).append(text.substr(end));
  return out;
}

// The bytes of an object's text to remove so that it loses its member `at`, with the comma that
// joins it to a neighbour: up to the next member's key, or from the previous member's value.
std::pair<std::size_t, std::size_t> removal(const JsonObject& object, std::size_t at) {
  const auto& members = object.members;
  if (at + 1 < members.size()) return {members[at].key_begin, members[at + 1].key_begin};
  if (at > 0) return {members[at - 1].value_end, members[at].value_end};
  return {members[at].key_begin, members[at].value_end};
}

// Where the JSON text of a data line starts: after "data:" and the one space that may follow.
std::optional<std::size_t> data_value(std::string_view line) {
  constexpr std::string_view kField = "data:";
  if (!line.starts_with(kField)) return std::nullopt;
  return line.substr(kField.size()).starts_with(' ') ? kField.size() + 1 : kField.size();
}

// The span of `line` to remove for a top-level "usage":null member, if it has exactly one.
std::optional<std::pair<std::size_t, std::size_t>> null_usage(std::string_view line) {
  const auto json_begin = data_value(line);
  if (!json_begin) return std::nullopt;
  const std::string_view json = line.substr(*json_begin);
  const auto object = scan_object_document(json);
  if (!object) return std::nullopt;
  const JsonMember* usage = find_member(*object, "usage");
  if (!usage || value_text(json, *usage) != "null") return std::nullopt;
  for (const auto& member : object->members)
    if (member.key == "usage" && &member != usage) return std::nullopt;
  const auto [begin, end] = removal(*object, static_cast<std::size_t>(usage - &object->members[0]));
  return std::pair(*json_begin + begin, *json_begin + end);
}

}  // namespace

bool accepts_stream_options(BackendKind kind, std::string_view api_version,
                            BackendConfig::StreamUsage setting) {
  using StreamUsage = BackendConfig::StreamUsage;
  if (setting != StreamUsage::auto_detect) return setting == StreamUsage::always;
  if (kind == BackendKind::openai) return true;
  if (api_version == "v1" || api_version == "preview") return true;
  const std::string_view date = date_of(api_version);
  return !date.empty() && date >= kFirstAzureVersion;
}

std::optional<std::string> add_include_usage(std::string_view body) {
  const auto object = scan_object_document(body);
  if (!object) return std::nullopt;
  const JsonMember* stream = find_member(*object, "stream");
  if (!stream || value_text(body, *stream) != "true") return std::nullopt;

  constexpr std::string_view kIncludeUsage = R"("include_usage":true)";
  const JsonMember* options = find_member(*object, "stream_options");
  if (!options) {
    // The object holds at least "stream", so a comma always follows.
    const std::size_t after_brace = object->begin + 1;
    return spliced(body, after_brace, after_brace,
                   std::string(R"("stream_options":{)") + std::string(kIncludeUsage) + "},");
  }
  const std::string_view value = value_text(body, *options);
  if (value == "null")
    return spliced(body, options->value_begin, options->value_end,
                   "{" + std::string(kIncludeUsage) + "}");
  if (!value.starts_with('{')) return std::nullopt;

  const auto inner = scan_object(body, options->value_begin);
  if (!inner) return std::nullopt;
  const JsonMember* include = find_member(*inner, "include_usage");
  if (include && value_text(body, *include) == "true") return std::nullopt;
  if (include) return spliced(body, include->value_begin, include->value_end, "true");
  const std::size_t after_brace = options->value_begin + 1;
  return spliced(body, after_brace, after_brace,
                 std::string(kIncludeUsage) + (inner->members.empty() ? "" : ","));
}

bool is_usage_only_chunk(std::string_view data) {
  const auto object = scan_object_document(data);
  if (!object) return false;
  const JsonMember* choices = find_member(*object, "choices");
  const JsonMember* usage = find_member(*object, "usage");
  if (!choices || !usage || !value_text(data, *usage).starts_with('{')) return false;
  std::string_view array = value_text(data, *choices);
  if (!array.starts_with('[')) return false;
  // The scanner checked the array, so "[", whitespace and "]" is all an empty one can be.
  return array.find_first_not_of(" \t\r\n", 1) == array.size() - 1;
}

std::string without_null_usage(std::string_view event) {
  for (std::size_t line_begin = 0; line_begin < event.size();) {
    std::size_t line_end = event.find_first_of("\r\n", line_begin);
    if (line_end == std::string_view::npos) line_end = event.size();
    if (auto span = null_usage(event.substr(line_begin, line_end - line_begin)))
      return spliced(event, line_begin + span->first, line_begin + span->second, "");
    line_begin = line_end + 1;
  }
  return std::string(event);
}

}  // namespace tollgate::usage
