#include "sim/answer.h"

#include <boost/json.hpp>

#include "sim/tool_call.h"

namespace tollgate::sim {

namespace json = boost::json;

namespace {

Choice choose(const Prompt& prompt, const Turn& turn, std::optional<int> tokens) {
  Choice choice;
  auto echo = echo_of(turn.text);
  if (prompt.tool) {
    choice.tool_call_id = tool_call_id(turn.seed, prompt.tool->name);
    choice.tool_name = prompt.tool->name;
    choice.tokens = pieces(tool_arguments(*prompt.tool, turn.seed, echo));
    choice.finish_reason = "tool_calls";
  } else if (echo) {
    choice.tokens = pieces(std::string(*echo));
    choice.finish_reason = "stop";
  } else {
    bool limited = !tokens && prompt.max_tokens && *prompt.max_tokens < kDefaultWords;
    int count = tokens ? *tokens : limited ? *prompt.max_tokens : kDefaultWords;
    choice.tokens = words(turn.seed, count);
    choice.finish_reason = limited ? "length" : "stop";
  }
  return choice;
}

}  // namespace

Answer answer(const Prompt& prompt, std::optional<int> tokens, std::uint64_t serial,
              std::int64_t now) {
  Answer answer;
  answer.model = prompt.model;
  answer.id = hex64(mix(prompt.seed ^ mix(serial)));
  answer.created = now;
  answer.prompt_tokens = prompt.prompt_tokens();
  answer.choices.reserve(prompt.turns.size());
  for (const auto& turn : prompt.turns) {
    answer.choices.push_back(choose(prompt, turn, tokens));
    answer.completion_tokens += static_cast<std::int64_t>(answer.choices.back().tokens.size());
  }
  return answer;
}

std::string completion_json(const Answer& answer, std::string_view id_prefix,
                            std::string_view object, json::array choices) {
  return json::serialize(json::object{{"id", std::string(id_prefix) + answer.id},
                                      {"object", object},
                                      {"created", answer.created},
                                      {"model", answer.model},
                                      {"choices", std::move(choices)},
                                      {"usage", usage_json(answer)},
                                      {"system_fingerprint", kSystemFingerprint}});
}

json::object usage_json(const Answer& answer) {
  return {{"prompt_tokens", answer.prompt_tokens},
          {"completion_tokens", answer.completion_tokens},
          {"total_tokens", answer.total_tokens()},
          {"prompt_tokens_details", {{"cached_tokens", 0}, {"audio_tokens", 0}}},
          {"completion_tokens_details",
           {{"reasoning_tokens", 0},
            {"audio_tokens", 0},
            {"accepted_prediction_tokens", 0},
            {"rejected_prediction_tokens", 0}}}};
}

}  // namespace tollgate::sim
