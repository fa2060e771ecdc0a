#include "api/request_body.h"

#include <simdjson.h>

#include <boost/json/serialize.hpp>
#include <boost/json/string.hpp>

namespace tollgate::api {

namespace {

// simdjson reads up to SIMDJSON_PADDING bytes past the end of its input; copying into a
// padded buffer is the price of its speed, and small next to the upstream round trip.
simdjson::padded_string padded(std::string_view body) { return simdjson::padded_string(body); }

}  // namespace

std::variant<BodyFacts, ApiError> inspect_json_body(std::string_view body) {
  thread_local simdjson::dom::parser parser;
  auto input = padded(body);
  simdjson::dom::element root;
  if (auto error = parser.parse(input).get(root))
    return invalid_request(
        std::string("The request body is not valid JSON: ") + simdjson::error_message(error), {},
        "invalid_json");
  if (!root.is_object())
    return invalid_request("The request body must be a JSON object.", {}, "invalid_json");

  BodyFacts facts;
  if (auto stream = root["stream"]; !stream.error()) {
    bool value = false;
    if (stream.get(value) == simdjson::SUCCESS) facts.stream = value;
  }
  auto model = root["model"];
  // AzureChatOpenAI sends "model": null; the deployment in its path names the model.
  if (model.error() || model.is_null()) return facts;
  std::string_view name;
  if (model.get(name) != simdjson::SUCCESS)
    return invalid_request("'model' must be a string.", "model", "invalid_type");

  // The DOM does not keep positions, so the on-demand API finds the raw token of the
  // top-level "model" member. The document is known valid at this point.
  simdjson::ondemand::parser locator;
  auto document = locator.iterate(input);
  for (auto member : document.get_object()) {
    std::string_view key = member.unescaped_key();
    if (key != "model") continue;
    std::string_view token = member.value().raw_json_token();
    while (!token.empty() && token.back() != '"') token.remove_suffix(1);  // trailing space
    facts.model =
        ModelField{std::string(name), static_cast<std::size_t>(token.data() - input.data()),
                   token.size(), true};
    break;
  }
  return facts;
}

std::optional<ModelField> multipart_model(std::string_view content_type, std::string_view body) {
  auto at = content_type.find("boundary=");
  if (at == std::string_view::npos) return std::nullopt;
  std::string_view boundary = content_type.substr(at + 9);
  boundary = boundary.substr(0, boundary.find(';'));
  if (boundary.size() >= 2 && boundary.front() == '"')
    boundary = boundary.substr(1, boundary.size() - 2);
  const std::string delimiter = "--" + std::string(boundary);

  for (std::size_t part = body.find(delimiter); part != std::string_view::npos;) {
    std::size_t headers = part + delimiter.size();
    std::size_t headers_end = body.find("\r\n\r\n", headers);
    if (headers_end == std::string_view::npos) return std::nullopt;
    std::string_view head = body.substr(headers, headers_end - headers);
    std::size_t value = headers_end + 4;
    std::size_t next = body.find("\r\n" + delimiter, value);
    if (next == std::string_view::npos) return std::nullopt;
    if (head.find("name=\"model\"") != std::string_view::npos)
      return ModelField{std::string(body.substr(value, next - value)), value, next - value, false};
    part = next + 2;
  }
  return std::nullopt;
}

void replace_model(std::string& body, const ModelField& field, std::string_view model) {
  std::string encoded =
      field.json ? boost::json::serialize(boost::json::string(model)) : std::string(model);
  body.replace(field.offset, field.length, encoded);
}

}  // namespace tollgate::api
