#include "usage/stream_assembler.h"

#include <boost/json/parse.hpp>

#include "core/json.h"

namespace tollgate::usage {

namespace json = boost::json;

namespace {

std::string_view trim(std::string_view text) {
  constexpr std::string_view kWhitespace = " \t\r\n";
  const std::size_t first = text.find_first_not_of(kWhitespace);
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(kWhitespace) - first + 1);
}

std::variant<std::monostate, ChoicesAssembly, ResponseAssembly> assembly_for(Api api) {
  switch (api) {
    case Api::chat_completions:
      return ChoicesAssembly(true);
    case Api::completions:
      return ChoicesAssembly(false);
    case Api::responses:
      return ResponseAssembly();
    default:
      return std::monostate();
  }
}

}  // namespace

StreamAssembler::StreamAssembler(std::string_view operation)
    : api_(api_of(operation)), assembly_(assembly_for(api_)) {}

void StreamAssembler::feed(std::string_view data) {
  data = trim(data);
  if (data.empty() || data == "[DONE]") return;
  ++chunks_;

  // Responses API events repeat the request's tools, whose JSON schemas may nest deeply.
  boost::system::error_code ec;
  const json::value parsed = parse_json(data, ec);
  const json::object* chunk = ec ? nullptr : parsed.if_object();
  if (!chunk) return;

  // Chunks carry model and usage themselves; Responses API events inside their response.
  const json::value* carrier = &parsed;
  if (api_ == Api::responses) carrier = chunk->if_contains("response");
  const json::object* fields = carrier ? carrier->if_object() : nullptr;
  if (fields) {
    const json::value* model = fields->if_contains("model");
    if (!served_model_ && model && model->is_string() && !model->get_string().empty())
      served_model_ = std::string(model->get_string());
    if (Usage reported = usage_from_body(*carrier); reported.source == Usage::Source::upstream)
      usage_ = reported;
  }

  if (auto* choices = std::get_if<ChoicesAssembly>(&assembly_)) choices->add(*chunk);
  if (auto* response = std::get_if<ResponseAssembly>(&assembly_)) response->add(*chunk);
}

json::value StreamAssembler::result() const {
  if (const auto* choices = std::get_if<ChoicesAssembly>(&assembly_)) return choices->result();
  if (const auto* response = std::get_if<ResponseAssembly>(&assembly_)) return response->result();
  return nullptr;
}

}  // namespace tollgate::usage
