#include "identity/token_provider.h"

#include <spdlog/spdlog.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>
#include <boost/url/encode.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>
#include <charconv>

#include "core/json.h"
#include "http/use_result.h"

namespace tollgate::identity {

namespace net = boost::asio;
namespace json = boost::json;
namespace bhttp = boost::beast::http;

namespace {

// A token is renewed in the background when less than `renew_before` (or half its lifetime,
// for short ones) remains; calls keep using it meanwhile. Once less than `stop_before` (or a
// tenth of its lifetime) remains it is no longer handed out, and calls wait for a new one.
constexpr std::chrono::minutes renew_before{5};
constexpr std::chrono::seconds stop_before{30};

std::chrono::system_clock::duration lifetime(const AccessToken& token) {
  return token.expires - token.obtained;
}

bool usable(const AccessToken& token, std::chrono::system_clock::time_point now) {
  auto margin = std::min<std::chrono::system_clock::duration>(stop_before, lifetime(token) / 10);
  return !token.value.empty() && token.expires - now > margin;
}

std::string encoded(std::string_view text) {
  return boost::urls::encode(text, boost::urls::unreserved_chars);
}

std::optional<long long> number_member(const json::object& object, std::string_view name) {
  const auto* value = object.if_contains(name);
  if (!value) return std::nullopt;
  if (value->is_int64()) return value->as_int64();
  if (value->is_uint64()) return static_cast<long long>(value->as_uint64());
  if (value->is_double()) return static_cast<long long>(value->as_double());
  if (value->is_string()) {
    const auto& text = value->as_string();
    long long out = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    if (ec == std::errc{} && end == text.data() + text.size()) return out;
  }
  return std::nullopt;
}

// The resource a managed-identity endpoint takes: the scope without its "/.default".
std::string resource_of(std::string scope) {
  constexpr std::string_view suffix = "/.default";
  if (scope.size() > suffix.size() && scope.ends_with(suffix))
    scope.resize(scope.size() - suffix.size());
  return scope;
}

bool renewal_due(const AccessToken& token, std::chrono::system_clock::time_point now) {
  if (token.value.empty()) return true;
  auto threshold = std::min<std::chrono::system_clock::duration>(renew_before, lifetime(token) / 2);
  return token.expires - now < threshold;
}

}  // namespace

std::variant<AccessToken, std::string> read_token_answer(
    std::string_view body, std::chrono::system_clock::time_point now) {
  boost::system::error_code ec;
  auto value = parse_json(body, ec);
  if (ec || !value.is_object()) return std::string("the token endpoint's answer is not JSON");
  const auto& object = value.as_object();
  const auto* token = object.if_contains("access_token");
  if (!token || !token->is_string() || token->as_string().empty())
    return std::string("the token endpoint's answer has no access_token");
  AccessToken out;
  out.value = token->as_string();
  out.obtained = now;
  if (auto in = number_member(object, "expires_in"))
    out.expires = now + std::chrono::seconds(*in);
  else if (auto on = number_member(object, "expires_on"))
    out.expires = std::chrono::system_clock::time_point(std::chrono::seconds(*on));
  else
    return std::string("the token endpoint's answer says neither expires_in nor expires_on");
  return out;
}

TokenProvider::TokenProvider(net::any_io_executor executor, http::Fetcher& fetcher,
                             const CredentialConfig& credential, std::string backend)
    : executor_(executor),
      fetcher_(fetcher),
      credential_(credential),
      backend_(std::move(backend)),
      fetch_done_(executor) {}

void TokenProvider::start() {
  net::co_spawn(
      executor_, [this]() -> net::awaitable<void> { co_await fetch(); }, net::detached);
}

std::size_t TokenProvider::fetch_count() const {
  std::lock_guard lock(mutex_);
  return fetches_;
}

net::awaitable<std::variant<AccessToken, std::string>> TokenProvider::token() {
  AccessToken cached;
  {
    std::lock_guard lock(mutex_);
    cached = token_;
  }
  auto now = std::chrono::system_clock::now();
  if (!renewal_due(cached, now)) co_return cached;
  co_return co_await net::co_spawn(executor_, token_on_loop(), net::use_awaitable);
}

net::awaitable<std::variant<AccessToken, std::string>> TokenProvider::token_on_loop() {
  AccessToken cached;
  {
    std::lock_guard lock(mutex_);
    cached = token_;
  }
  if (usable(cached, std::chrono::system_clock::now())) {
    // Still good for a while: renew in the background and answer at once.
    if (!fetching_)
      net::co_spawn(
          executor_, [this]() -> net::awaitable<void> { co_await fetch(); }, net::detached);
    co_return cached;
  }
  auto error = co_await fetch();
  {
    std::lock_guard lock(mutex_);
    cached = token_;
  }
  if (usable(cached, std::chrono::system_clock::now())) co_return cached;
  co_return error.empty() ? last_error_ : error;
}

http::FetchRequest TokenProvider::token_request() const {
  http::FetchRequest request;
  request.ca_file = credential_.ca_file;
  const std::string separator = credential_.token_url.find('?') == std::string::npos ? "?" : "&";
  if (credential_.type == CredentialConfig::Type::entra_client_credentials) {
    request.method = bhttp::verb::post;
    request.url = credential_.token_url;
    request.content_type = "application/x-www-form-urlencoded";
    request.body = "grant_type=client_credentials&client_id=" + encoded(credential_.client_id) +
                   "&client_secret=" + encoded(credential_.secret) +
                   "&scope=" + encoded(credential_.scope);
    return request;
  }
  // Managed identity: App Service style when the host gave an identity header, else IMDS.
  const bool app_service = !credential_.identity_header.empty();
  request.url = credential_.token_url + separator +
                "api-version=" + (app_service ? "2019-08-01" : "2018-02-01") +
                "&resource=" + encoded(resource_of(credential_.scope));
  if (!credential_.client_id.empty()) request.url += "&client_id=" + encoded(credential_.client_id);
  if (app_service)
    request.headers.emplace_back("X-IDENTITY-HEADER", credential_.identity_header);
  else
    request.headers.emplace_back("Metadata", "true");
  return request;
}

net::awaitable<std::string> TokenProvider::fetch() {
  if (fetching_) {
    auto [ec] = co_await fetch_done_.async_wait(use_result);
    (void)ec;  // cancelled when the fetch under way ends: the normal wake-up
    co_return std::string{};
  }
  fetching_ = true;
  fetch_done_.expires_at(std::chrono::steady_clock::time_point::max());
  auto answer = co_await fetcher_.fetch(token_request());
  std::string error = answer.error;
  if (error.empty() && answer.status != 200)
    error = "the token endpoint answered HTTP " + std::to_string(answer.status);
  std::variant<AccessToken, std::string> read = std::string{};
  if (error.empty()) {
    read = read_token_answer(answer.body, std::chrono::system_clock::now());
    if (auto* why = std::get_if<std::string>(&read)) error = *why;
  }
  {
    std::lock_guard lock(mutex_);
    ++fetches_;
    if (error.empty()) token_ = std::get<AccessToken>(std::move(read));
  }
  last_error_ = error;
  fetching_ = false;
  fetch_done_.cancel();
  if (!error.empty())
    spdlog::warn("backend token fetch failed backend={} endpoint={} error=\"{}\"", backend_,
                 credential_.token_url.substr(0, credential_.token_url.find('?')), error);
  else
    spdlog::info("backend token fetched backend={}", backend_);
  co_return error;
}

}  // namespace tollgate::identity
