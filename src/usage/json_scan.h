// Positions of the members of a JSON object in its text, for edits that must keep every other
// byte as it was (adding stream_options to a request, dropping "usage":null from a chunk).
// A DOM cannot do that: serializing it again would change spacing, number spelling and order.
//
// Pure functions; safe from any thread.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tollgate::usage {

struct JsonMember {
  std::string key;              // unescaped
  std::size_t key_begin = 0;    // the key's opening quote
  std::size_t value_begin = 0;  // the value's first byte
  std::size_t value_end = 0;    // one past the value's last byte
};

struct JsonObject {
  std::vector<JsonMember> members;  // in text order, duplicates kept
  std::size_t begin = 0;            // the opening '{'
  std::size_t end = 0;              // one past the closing '}'
};

// The object whose '{' is at `open` in `text`. Every nested value is checked against the JSON
// grammar (not UTF-8 validity, which no caller here depends on), nesting at most 512 deep.
// nullopt when `text` holds no valid object at `open`.
std::optional<JsonObject> scan_object(std::string_view text, std::size_t open);

// As scan_object, for a document that must be one object with only whitespace around it.
std::optional<JsonObject> scan_object_document(std::string_view text);

// The last member named `key` (most parsers let a repeated key's last value win), or null.
const JsonMember* find_member(const JsonObject& object, std::string_view key);

// The text of a member's value.
std::string_view value_text(std::string_view text, const JsonMember& member);

}  // namespace tollgate::usage
