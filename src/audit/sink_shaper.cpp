#include "audit/sink_shaper.h"

#include <algorithm>
#include <boost/json.hpp>

#include "audit/apim_format.h"
#include "core/json.h"

namespace tollgate::audit {

namespace json = boost::json;

namespace {

// Room kept for the members a shaped event gains (truncated flags, part envelopes).
constexpr std::size_t slack = 256;

// The longest prefix of `text` no longer than `limit` bytes that does not end inside a
// UTF-8 sequence.
std::size_t utf8_prefix(std::string_view text, std::size_t limit) {
  if (limit >= text.size()) return text.size();
  while (limit > 0 && (static_cast<unsigned char>(text[limit]) & 0xC0) == 0x80) --limit;
  return limit;
}

void collect_strings(json::value& value, std::vector<json::string*>& out) {
  if (auto* text = value.if_string()) {
    out.push_back(text);
  } else if (auto* array = value.if_array()) {
    for (auto& item : *array) collect_strings(item, out);
  } else if (auto* object = value.if_object()) {
    for (auto& member : *object) collect_strings(member.value(), out);
  }
}

// Shortens the longest strings among `strings` so that together they lose at least `excess`
// bytes: every string is capped at the same length, the largest cap that removes enough.
void cap_strings(std::vector<json::string*>& strings, std::size_t excess) {
  std::size_t low = 0, high = 0;
  for (auto* s : strings) high = std::max(high, s->size());
  auto removed = [&](std::size_t cap) {
    std::size_t total = 0;
    for (auto* s : strings) total += s->size() > cap ? s->size() - cap : 0;
    return total;
  };
  while (low < high) {  // the largest cap whose removal is still >= excess
    std::size_t mid = (low + high + 1) / 2;
    if (removed(mid) >= excess)
      low = mid;
    else
      high = mid - 1;
  }
  for (auto* s : strings)
    if (s->size() > low) s->resize(utf8_prefix(std::string_view(*s), low));
}

// The places in an event that hold prompts and answers: the typed event's bodies, or for the
// APIM shape its message and choice members.
std::vector<json::value*> bodies(json::object& event) {
  std::vector<json::value*> out;
  for (const char* section : {"request", "response"})
    if (auto* part = event.if_contains(section); part && part->is_object())
      if (auto* body = part->as_object().if_contains("body")) out.push_back(body);
  for (const char* member : {"messages", "prompt", "choices", "input"})
    if (auto* value = event.if_contains(member)) out.push_back(value);
  return out;
}

void mark_truncated(json::object& event) {
  bool typed = false;
  for (const char* section : {"request", "response"})
    if (auto* part = event.if_contains(section); part && part->is_object()) {
      part->as_object()["truncated"] = true;
      typed = true;
    }
  if (!typed) event["truncated"] = true;
}

}  // namespace

std::string truncate_event(std::string_view text, std::size_t max_bytes) {
  json::value parsed = parse_json(text);
  auto& event = parsed.as_object();
  mark_truncated(event);
  auto targets = bodies(event);
  std::vector<std::string> originals;
  for (auto* body : targets) originals.push_back(json::serialize(*body));
  std::string out = json::serialize(event);
  // Shortening strings keeps the bodies' structure (roles, tool calls); a few rounds absorb
  // the difference between raw and escaped lengths.
  for (int round = 0; round < 4 && out.size() > max_bytes; ++round) {
    std::vector<json::string*> strings;
    for (auto* body : targets) collect_strings(*body, strings);
    if (strings.empty()) break;
    cap_strings(strings, out.size() - max_bytes + slack);
    out = json::serialize(event);
  }
  if (out.size() <= max_bytes) return out;
  // Bodies that are mostly numbers (embeddings) or many small strings: each body becomes the
  // start of its original JSON text, as a string, the largest shortened first until the event
  // fits (escaping makes the string longer than the text, hence the rounds).
  std::vector<std::size_t> keep;
  for (std::size_t i = 0; i < targets.size(); ++i) {
    keep.push_back(originals[i].size());
    *targets[i] = json::string(originals[i]);
  }
  out = json::serialize(event);
  while (out.size() > max_bytes) {
    auto largest = std::max_element(keep.begin(), keep.end()) - keep.begin();
    if (keep[largest] == 0) break;  // nothing left to shorten: the envelope alone is too big
    std::size_t excess = out.size() - max_bytes + slack;
    std::string_view original = originals[largest];
    keep[largest] = utf8_prefix(original, keep[largest] > excess ? keep[largest] - excess : 0);
    *targets[largest] = json::string(original.substr(0, keep[largest]));
    out = json::serialize(event);
  }
  return out;
}

std::vector<std::string> split_event(std::string_view text, std::size_t max_bytes) {
  json::value parsed = parse_json(text);
  const auto& whole = parsed.as_object();
  json::object envelope;
  for (const char* key : {"schema", "event_id", "event_type", "message_id"})
    if (auto* value = whole.if_contains(key)) envelope[key] = *value;
  // The APIM shape names its envelope differently.
  for (const char* key : {"event-type", "message-id"})
    if (auto* value = whole.if_contains(key)) envelope[key] = *value;

  std::vector<std::string> slices;
  std::size_t budget = max_bytes > 2 * slack ? max_bytes - 2 * slack : max_bytes / 2;
  for (std::size_t at = 0; at < text.size();) {
    std::size_t size = utf8_prefix(text.substr(at), budget);
    // Escaping can lengthen a slice; shrink it until its part fits.
    for (;;) {
      json::object part = envelope;
      part["part"] = 0;
      part["parts"] = 0;
      part["data"] = text.substr(at, size);
      if (json::serialize(part).size() + 16 <= max_bytes || size <= 1) break;
      size = utf8_prefix(text.substr(at), size * 3 / 4);
    }
    slices.emplace_back(text.substr(at, size));
    at += size;
  }
  std::vector<std::string> parts;
  for (std::size_t i = 0; i < slices.size(); ++i) {
    json::object part = envelope;
    part["part"] = i + 1;
    part["parts"] = slices.size();
    part["data"] = slices[i];
    parts.push_back(json::serialize(part));
  }
  return parts;
}

SinkShaper::SinkShaper(const SinkConfig& sink)
    : format_(sink.format), max_bytes_(sink.max_event_bytes), oversize_(sink.oversize) {}

std::vector<std::string> SinkShaper::operator()(std::string_view event) const {
  std::string formatted = format_ == SinkConfig::Format::apim ? to_apim(event) : std::string(event);
  if (formatted.size() <= max_bytes_) return {std::move(formatted)};
  if (oversize_ == SinkConfig::Oversize::split) return split_event(formatted, max_bytes_);
  return {truncate_event(formatted, max_bytes_)};
}

}  // namespace tollgate::audit
