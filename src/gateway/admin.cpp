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

Admin::Admin(net::any_io_executor executor, const Config& config, const balance::Balancer& balancer)
    : config_(config), balancer_(balancer), resolver_(executor) {}

net::awaitable<bool> Admin::serve(http::Exchange& exchange) {
  auto& request = exchange.request();
  auto path = path_of(request.target());
  const bool get = request.method() == bhttp::verb::get;
  if (path == "/healthz" || path == "/readyz" || path == "/v1/models" ||
      path == "/openai/v1/models" || path == "/admin/backends") {
    if (!get) {
      co_await exchange.send_error(method_not_allowed(request.method_string(), path));
      co_return true;
    }
    http::Response response;
    if (path == "/healthz")
      response = healthy();
    else if (path == "/readyz")
      response = co_await readiness();
    else if (path == "/admin/backends")
      response = json_response(bhttp::status::ok, balancer_.snapshot());
    else
      response = models();
    co_await exchange.send(std::move(response));
    co_return true;
  }
  // The gateway's own namespace is never passed through to a backend.
  if (path.starts_with("/admin/")) {
    co_await exchange.send_error(not_found("There is no gateway endpoint at this path."));
    co_return true;
  }
  co_return false;
}

net::awaitable<http::Response> Admin::readiness() {
  json::object failures;
  for (const auto& backend : config_.backends) {
    auto [ec, endpoints] = co_await resolver_.async_resolve(backend.host, backend.port, use_result);
    if (ec) failures[backend.name] = "cannot resolve " + backend.host + ": " + ec.message();
  }
  if (failures.empty())
    co_return json_response(bhttp::status::ok, json::object{{"status", "ready"}});
  json::object body{{"status", "not_ready"}};
  body["backends"] = std::move(failures);
  co_return json_response(bhttp::status::service_unavailable, body);
}

http::Response Admin::models() const {
  json::array data;
  for (const auto& model : config_.models)
    data.push_back(json::object{
        {"id", model.name}, {"object", "model"}, {"created", 0}, {"owned_by", "tollgate"}});
  json::object body{{"object", "list"}};
  body["data"] = std::move(data);
  return json_response(bhttp::status::ok, body);
}

}  // namespace tollgate::gateway
