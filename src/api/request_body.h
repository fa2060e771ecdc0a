// The few facts the gateway needs from a request body, found without rewriting it: the model
// (with its byte position, so it can be replaced in place) and whether a stream is asked for.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "core/api_error.h"

namespace tollgate::api {

struct ModelField {
  std::string value;       // the model name, unescaped
  std::size_t offset = 0;  // where its encoding starts in the body
  std::size_t length = 0;  // bytes of its encoding (with the quotes, for JSON)
  bool json = true;        // encoded as a JSON string (else raw multipart bytes)
};

struct BodyFacts {
  std::optional<ModelField> model;
  bool stream = false;
};

// Validates a JSON request body and reads its "model" and "stream" members. Malformed JSON,
// a non-object, or a "model" that is not a string gives 400.
std::variant<BodyFacts, ApiError> inspect_json_body(std::string_view body);

// Reads the "model" field of a multipart/form-data body, if it has one. `content_type` is
// the request's Content-Type, which carries the boundary.
std::optional<ModelField> multipart_model(std::string_view content_type, std::string_view body);

// Replaces the model's encoding in `body` by `model`, encoded the same way.
void replace_model(std::string& body, const ModelField& field, std::string_view model);

}  // namespace tollgate::api
