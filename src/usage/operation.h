// Which of the APIs whose bodies carry usage an operation names. The pipeline knows an
// operation by its path ("chat/completions") and the audit event by its dotted name
// ("chat.completions"); both spellings are accepted so neither has to convert for this module.
#pragma once

#include <string_view>

namespace tollgate::usage {

enum class Api { chat_completions, completions, embeddings, responses, other };

Api api_of(std::string_view operation);

}  // namespace tollgate::usage
