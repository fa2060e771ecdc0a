#include "sim/chunk_stream.h"

#include <fmt/format.h>

#include <algorithm>
#include <boost/json.hpp>

#include "sim/json_text.h"

namespace tollgate::sim {

EventStream chunk_stream(const Answer& answer, bool include_usage, const ChunkStyle& style) {
  // The fields every chunk repeats are written once; a chunk is prefix, choice, suffix.
  std::string prefix = fmt::format(R"(data: {{"id":"{}{}","object":"{}","created":{},"model":)",
                                   style.id_prefix, answer.id, style.object, answer.created);
  append_json_string(prefix, answer.model);
  prefix += fmt::format(R"(,"system_fingerprint":"{}","choices":[)", kSystemFingerprint);
  const std::string_view suffix = include_usage ? "],\"usage\":null}\n\n" : "]}\n\n";

  EventStream stream;
  std::size_t longest = 0;
  for (const auto& choice : answer.choices) longest = std::max(longest, choice.tokens.size());
  stream.data.reserve((prefix.size() + 96) * (longest + 2) * answer.choices.size() + 512);

  auto chunk = [&](auto&& write_choice) {
    stream.data += prefix;
    write_choice(stream.data);
    stream.data += suffix;
  };

  if (style.head) {
    for (std::size_t i = 0; i < answer.choices.size(); ++i)
      chunk([&](std::string& out) { style.head(answer.choices[i], i, out); });
  }
  stream.end_head();
  for (std::size_t k = 0; k < longest; ++k) {
    for (std::size_t i = 0; i < answer.choices.size(); ++i) {
      const Choice& choice = answer.choices[i];
      if (k >= choice.tokens.size()) continue;
      chunk([&](std::string& out) { style.content(choice, i, choice.tokens[k], out); });
      stream.end_content();
    }
  }
  for (std::size_t i = 0; i < answer.choices.size(); ++i)
    chunk([&](std::string& out) { style.finish(answer.choices[i], i, out); });
  if (include_usage) {
    stream.data += prefix;
    stream.data += "],\"usage\":";
    stream.data += boost::json::serialize(usage_json(answer));
    stream.data += "}\n\n";
  }
  stream.data += "data: [DONE]\n\n";
  return stream;
}

}  // namespace tollgate::sim
