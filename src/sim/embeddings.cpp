#include "sim/embeddings.h"

#include <fmt/format.h>
#include <openssl/evp.h>

#include <bit>
#include <boost/json.hpp>
#include <cmath>
#include <iterator>

#include "sim/json_text.h"
#include "sim/text.h"

namespace tollgate::sim {

namespace json = boost::json;

namespace {

// Token ids are hashed as their JSON text, so [1,2] and a request that spells it [1, 2] agree.
std::optional<EmbeddingInput> input_of(const json::value& value) {
  if (value.is_string()) {
    std::string_view text = value.get_string();
    return EmbeddingInput{fnv1a(text), std::max<std::int64_t>(1, estimate_tokens(text.size()))};
  }
  const auto* ids = value.if_array();
  if (!ids || ids->empty()) return std::nullopt;
  for (const auto& id : *ids)
    if (!id.is_int64() && !id.is_uint64()) return std::nullopt;
  return EmbeddingInput{fnv1a(json::serialize(*ids)), static_cast<std::int64_t>(ids->size())};
}

}  // namespace

std::optional<ApiError> read_embeddings(const json::object& body, EmbeddingRequest& out) {
  const json::value* input = body.if_contains("input");
  if (!input) return invalid_request("'input' is required.", "input");
  if (auto single = input_of(*input)) {
    out.inputs.push_back(*single);
  } else if (input->is_array() && !input->get_array().empty()) {
    for (const auto& item : input->get_array()) {
      auto one = input_of(item);
      if (!one)
        return invalid_request(
            "'input' must be a string, an array of strings, or an array of token arrays.", "input");
      out.inputs.push_back(*one);
    }
  } else {
    return invalid_request("'input' must be a non-empty string or array.", "input");
  }

  if (const json::value* dimensions = body.if_contains("dimensions");
      dimensions && !dimensions->is_null()) {
    json::error_code ec;
    auto number = dimensions->to_number<std::int64_t>(ec);
    if (ec || number < 1 || number > 16384)
      return invalid_request("'dimensions' must be an integer from 1 to 16384.", "dimensions");
    out.dimensions = static_cast<int>(number);
  }

  if (const json::value* format = body.if_contains("encoding_format");
      format && !format->is_null()) {
    if (!format->is_string() ||
        (format->get_string() != "float" && format->get_string() != "base64"))
      return invalid_request("'encoding_format' must be \"float\" or \"base64\".",
                             "encoding_format");
    out.base64 = format->get_string() == "base64";
  }
  return std::nullopt;
}

std::vector<float> embedding(std::uint64_t seed, int dimensions) {
  std::vector<double> raw(static_cast<std::size_t>(dimensions));
  double norm = 0;
  for (std::size_t i = 0; i < raw.size(); ++i) {
    // The top 53 bits give a uniform value in [-1, 1).
    raw[i] = static_cast<double>(nth(seed, i) >> 11) * 0x1p-52 - 1.0;
    norm += raw[i] * raw[i];
  }
  norm = norm > 0 ? std::sqrt(norm) : 1.0;
  std::vector<float> vector(raw.size());
  for (std::size_t i = 0; i < raw.size(); ++i) vector[i] = static_cast<float>(raw[i] / norm);
  return vector;
}

std::string base64_floats(std::span<const float> values) {
  std::string bytes;
  bytes.reserve(values.size() * 4);
  for (float value : values) {
    auto bits = std::bit_cast<std::uint32_t>(value);
    for (int shift = 0; shift < 32; shift += 8) bytes += static_cast<char>((bits >> shift) & 0xff);
  }
  std::string encoded(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  int length = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(encoded.data()),
                               reinterpret_cast<const unsigned char*>(bytes.data()),
                               static_cast<int>(bytes.size()));
  encoded.resize(static_cast<std::size_t>(length));
  return encoded;
}

std::string render_embeddings(const EmbeddingRequest& request) {
  // Written by hand: Boost.JSON would print each float32 as a 17-digit double, about twice the
  // bytes of the shortest form that reads back to the same float.
  std::string out;
  std::size_t per_value = request.base64 ? 6 : 12;
  out.reserve(256 + request.inputs.size() * (64 + per_value * request.dimensions));
  out += R"({"object":"list","data":[)";
  std::int64_t tokens = 0;
  for (std::size_t i = 0; i < request.inputs.size(); ++i) {
    if (i > 0) out += ',';
    fmt::format_to(std::back_inserter(out), R"({{"object":"embedding","index":{},"embedding":)", i);
    auto vector = embedding(request.inputs[i].seed, request.dimensions);
    if (request.base64) {
      out += '"';
      out += base64_floats(vector);
      out += '"';
    } else {
      out += '[';
      for (std::size_t j = 0; j < vector.size(); ++j) {
        if (j > 0) out += ',';
        fmt::format_to(std::back_inserter(out), "{}", vector[j]);
      }
      out += ']';
    }
    out += '}';
    tokens += request.inputs[i].tokens;
  }
  out += R"(],"model":)";
  append_json_string(out, request.model);
  fmt::format_to(std::back_inserter(out), R"(,"usage":{{"prompt_tokens":{},"total_tokens":{}}}}})",
                 tokens, tokens);
  return out;
}

}  // namespace tollgate::sim
