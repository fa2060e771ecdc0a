#include "sim/handler.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/json.hpp>
#include <ctime>

#include "sim/answer.h"
#include "sim/api.h"
#include "sim/delivery.h"
#include "sim/digest.h"
#include "sim/embeddings.h"
#include "sim/faults.h"
#include "sim/routes.h"

namespace tollgate::sim {

namespace json = boost::json;
using namespace std::chrono_literals;

namespace {

// The rate limits the simulator claims, high enough never to matter to a client that obeys them.
constexpr std::int64_t kLimitRequests = 10'000;
constexpr std::int64_t kLimitTokens = 2'000'000;

// The headers a real Azure OpenAI or OpenAI upstream adds to every answer, bar
// openai-processing-ms, which Delivery stamps when it sends. `tokens` is what the request costs.
void set_service_headers(http::Exchange& exchange, const SimOptions& options, const Faults& faults,
                         std::uint64_t serial, std::int64_t tokens) {
  bool limited = faults.status == 429;
  exchange.set_header("x-request-id", "req_" + hex64(mix(serial)));
  exchange.set_header("x-ms-region", options.region);
  exchange.set_header("x-ratelimit-limit-requests", std::to_string(kLimitRequests));
  exchange.set_header("x-ratelimit-limit-tokens", std::to_string(kLimitTokens));
  exchange.set_header("x-ratelimit-remaining-requests",
                      std::to_string(limited ? 0 : kLimitRequests - 1));
  exchange.set_header(
      "x-ratelimit-remaining-tokens",
      std::to_string(limited ? 0 : std::max<std::int64_t>(0, kLimitTokens - tokens)));
  if (!faults.retry_after.empty()) exchange.set_header("retry-after", faults.retry_after);
  if (!faults.retry_after_ms.empty()) {
    exchange.set_header("retry-after-ms", faults.retry_after_ms);
    exchange.set_header("x-ms-retry-after-ms", faults.retry_after_ms);
  }
}

const std::string& models_json() {
  static const std::string body = [] {
    json::array data;
    for (std::string_view id : {"gpt-4o", "gpt-4o-mini", "gpt-4.1", "gpt-3.5-turbo-instruct",
                                "text-embedding-3-small", "text-embedding-3-large"}) {
      data.push_back(
          {{"id", id}, {"object", "model"}, {"created", 1715367049}, {"owned_by", "system"}});
    }
    return json::serialize(json::object{{"object", "list"}, {"data", std::move(data)}});
  }();
  return body;
}

std::string echo_json(const http::Request& request) {
  auto content_type = request.find(http::bhttp::field::content_type);
  return json::serialize(json::object{
      {"object", "sim.echo"},
      {"method", request.method_string()},
      {"target", request.target()},
      {"content_type",
       content_type == request.end() ? json::value(nullptr) : json::value(content_type->value())},
      {"body_bytes", request.body().size()},
      {"body_sha256", sha256_hex(request.body())}});
}

// The model an answer names: the deployment of an Azure-style path, else the body's "model".
std::optional<std::string> model_of(std::string_view deployment, const json::object& body) {
  if (!deployment.empty()) return std::string(deployment);
  const json::value* model = body.if_contains("model");
  if (model && model->is_string() && !model->get_string().empty())
    return std::string(model->get_string());
  return std::nullopt;
}

net::awaitable<void> send_local(http::Exchange& exchange, std::string body) {
  http::Response response{http::bhttp::status::ok, exchange.request().version()};
  response.set(http::bhttp::field::content_type, "application/json");
  response.body() = std::move(body);
  auto failed = co_await exchange.send(std::move(response));
  if (failed) exchange.abort();
}

// Refuses a request outside fault injection (unknown /sim/ paths, invalid x-sim-* values).
net::awaitable<void> refuse(http::Exchange& exchange, ApiError error) {
  auto failed = co_await exchange.send_error(error);
  if (failed) exchange.abort();
}

const GenerativeApi& api_for(Operation operation) {
  switch (operation) {
    case Operation::completions:
      return completions_api();
    case Operation::responses:
      return responses_api();
    default:
      return chat_api();
  }
}

}  // namespace

net::awaitable<void> Handler::serve(http::Exchange& exchange) {
  // Exceptions (only an allocation failure is expected) end the connection here, so that the
  // connection counters stay right.
  try {
    co_await answer(exchange);
  } catch (const std::exception& e) {
    spdlog::error("sim: {} {} failed: {}", exchange.request().method_string(),
                  exchange.request().target(), e.what());
    exchange.abort();
  }
}

net::awaitable<void> Handler::answer(http::Exchange& exchange) {
  const http::Request& request = exchange.request();
  const Route route = sim::route(request.method(), request.target());
  if (route.operation == Operation::stats) {
    co_await send_local(exchange, stats_.counters_json());
    co_return;
  }
  if (route.operation == Operation::requests) {
    co_await send_local(exchange, stats_.requests_json());
    co_return;
  }
  if (route.operation == Operation::reset) {
    stats_.reset();
    co_await send_local(exchange, R"({"object":"sim.reset"})");
    co_return;
  }
  if (route.operation == Operation::faults) {
    co_await default_faults(exchange);
    co_return;
  }
  if (route.operation == Operation::sim_unknown) {
    co_await refuse(exchange, not_found("There is no simulator endpoint at this path."));
    co_return;
  }

  const std::uint64_t serial = stats_.record(request);
  Faults faults;
  if (auto message = read_faults(request, *defaults_.current(), faults)) {
    co_await refuse(exchange, invalid_request(*message, {}, "invalid_sim_fault"));
    co_return;
  }
  set_service_headers(exchange, options_, faults, serial, 0);
  Delivery delivery{exchange, faults, stats_};
  if (faults.hang) {
    co_await delivery.hang();
  } else if (faults.drop) {
    co_await delivery.drop();
  } else if (faults.status) {
    co_await delivery.fail(fault_error(faults));
  } else if (route.operation == Operation::echo) {
    co_await delivery.json(echo_json(request), 0ms);
  } else if (route.operation == Operation::models) {
    co_await delivery.json(models_json(), 0ms);
  } else {
    co_await operation(exchange, route, serial, faults, delivery);
  }
}

net::awaitable<void> Handler::default_faults(http::Exchange& exchange) {
  const http::Request& request = exchange.request();
  if (request.method() == http::bhttp::verb::put) {
    json::error_code ec;
    json::value body = json::parse(request.body(), ec);
    std::map<std::string, std::string> faults;
    std::optional<std::string> problem;
    if (ec || !body.is_object()) problem = "the body must be a JSON object of fault names";
    for (const auto& [name, value] : problem ? json::object() : body.get_object()) {
      if (value.is_int64())
        faults[std::string(name)] = std::to_string(value.get_int64());
      else if (value.is_string())
        faults[std::string(name)] = std::string(value.get_string());
      else
        problem = "fault " + std::string(name) + ": the value must be an integer";
    }
    if (!problem) problem = defaults_.replace(std::move(faults));
    if (problem) {
      co_await refuse(exchange, invalid_request(*problem, {}, "invalid_sim_fault"));
      co_return;
    }
  }
  co_await send_local(exchange, defaults_.json());
}

net::awaitable<void> Handler::operation(http::Exchange& exchange, const Route& route,
                                        std::uint64_t serial, const Faults& faults,
                                        Delivery& delivery) {
  // The parsed body lives in an arena that a typical request never outgrows, so parsing it
  // costs no allocation; the Prompt views it.
  unsigned char first_block[4096];
  json::monotonic_resource storage(first_block);
  json::error_code ec;
  // As deep as the gateway accepts (simdjson's 1024 levels), not Boost.JSON's default 32.
  json::parse_options options;
  options.max_depth = 1024;
  json::value body = json::parse(exchange.request().body(), ec, &storage, options);
  std::optional<ApiError> error;
  std::optional<std::string> model;
  if (ec || !body.is_object()) {
    error = invalid_request(
        "We could not parse the JSON body of your request. The body must be a JSON object.");
  } else {
    model = model_of(route.deployment, body.get_object());
    if (!model)
      error = invalid_request("You must provide a model parameter.", "model", "missing_model");
  }
  if (error) {
    co_await delivery.fail(std::move(*error));
    co_return;
  }

  if (route.operation == Operation::embeddings) {
    EmbeddingRequest embeddings;
    if (auto invalid = read_embeddings(body.get_object(), embeddings)) {
      co_await delivery.fail(std::move(*invalid));
      co_return;
    }
    embeddings.model = std::move(*model);
    std::int64_t tokens = 0;
    for (const auto& input : embeddings.inputs) tokens += input.tokens;
    set_service_headers(exchange, options_, faults, serial, tokens);
    co_await delivery.json(render_embeddings(embeddings), faults.ttft);
    co_return;
  }

  const GenerativeApi& api = api_for(route.operation);
  Prompt prompt;
  if (auto invalid = api.read(body.get_object(), prompt)) {
    co_await delivery.fail(std::move(*invalid));
    co_return;
  }
  prompt.model = std::move(*model);
  const Answer result = sim::answer(prompt, faults.tokens, serial, std::time(nullptr));
  set_service_headers(exchange, options_, faults, serial, result.total_tokens());
  if (prompt.stream) {
    co_await delivery.stream(api.render_stream(result, prompt));
    co_return;
  }
  std::size_t longest = 0;
  for (const auto& choice : result.choices) longest = std::max(longest, choice.tokens.size());
  co_await delivery.json(api.render(result), faults.generation_time(longest));
}

}  // namespace tollgate::sim
