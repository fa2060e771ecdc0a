// Stream-back stage: relays the backend's answer to the client as it arrives. Server-sent
// events are passed on whole, one or more per write, never held for more bytes than the
// event itself; other bodies are passed on piece by piece.
//
// A body that breaks after the client has received bytes is never ended as if it were whole:
// an event stream gets an SSE error event, then the response is aborted without its final
// chunk, so SDKs raise instead of returning a truncated answer.
#pragma once

#include <boost/asio/awaitable.hpp>

#include "gateway/answer_observer.h"
#include "gateway/forward.h"
#include "gateway/outcome.h"
#include "http/exchange.h"

namespace tollgate::gateway {

// Relays the answer, telling `observer` about it. Returns how the call ended.
// REQUIRES: call.send() succeeded and no response was started on `exchange`.
net::awaitable<Outcome> stream_back(http::Exchange& exchange, UpstreamCall& call,
                                    AnswerObserver& observer);

}  // namespace tollgate::gateway
