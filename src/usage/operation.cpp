#include "usage/operation.h"

namespace tollgate::usage {

Api api_of(std::string_view operation) {
  if (operation == "chat.completions" || operation == "chat/completions")
    return Api::chat_completions;
  if (operation == "completions") return Api::completions;
  if (operation == "embeddings") return Api::embeddings;
  if (operation == "responses") return Api::responses;
  return Api::other;
}

}  // namespace tollgate::usage
