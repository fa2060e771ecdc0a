// What the gateway learns about one call, stage by stage, and from which its two audit events
// are built. The pipeline owns one per call; stages fill their part.
#pragma once

#include <boost/json/value.hpp>
#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "identity/identity.h"

namespace tollgate::audit {

// One try at a backend. Until backend pools exist there is exactly one per forwarded call.
struct Attempt {
  std::string backend;
  std::string deployment;
  int status = 0;  // 0: no HTTP answer
  double duration_ms = 0;
  std::string error;  // empty when the backend answered
};

struct CallRecord {
  std::string message_id;  // also the x-request-id the client sees
  std::chrono::system_clock::time_point received_at;
  std::chrono::steady_clock::time_point received;

  // call
  std::string operation;  // chat.completions, embeddings, ...
  std::string api_style;  // azure, openai
  std::string method;
  std::string path;
  std::string deployment;
  std::string api_version;
  std::string model;         // the model the client asked for (a configured name)
  std::string served_model;  // the model the backend says answered
  bool stream = false;

  identity::Identity identity;  // filled by the authenticate stage; "none" when refused

  // client
  std::string client_ip;
  std::string user_agent;
  std::string end_user;  // the body's "user" field

  // routing
  std::string backend;
  std::string backend_host;
  std::string region;  // x-ms-region of the answer
  std::vector<Attempt> attempts;

  // request
  boost::json::value request_body;  // null when bodies are not recorded
  std::size_t request_bytes = 0;
  std::string request_content_type;

  // response
  int status = 0;
  std::string outcome = "ok";
  std::string error;  // why the call failed, when it did
  boost::json::value response_body;
  std::size_t response_bytes = 0;
  std::optional<std::size_t> chunks;  // SSE events, for streams
  std::optional<double> time_to_first_token_ms;
  boost::json::value usage;  // usage::to_json(), or null
  // From the usage and the model's price when the call was received (usage/cost.h); the
  // amount is absent when either is unknown.
  std::optional<double> cost_amount;
  std::string cost_currency;

  // timing
  double duration_ms = 0;
  std::optional<double> upstream_ttfb_ms;
  std::optional<double> model_time_ms;  // openai-processing-ms
  std::optional<double> gateway_overhead_us;
};

}  // namespace tollgate::audit
