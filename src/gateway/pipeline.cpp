#include "gateway/pipeline.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/beast/core/string.hpp>
#include <boost/json.hpp>
#include <chrono>

#include "api/api_call.h"
#include "api/request_body.h"
#include "api/upstream_target.h"
#include "core/clock.h"
#include "core/ids.h"
#include "core/json.h"
#include "gateway/account.h"
#include "gateway/authenticate.h"
#include "gateway/failover.h"
#include "gateway/stream_back.h"
#include "http/hop_by_hop.h"
#include "identity/upstream_credentials.h"
#include "usage/include_usage.h"

namespace tollgate::gateway {

namespace bhttp = boost::beast::http;
namespace json = boost::json;

// What the pipeline learns about one call as it moves through the stages.
struct Pipeline::Call {
  audit::CallRecord record;
  AuthVerdict verdict;
  bool request_recorded = false;
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
// credentials and content negotiation the gateway must be able to read through, with `body`.
bhttp::request<bhttp::string_body> upstream_request(const http::Request& inbound, std::string body,
                                                    std::string target,
                                                    const BackendConfig& backend,
                                                    const identity::UpstreamCredential& credential,
                                                    const std::string& client_ip) {
  bhttp::request<bhttp::string_body> out{inbound.method(), target, 11};
  for (const auto& field : inbound) out.insert(field.name_string(), field.value());
  http::remove_hop_by_hop(out.base());
  out.erase(bhttp::field::expect);
  out.erase(bhttp::field::content_length);
  // The gateway reads every answer (usage, audit), so it asks for it uncompressed.
  out.erase(bhttp::field::accept_encoding);
  identity::apply_upstream_credential(credential, out.base());
  out.set(bhttp::field::host, api::upstream_host(backend));
  std::string forwarded{inbound["x-forwarded-for"]};
  out.set("x-forwarded-for", forwarded.empty() ? client_ip : forwarded + ", " + client_ip);
  out.body() = std::move(body);
  if (!out.body().empty() || inbound.method() == bhttp::verb::post) out.prepare_payload();
  return out;
}

void log_access(const http::Exchange& exchange, const audit::CallRecord& record, Outcome outcome) {
  spdlog::get("access")->info(
      "request_id={} method={} path={} status={} outcome={} model={} backend={} bytes={} "
      "duration_ms={:.3f} client={}",
      record.message_id, record.method, record.path, exchange.status(), to_string(outcome),
      record.model.empty() ? "-" : record.model, record.backend.empty() ? "-" : record.backend,
      exchange.bytes_sent(), millis_between(record.received, std::chrono::steady_clock::now()),
      exchange.peer().address().to_string());
}

// "chat/completions" -> "chat.completions", the operation's name in audit events.
std::string dotted(std::string_view operation) {
  std::string name(operation);
  std::replace(name.begin(), name.end(), '/', '.');
  return name;
}

// A body that is not JSON, as the audit records it: text as a string, anything else (audio,
// images) only by its size.
json::value recorded_text(const http::Request& request) {
  auto type = request[bhttp::field::content_type];
  if (beast::iequals(type.substr(0, 5), "text/") ||
      beast::iequals(type.substr(0, 33), "application/x-www-form-urlencoded"))
    return json::string(request.body());
  return nullptr;
}

// The api-version the backend receives, which decides whether it accepts stream_options.
std::string upstream_api_version(const api::ApiCall& call, const BackendConfig& backend) {
  if (backend.kind == BackendKind::openai) return {};
  if (!backend.api_version.empty()) return backend.api_version;
  if (!call.api_version.empty()) return call.api_version;
  return std::string(api::default_azure_api_version);
}

}  // namespace

Pipeline::Pipeline(net::io_context& loop, const Config& config, http::TlsContexts& tls,
                   identity::IdentityService& identity, audit::AuditLog* audit,
                   balance::Balancer& balancer)
    : config_(config),
      router_(config),
      admin_(loop.get_executor(), config, identity, balancer),
      identity_(identity),
      audit_(audit),
      failover_(loop.get_executor(), tls, balancer, identity.credentials()) {}

net::awaitable<void> Pipeline::serve(http::Exchange& exchange) {
  Call call;
  auto& record = call.record;
  record.message_id = new_uuid();
  record.received_at = std::chrono::system_clock::now();
  record.received = std::chrono::steady_clock::now();
  exchange.set_header("x-request-id", record.message_id);
  auto& request = exchange.request();
  record.method = request.method_string();
  record.path = request.target().substr(0, request.target().find('?'));
  // Probes answer anyone; every other request first says who is calling, before its body is
  // read further.
  if (!Admin::is_probe(record.path))
    call.verdict =
        co_await identity_.authenticator().authenticate(request.base(), verified_tokens_);
  // GCC 12 miscompiles `if (co_await ...)` in some coroutines; results are named first.
  bool answered = co_await admin_.serve(exchange, call.verdict);
  // Stages report expected failures as values; an exception is a bug, and it must cost this
  // one call, answered, not the connection or the server.
  std::string failure;
  try {
    if (!answered) co_await forward_call(exchange, call);
  } catch (const std::exception& e) {
    failure = e.what();
  }
  if (!failure.empty()) {
    spdlog::error("request_id={} failed inside the gateway: {}", record.message_id, failure);
    call.outcome = Outcome::gateway_error;
    if (exchange.started())
      exchange.abort();
    else
      co_await exchange.send_error(internal_error("The gateway failed to handle this call."));
  }
  if (auto access = spdlog::get("access"); access && access->should_log(spdlog::level::info))
    log_access(exchange, record, call.outcome);
}

net::awaitable<bool> Pipeline::record_request(Call& call) {
  if (!audit_ || call.request_recorded) co_return true;
  call.request_recorded = true;
  auto ec = co_await audit_->record_request(call.record);
  // A full spool refuses the call (the reject policy): compliance must not be bypassed.
  co_return ec != audit::SpoolError::full;
}

net::awaitable<void> Pipeline::record_response(Call& call) {
  auto& record = call.record;
  record.outcome = std::string(to_string(call.outcome));
  record.duration_ms = millis_between(record.received, std::chrono::steady_clock::now());
  if (audit_) co_await audit_->record_response(record);
}

net::awaitable<void> Pipeline::refuse(http::Exchange& exchange, Call& call, const ApiError& error,
                                      Outcome outcome) {
  call.outcome = outcome;
  call.record.status = error.status;
  call.record.error = error.message;
  bool admitted = co_await record_request(call);
  if (admitted) co_await record_response(call);
  co_await exchange.send_error(error);
}

net::awaitable<void> Pipeline::forward_call(http::Exchange& exchange, Call& call) {
  auto& request = exchange.request();
  auto& record = call.record;
  record.client_ip = exchange.peer().address().to_string();
  record.user_agent = request[bhttp::field::user_agent];
  record.request_bytes = request.body().size();
  record.request_content_type = request[bhttp::field::content_type];
  record.api_style = record.path.rfind("/openai/", 0) == 0 ? "azure" : "openai";
  record.operation = "unknown";
  auto gateway_error = Outcome::gateway_error;

  auto parsed = api::parse_api_call(request.method_string(), request.target());
  if (auto* known = std::get_if<api::ApiCall>(&parsed)) {
    record.operation = dotted(known->operation);
    record.api_version = known->api_version;
  }
  // A caller who proves nothing is refused before the body is read or recorded.
  if (auto* failure = std::get_if<identity::AuthFailure>(&call.verdict))
    co_return co_await refuse(exchange, call, refusal(*failure, exchange), gateway_error);
  record.identity = std::get<identity::Identity>(call.verdict);
  if (auto* error = std::get_if<ApiError>(&parsed))
    co_return co_await refuse(exchange, call, *error, gateway_error);
  auto& api_call = std::get<api::ApiCall>(parsed);

  std::optional<api::ModelField> model_field;
  bool stream = false;
  // The JSON operations are read as JSON whatever the Content-Type says (curl -d sends a
  // form type); other operations only when they declare JSON.
  const bool json_body = api_call.inspected || (is_json(request) && !request.body().empty());
  if (json_body) {
    auto facts = api::inspect_json_body(request.body());
    if (auto* error = std::get_if<ApiError>(&facts)) {
      if (audit_ && audit_->records_bodies()) record.request_body = json::string(request.body());
      co_return co_await refuse(exchange, call, *error, gateway_error);
    }
    model_field = std::get<api::BodyFacts>(facts).model;
    stream = std::get<api::BodyFacts>(facts).stream;
  } else if (is_multipart(request)) {
    model_field = api::multipart_model(request[bhttp::field::content_type], request.body());
  }
  // The parsed request feeds the audit record and usage estimates.
  json::value request_json;
  if (audit_ && json_body) {
    boost::system::error_code ec;
    request_json = parse_json(request.body(), ec);
    if (ec) request_json = json::string(request.body());
  }
  if (const auto* object = request_json.if_object())
    if (const auto* user = object->if_contains("user"); user && user->is_string())
      record.end_user = user->as_string();
  record.stream = stream;
  if (audit_ && audit_->records_bodies())
    record.request_body = json_body ? request_json : recorded_text(request);

  auto routed = router_.choose(api_call, model_field ? std::string_view(model_field->value) : "");
  if (auto* error = std::get_if<ApiError>(&routed))
    co_return co_await refuse(exchange, call, *error, gateway_error);
  const auto& route = std::get<RouteChoice>(routed);
  record.model = route.model ? route.model->name : "";
  if (route.model)
    if (auto denied = identity_.access().may_use(record.identity, route.model->name))
      co_return co_await refuse(exchange, call, refusal(*denied, exchange), gateway_error);
  auto& balancer = failover_.balancer();
  Attempts attempts(failover_,
                    route.model ? balancer.pool(*route.model) : balancer.model_less_pool(), record,
                    exchange);
  if (auto refusal = attempts.begin())
    co_return co_await refuse(exchange, call, *refusal, gateway_error);

  bool admitted = co_await record_request(call);
  if (!admitted) {
    call.outcome = Outcome::gateway_error;
    co_await exchange.send_error(
        unavailable("The audit spool is full, and this gateway refuses calls it cannot record. "
                    "Retry later."));
    co_return;
  }

  // Each attempt's request, rewritten for the backend and deployment that take it: path,
  // api-version, the body's model, the backend's credential, and, for exact usage on streams, a
  // usage chunk the client did not ask for (hidden from it again by the account stage).
  auto prepare = [&](const BackendConfig& backend, std::string_view deployment,
                     const identity::UpstreamCredential& credential, bool last) {
    UpstreamRequest out;
    std::string body = last ? std::move(request.body()) : request.body();
    if (model_field && !deployment.empty() && model_field->value != deployment &&
        api::body_names_deployment(api_call, backend))
      api::replace_model(body, *model_field, deployment);
    if (stream && audit_ &&
        (api_call.operation == "chat/completions" || api_call.operation == "completions") &&
        usage::accepts_stream_options(backend.kind, upstream_api_version(api_call, backend),
                                      backend.stream_usage)) {
      if (auto changed = usage::add_include_usage(body)) {
        body = std::move(*changed);
        out.hide_usage = true;
      }
    }
    out.message = upstream_request(request, std::move(body),
                                   api::upstream_target(api_call, backend, deployment), backend,
                                   credential, record.client_ip);
    return out;
  };
  auto result = co_await attempts.run(prepare);
  if (std::holds_alternative<ClientLeft>(result)) {
    call.outcome = Outcome::client_aborted;
    record.error = "the client went away before the backend answered";
    exchange.abort();
    co_return co_await record_response(call);
  }
  if (auto* refusal = std::get_if<Refusal>(&result))
    co_return co_await refuse(exchange, call, refusal->error, refusal->outcome);
  auto& answer = std::get<Answer>(result);
  static const std::vector<Price> unpriced;  // model-less pass-through calls
  Account account(record, *answer.call, audit_, answer.hide_usage, request_json,
                  route.model ? route.model->prices : unpriced);
  call.outcome = co_await stream_back(exchange, *answer.call, account);
  if (call.outcome == Outcome::upstream_error || call.outcome == Outcome::timeout)
    answer.lease.report_broken("the answer broke after it began");
}

}  // namespace tollgate::gateway
