// Which simulated operation a request asks for, from its method and target, in the three URL
// styles: /v1/<op>, /openai/v1/<op> and /openai/deployments/<deployment>/<op>.
#pragma once

#include <boost/beast/http/verb.hpp>
#include <ostream>  // Boost 1.81's string_view, which verb.hpp uses, needs it complete
#include <string_view>

namespace tollgate::sim {

enum class Operation {
  chat,         // POST chat/completions
  completions,  // POST completions
  embeddings,   // POST embeddings
  responses,    // POST responses
  models,       // GET /v1/models, /openai/v1/models
  stats,        // GET /sim/stats
  requests,     // GET /sim/requests
  reset,        // POST /sim/reset
  faults,       // GET or PUT /sim/faults
  sim_unknown,  // anything else under /sim/
  echo,         // anything else
};

struct Route {
  Operation operation = Operation::echo;
  std::string_view deployment;  // from /openai/deployments/<deployment>/..., else empty
};

// The route of a request. The query string plays no part. The deployment views `target`.
Route route(boost::beast::http::verb method, std::string_view target);

}  // namespace tollgate::sim
