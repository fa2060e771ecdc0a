// Embeddings: POST .../embeddings. Each input gets a deterministic unit vector derived from its
// text (or token ids) alone, so the same input embeds the same in any batch and any request.
//
// Thread safety: pure functions.
#pragma once

#include <boost/json/fwd.hpp>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/api_error.h"

namespace tollgate::sim {

inline constexpr int kDefaultDimensions = 1536;

struct EmbeddingInput {
  std::uint64_t seed = 0;   // hash of the text or of the token ids
  std::int64_t tokens = 0;  // its share of usage.prompt_tokens
};

struct EmbeddingRequest {
  std::string model;  // set by the route, like Prompt::model
  std::vector<EmbeddingInput> inputs;
  int dimensions = kDefaultDimensions;
  bool base64 = false;  // encoding_format: "base64"
};

// Reads `input` (a string, an array of strings, an array of token ids or an array of such
// arrays), `dimensions` and `encoding_format`. Returns the error the real API would give.
std::optional<ApiError> read_embeddings(const boost::json::object& body, EmbeddingRequest& out);

// The unit vector for `seed`. Its first k components are, up to scale, those of any longer
// vector for the same seed, as with the real models' `dimensions`.
std::vector<float> embedding(std::uint64_t seed, int dimensions);

// `values` as little-endian IEEE-754 float32, base64-encoded: the API's "base64" format.
std::string base64_floats(std::span<const float> values);

// The whole JSON response body: {"object":"list","data":[...],"model",...,"usage"}.
std::string render_embeddings(const EmbeddingRequest& request);

}  // namespace tollgate::sim
