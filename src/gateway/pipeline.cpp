#include "gateway/pipeline.h"

#include <spdlog/spdlog.h>

#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/beast/core/string.hpp>
#include <chrono>

#include "api/api_call.h"
#include "api/request_body.h"
#include "api/upstream_target.h"
#include "core/ids.h"
#include "gateway/forward.h"
#include "gateway/stream_back.h"
#include "http/hop_by_hop.h"
#include "identity/upstream_credentials.h"

namespace tollgate::gateway {

namespace bhttp = boost::beast::http;
using namespace boost::asio::experimental::awaitable_operators;

// What the pipeline learns about one call as it moves through the stages.
struct Pipeline::Call {
  std::string request_id = new_uuid();
  std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
  std::string model;
  std::string backend;
  Outcome outcome = Outcome::ok;
};

namespace {

bool is_json(const http::Request& request) {
  auto type = request[bhttp::field::content_type];
  return type.empty() || beast::iequals(type.substr(0, 16), "application/json");
}

bool is_multipart(const http::Request& request) {
  return beast::iequals(request[bhttp::field::content_type].substr(0, 19), "multipart/form-data");
}

// The request as the backend receives it: the client's headers less hop-by-hop ones,
// credentials and content negotiation the gateway must be able to read through.
bhttp::request<bhttp::string_body> upstream_request(http::Request& inbound, std::string target,
                                                    const BackendConfig& backend,
                                                    const std::string& client_ip) {
  bhttp::request<bhttp::string_body> out{inbound.method(), target, 11};
  for (const auto& field : inbound) out.insert(field.name_string(), field.value());
  http::remove_hop_by_hop(out.base());
  out.erase(bhttp::field::expect);
  out.erase(bhttp::field::content_length);
  // The gateway reads every answer (usage, audit), so it asks for it uncompressed.
  out.erase(bhttp::field::accept_encoding);
  identity::apply_upstream_credentials(backend, out.base());
  out.set(bhttp::field::host, backend.port == (backend.tls ? "443" : "80")
                                  ? backend.host
                                  : backend.host + ":" + backend.port);
  std::string forwarded{inbound["x-forwarded-for"]};
  out.set("x-forwarded-for", forwarded.empty() ? client_ip : forwarded + ", " + client_ip);
  out.body() = std::move(inbound.body());
  if (!out.body().empty() || inbound.method() == bhttp::verb::post) out.prepare_payload();
  return out;
}

void log_access(const http::Exchange& exchange, std::string_view method, std::string_view target,
                std::string_view request_id, std::string_view model, std::string_view backend,
                Outcome outcome, std::chrono::steady_clock::time_point started) {
  auto micros = std::chrono::duration_cast<std::chrono::microseconds>(
                    std::chrono::steady_clock::now() - started)
                    .count();
  spdlog::get("access")->info(
      "request_id={} method={} path={} status={} outcome={} model={} backend={} bytes={} "
      "duration_ms={:.3f} client={}",
      request_id, method, target.substr(0, target.find('?')), exchange.status(), to_string(outcome),
      model.empty() ? "-" : model, backend.empty() ? "-" : backend, exchange.bytes_sent(),
      micros / 1000.0, exchange.peer().address().to_string());
}

}  // namespace

Pipeline::Pipeline(net::io_context& loop, const Config& config, http::TlsContexts& tls)
    : config_(config),
      router_(config),
      admin_(loop.get_executor(), config),
      executor_(loop.get_executor()),
      tls_(tls) {}

http::UpstreamPool& Pipeline::pool(const BackendConfig& backend) {
  auto it = pools_.find(backend.name);
  if (it == pools_.end())
    it = pools_
             .emplace(backend.name, std::make_unique<http::UpstreamPool>(executor_, backend,
                                                                         tls_.for_backend(backend)))
             .first;
  return *it->second;
}

net::awaitable<void> Pipeline::serve(http::Exchange& exchange) {
  Call call;
  exchange.set_header("x-request-id", call.request_id);
  auto& request = exchange.request();
  std::string method{request.method_string()};
  std::string target{request.target()};
  // GCC 12 miscompiles `if (co_await ...)` in some coroutines; results are named first.
  bool answered = co_await admin_.serve(exchange);
  if (!answered) co_await forward_call(exchange, call);
  if (auto access = spdlog::get("access"); access && access->should_log(spdlog::level::info))
    log_access(exchange, method, target, call.request_id, call.model, call.backend, call.outcome,
               call.started);
}

net::awaitable<void> Pipeline::forward_call(http::Exchange& exchange, Call& call) {
  auto& request = exchange.request();
  auto refuse = [&](const ApiError& error) -> net::awaitable<void> {
    call.outcome = Outcome::gateway_error;
    co_await exchange.send_error(error);
  };

  auto parsed = api::parse_api_call(request.method_string(), request.target());
  if (auto* error = std::get_if<ApiError>(&parsed)) co_return co_await refuse(*error);
  auto& api_call = std::get<api::ApiCall>(parsed);

  std::optional<api::ModelField> model_field;
  // The JSON operations are read as JSON whatever the Content-Type says (curl -d sends a
  // form type); other operations only when they declare JSON.
  if (api_call.inspected || (is_json(request) && !request.body().empty())) {
    auto facts = api::inspect_json_body(request.body());
    if (auto* error = std::get_if<ApiError>(&facts)) co_return co_await refuse(*error);
    model_field = std::get<api::BodyFacts>(facts).model;
  } else if (is_multipart(request)) {
    model_field = api::multipart_model(request[bhttp::field::content_type], request.body());
  }

  auto routed = router_.choose(api_call, model_field ? std::string_view(model_field->value) : "");
  if (auto* error = std::get_if<ApiError>(&routed)) co_return co_await refuse(*error);
  const auto& route = std::get<RouteChoice>(routed);
  const BackendConfig& backend = *route.backend;
  call.model = route.model ? route.model->name : "";
  call.backend = backend.name;
  exchange.set_header("x-tollgate-backend", backend.name);

  if (model_field && !route.deployment.empty() && model_field->value != route.deployment &&
      api::body_names_deployment(api_call, backend))
    api::replace_model(request.body(), *model_field, route.deployment);

  auto upstream =
      upstream_request(request, api::upstream_target(api_call, backend, route.deployment), backend,
                       exchange.peer().address().to_string());
  UpstreamCall forward{pool(backend)};
  // Until the backend answers, the client connection is quiet; if it closes, the wait is
  // abandoned so the backend stops working for nobody.
  auto abandon_if_client_leaves = [&]() -> net::awaitable<void> {
    bool gone = co_await exchange.client_gone();
    if (gone) forward.abandon();
  };
  auto sent = co_await (forward.send(upstream) || abandon_if_client_leaves());
  if (sent.index() == 1) {
    call.outcome = Outcome::client_aborted;
    exchange.abort();
    co_return;
  }
  if (auto ec = std::get<0>(sent)) {
    spdlog::warn("request_id={} backend={} upstream failed before answering: {}", call.request_id,
                 backend.name, ec.message());
    if (ec == beast::error::timeout) {
      call.outcome = Outcome::timeout;
      co_await exchange.send_error(
          gateway_timeout("The backend '" + backend.name + "' did not answer within its timeout."));
    } else {
      call.outcome = Outcome::upstream_error;
      co_await exchange.send_error(
          bad_gateway("The backend '" + backend.name + "' could not be reached: " + ec.message()));
    }
    co_return;
  }
  call.outcome = co_await stream_back(exchange, forward, backend.name);
}

}  // namespace tollgate::gateway
