#include "usage/json_scan.h"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

namespace tollgate::usage {

namespace {

// Deep enough for any request or chunk the APIs accept, shallow enough that a hostile
// "[[[[..." cannot exhaust the stack of the recursive descent below.
constexpr int kMaxDepth = 512;

bool is_digit(char c) { return c >= '0' && c <= '9'; }

bool is_hex(char c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

// Recursive descent over the JSON grammar (RFC 8259) that keeps positions and builds nothing.
// Each method starts at the first byte of its production and, on success, leaves `at_` one
// past its last byte.
class Scanner {
 public:
  explicit Scanner(std::string_view text, std::size_t at) : text_(text), at_(at) {}

  std::size_t at() const { return at_; }

  void skip_whitespace() {
    while (at_ < text_.size() &&
           (text_[at_] == ' ' || text_[at_] == '\t' || text_[at_] == '\n' || text_[at_] == '\r'))
      ++at_;
  }

  // `members` receives the object's members, or is null for a nested object.
  bool object(std::vector<JsonMember>* members) {
    if (!take('{') || !enter()) return false;
    skip_whitespace();
    if (take('}')) return leave();
    for (;;) {
      JsonMember member;
      member.key_begin = at_;
      if (!string()) return false;
      if (members && !unescape(member.key_begin, member.key)) return false;
      skip_whitespace();
      if (!take(':')) return false;
      skip_whitespace();
      member.value_begin = at_;
      if (!value()) return false;
      member.value_end = at_;
      if (members) members->push_back(std::move(member));
      skip_whitespace();
      if (take('}')) return leave();
      if (!take(',')) return false;
      skip_whitespace();
    }
  }

 private:
  bool take(char c) {
    if (at_ >= text_.size() || text_[at_] != c) return false;
    ++at_;
    return true;
  }

  bool enter() { return ++depth_ <= kMaxDepth; }

  bool leave() {
    --depth_;
    return true;
  }

  bool value() {
    if (at_ >= text_.size()) return false;
    switch (text_[at_]) {
      case '{':
        return object(nullptr);
      case '[':
        return array();
      case '"':
        return string();
      case 't':
        return literal("true");
      case 'f':
        return literal("false");
      case 'n':
        return literal("null");
      default:
        return number();
    }
  }

  bool array() {
    if (!take('[') || !enter()) return false;
    skip_whitespace();
    if (take(']')) return leave();
    for (;;) {
      if (!value()) return false;
      skip_whitespace();
      if (take(']')) return leave();
      if (!take(',')) return false;
      skip_whitespace();
    }
  }

  bool string() {
    if (!take('"')) return false;
    while (at_ < text_.size()) {
      const auto c = static_cast<unsigned char>(text_[at_++]);
      if (c == '"') return true;
      if (c < 0x20) return false;
      if (c != '\\') continue;
      if (at_ >= text_.size()) return false;
      const char escape = text_[at_++];
      if (escape == 'u') {
        for (int i = 0; i < 4; ++i)
          if (at_ >= text_.size() || !is_hex(text_[at_++])) return false;
      } else if (std::string_view("\"\\/bfnrt").find(escape) == std::string_view::npos) {
        return false;
      }
    }
    return false;
  }

  bool literal(std::string_view word) {
    if (text_.substr(at_, word.size()) != word) return false;
    at_ += word.size();
    return true;
  }

  bool digits() {
    const std::size_t start = at_;
    while (at_ < text_.size() && is_digit(text_[at_])) ++at_;
    return at_ > start;
  }

  bool number() {
    take('-');
    if (!take('0') && !(at_ < text_.size() && text_[at_] != '0' && digits())) return false;
    if (take('.') && !digits()) return false;
    if (take('e') || take('E')) {
      if (!take('+')) take('-');
      if (!digits()) return false;
    }
    return true;
  }

  // The key whose quoted text starts at `begin` and ends at at_, without its escapes.
  bool unescape(std::size_t begin, std::string& key) const {
    std::string_view quoted = text_.substr(begin, at_ - begin);
    if (quoted.find('\\') == std::string_view::npos) {
      key = quoted.substr(1, quoted.size() - 2);
      return true;
    }
    // Escaped keys are rare enough to take the slow, sure path.
    boost::system::error_code ec;
    boost::json::value decoded = boost::json::parse(quoted, ec);
    if (ec || !decoded.is_string()) return false;
    key = decoded.get_string();
    return true;
  }

  std::string_view text_;
  std::size_t at_;
  int depth_ = 0;
};

}  // namespace

std::optional<JsonObject> scan_object(std::string_view text, std::size_t open) {
  Scanner scanner(text, open);
  JsonObject object;
  object.begin = open;
  if (!scanner.object(&object.members)) return std::nullopt;
  object.end = scanner.at();
  return object;
}

std::optional<JsonObject> scan_object_document(std::string_view text) {
  Scanner leading(text, 0);
  leading.skip_whitespace();
  auto object = scan_object(text, leading.at());
  if (!object) return std::nullopt;
  Scanner trailing(text, object->end);
  trailing.skip_whitespace();
  if (trailing.at() != text.size()) return std::nullopt;
  return object;
}

const JsonMember* find_member(const JsonObject& object, std::string_view key) {
  const JsonMember* found = nullptr;
  for (const auto& member : object.members)
    if (member.key == key) found = &member;
  return found;
}

std::string_view value_text(std::string_view text, const JsonMember& member) {
  return text.substr(member.value_begin, member.value_end - member.value_begin);
}

}  // namespace tollgate::usage
