#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <boost/json.hpp>
#include <cmath>
#include <cstring>

#include "sim/embeddings.h"

namespace tollgate::sim {
namespace {

namespace json = boost::json;

double norm(const std::vector<float>& v) {
  double sum = 0;
  for (float x : v) sum += double{x} * x;
  return std::sqrt(sum);
}

std::optional<ApiError> read(std::string_view body, EmbeddingRequest& out) {
  return read_embeddings(json::parse(body).as_object(), out);
}

TEST(SimEmbeddings, VectorsAreUnitAndDeterministic) {
  auto v = embedding(7, kDefaultDimensions);
  ASSERT_EQ(v.size(), 1536u);
  EXPECT_NEAR(norm(v), 1.0, 1e-5);
  EXPECT_EQ(v, embedding(7, kDefaultDimensions));
  EXPECT_NE(v, embedding(8, kDefaultDimensions));
}

TEST(SimEmbeddings, ShortVectorsAreScaledPrefixes) {
  auto full = embedding(3, 64);
  auto short_one = embedding(3, 8);
  EXPECT_NEAR(norm(short_one), 1.0, 1e-5);
  double scale = short_one[0] / full[0];
  for (std::size_t i = 0; i < short_one.size(); ++i)
    EXPECT_NEAR(short_one[i], full[i] * scale, 1e-5) << i;
}

TEST(SimEmbeddings, Base64IsLittleEndianFloat32) {
  std::vector<float> values = {1.0f, -0.5f, 0.25f};
  std::string encoded = base64_floats(values);
  EXPECT_EQ(encoded, "AACAPwAAAL8AAIA+");
  unsigned char decoded[16];
  int length = EVP_DecodeBlock(decoded, reinterpret_cast<const unsigned char*>(encoded.data()),
                               static_cast<int>(encoded.size()));
  ASSERT_EQ(length, 12);
  float back[3];
  std::memcpy(back, decoded, sizeof back);
  EXPECT_EQ(back[1], -0.5f);
}

TEST(SimEmbeddings, ReadsEveryInputShape) {
  EmbeddingRequest single;
  ASSERT_FALSE(read(R"({"input":"hello world"})", single));
  ASSERT_EQ(single.inputs.size(), 1u);
  EXPECT_EQ(single.inputs[0].tokens, 3);
  EXPECT_EQ(single.dimensions, kDefaultDimensions);
  EXPECT_FALSE(single.base64);

  EmbeddingRequest batch;
  ASSERT_FALSE(
      read(R"({"input":["a","hello world"],"dimensions":8,"encoding_format":"base64"})", batch));
  ASSERT_EQ(batch.inputs.size(), 2u);
  EXPECT_EQ(batch.inputs[1].seed, single.inputs[0].seed);  // same text, same vector
  EXPECT_EQ(batch.dimensions, 8);
  EXPECT_TRUE(batch.base64);

  EmbeddingRequest ids;
  ASSERT_FALSE(read(R"({"input":[1,2,3]})", ids));
  ASSERT_EQ(ids.inputs.size(), 1u);
  EXPECT_EQ(ids.inputs[0].tokens, 3);

  EmbeddingRequest id_batch;
  ASSERT_FALSE(read(R"({"input":[[1,2,3],[4]]})", id_batch));
  ASSERT_EQ(id_batch.inputs.size(), 2u);
  EXPECT_EQ(id_batch.inputs[0].seed, ids.inputs[0].seed);
}

TEST(SimEmbeddings, RefusesBadRequests) {
  EmbeddingRequest r;
  EXPECT_TRUE(read(R"({})", r));
  EXPECT_TRUE(read(R"({"input":[]})", r));
  EXPECT_TRUE(read(R"({"input":[{}]})", r));
  EXPECT_TRUE(read(R"({"input":"x","dimensions":0})", r));
  EXPECT_TRUE(read(R"({"input":"x","encoding_format":"int8"})", r));
}

TEST(SimEmbeddings, RendersTheOpenAiShape) {
  EmbeddingRequest request;
  ASSERT_FALSE(read(R"({"input":["a","b"],"dimensions":4})", request));
  request.model = "text-embedding-3-small";
  json::object body = json::parse(render_embeddings(request)).as_object();
  EXPECT_EQ(body.at("object"), "list");
  EXPECT_EQ(body.at("model"), "text-embedding-3-small");
  const auto& data = body.at("data").as_array();
  ASSERT_EQ(data.size(), 2u);
  EXPECT_EQ(data[1].at("index"), 1);
  EXPECT_EQ(data[1].at("object"), "embedding");
  const auto& vector = data[0].at("embedding").as_array();
  ASSERT_EQ(vector.size(), 4u);
  auto expected = embedding(request.inputs[0].seed, 4);
  for (std::size_t i = 0; i < 4; ++i)
    EXPECT_EQ(static_cast<float>(vector[i].to_number<double>()), expected[i]);
  EXPECT_EQ(body.at("usage").at("prompt_tokens"), 2);
  EXPECT_EQ(body.at("usage").at("total_tokens"), 2);

  request.base64 = true;
  json::object encoded = json::parse(render_embeddings(request)).as_object();
  EXPECT_EQ(encoded.at("data").at(0).at("embedding").as_string(), base64_floats(expected));
}

}  // namespace
}  // namespace tollgate::sim
