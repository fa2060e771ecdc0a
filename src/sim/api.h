// The generative APIs the simulator serves: Chat Completions, legacy Completions and Responses.
// Each reads its request shape into a Prompt and writes an Answer in its response shape, whole
// or as a stream; what the answer says is decided once, in answer.h, for all of them.
//
// Thread safety: the API objects are stateless and shared by every loop.
#pragma once

#include <boost/json/fwd.hpp>
#include <optional>
#include <string>

#include "core/api_error.h"
#include "sim/answer.h"
#include "sim/event_stream.h"
#include "sim/prompt.h"

namespace tollgate::sim {

class GenerativeApi {
 public:
  virtual ~GenerativeApi() = default;

  // Reads `body` into `prompt` (all but prompt.model, which the route decides). Returns the
  // error the real API would give for a body it refuses. `prompt` views `body`.
  virtual std::optional<ApiError> read(const boost::json::object& body, Prompt& prompt) const = 0;
  // The whole JSON response body.
  virtual std::string render(const Answer& answer) const = 0;
  // The SSE response body. `prompt` says how the client asked for it (include_usage).
  virtual EventStream render_stream(const Answer& answer, const Prompt& prompt) const = 0;
};

const GenerativeApi& chat_api();
const GenerativeApi& completions_api();
const GenerativeApi& responses_api();

}  // namespace tollgate::sim
