#include "gateway/admin.h"

#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>

#include "http/use_result.h"

namespace tollgate::gateway {

namespace json = boost::json;
namespace bhttp = boost::beast::http;

namespace {

http::Response json_response(bhttp::status status, const json::value& body) {
  http::Response response{status, 11};
  response.set(bhttp::field::content_type, "application/json");
  response.body() = json::serialize(body);
  return response;
}

std::string_view path_of(std::string_view target) { return target.substr(0, target.find('?')); }

http::Response healthy() {
  return json_response(bhttp::status::ok, json::object{{"status", "ok"}});
}

}  // namespace

Admin::Admin(net::any_io_executor executor, const Config& config,
             const identity::IdentityService& identity, const balance::Balancer& balancer)
    : config_(config), identity_(identity), balancer_(balancer), resolver_(executor) {}

bool Admin::is_probe(std::string_view path) { return path == "/healthz" || path == "/readyz"; }

net::awaitable<bool> Admin::serve(http::Exchange& exchange, const AuthVerdict& verdict) {
  auto& request = exchange.request();
  auto path = path_of(request.target());
  const bool get = request.method() == bhttp::verb::get;
  const bool admin = path.starts_with("/admin/");
  if (!is_probe(path) && !admin && path != "/v1/models" && path != "/openai/v1/models")
    co_return false;
  // Anyone may probe; the model list needs a caller, the admin endpoints an operator
  // (auth.admin). The gateway's own /admin namespace is never passed through to a backend.
  const auto* caller = std::get_if<identity::Identity>(&verdict);
  if (!is_probe(path) && !caller) {
    co_await exchange.send_error(refusal(std::get<identity::AuthFailure>(verdict), exchange));
    co_return true;
  }
  if (admin) {
    if (auto denied = identity_.access().may_administer(*caller)) {
      co_await exchange.send_error(refusal(*denied, exchange));
      co_return true;
    }
    if (path != "/admin/backends") {
      co_await exchange.send_error(not_found("There is no gateway endpoint at this path."));
      co_return true;
    }
  }
  if (!get) {
    co_await exchange.send_error(method_not_allowed(request.method_string(), path));
    co_return true;
  }
  http::Response response;
  if (path == "/healthz")
    response = healthy();
  else if (path == "/readyz")
    response = co_await readiness();
  else if (admin)
    response = json_response(bhttp::status::ok, balancer_.snapshot());
  else
    response = models(*caller);
  co_await exchange.send(std::move(response));
  co_return true;
}

net::awaitable<http::Response> Admin::readiness() {
  json::object failures;
  for (const auto& backend : config_.backends) {
    auto [ec, endpoints] = co_await resolver_.async_resolve(backend.host, backend.port, use_result);
    if (ec) failures[backend.name] = "cannot resolve " + backend.host + ": " + ec.message();
  }
  // Without signing keys no token can be checked: not ready to take traffic.
  const bool keys = identity_.ready();
  if (failures.empty() && keys)
    co_return json_response(bhttp::status::ok, json::object{{"status", "ready"}});
  json::object body{{"status", "not_ready"}};
  if (!failures.empty()) body["backends"] = std::move(failures);
  if (!keys) body["auth"] = "the token issuers' signing keys have not been fetched yet";
  co_return json_response(bhttp::status::service_unavailable, body);
}

http::Response Admin::models(const identity::Identity& caller) const {
  json::array data;
  for (const auto& model : config_.models)
    if (!identity_.access().may_use(caller, model.name))
      data.push_back(json::object{
          {"id", model.name}, {"object", "model"}, {"created", 0}, {"owned_by", "tollgate"}});
  json::object body{{"object", "list"}};
  body["data"] = std::move(data);
  return json_response(bhttp::status::ok, body);
}

}  // namespace tollgate::gateway
