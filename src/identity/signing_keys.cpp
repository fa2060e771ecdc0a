#include "identity/signing_keys.h"

#include <spdlog/spdlog.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>

#include "core/json.h"
#include "http/use_result.h"

namespace tollgate::identity {

namespace net = boost::asio;
namespace json = boost::json;

namespace {

// Retry delays while the provider cannot be reached: doubling from 1 s to at most 60 s, or
// the refresh interval when that is shorter.
constexpr std::chrono::seconds first_retry{1};
constexpr std::chrono::seconds max_retry{60};

json::value parse_answer(const http::FetchResult& answer, std::string& error) {
  if (!answer.error.empty()) {
    error = answer.error;
    return nullptr;
  }
  if (answer.status != 200) {
    error = "answered HTTP " + std::to_string(answer.status);
    return nullptr;
  }
  boost::system::error_code ec;
  auto value = parse_json(answer.body, ec);
  if (ec || !value.is_object()) error = "answered something that is not a JSON object";
  return value;
}

}  // namespace

const PublicKey* KeySet::find(const std::string& kid) const {
  if (kid.empty()) return keys.size() == 1 ? &keys.front() : nullptr;
  for (const auto& key : keys)
    if (key.kid() == kid) return &key;
  return nullptr;
}

SigningKeys::SigningKeys(net::any_io_executor executor, http::Fetcher& fetcher,
                         const JwtIssuerConfig& source, const JwtConfig& config)
    : executor_(executor),
      fetcher_(fetcher),
      source_(source),
      config_(config),
      url_(source.discovery_url.empty() ? source.jwks_url : source.discovery_url),
      fetch_done_(executor),
      schedule_(executor) {}

void SigningKeys::start() { net::co_spawn(executor_, refresh_loop(), net::detached); }

std::shared_ptr<const KeySet> SigningKeys::current() const {
  std::lock_guard lock(mutex_);
  return keys_;
}

std::size_t SigningKeys::fetch_count() const {
  std::lock_guard lock(mutex_);
  return fetches_;
}

net::awaitable<std::shared_ptr<const KeySet>> SigningKeys::refetch_for_unknown_kid() {
  co_return co_await net::co_spawn(executor_, refetch_on_loop(), net::use_awaitable);
}

net::awaitable<std::shared_ptr<const KeySet>> SigningKeys::refetch_on_loop() {
  auto now = std::chrono::steady_clock::now();
  const bool allowed = last_kid_refetch_ == std::chrono::steady_clock::time_point{} ||
                       now - last_kid_refetch_ >= config_.unknown_kid_refetch;
  if (fetching_ || allowed) {
    if (!fetching_) last_kid_refetch_ = now;
    co_await fetch();
  }
  co_return current();
}

net::awaitable<void> SigningKeys::refresh_loop() {
  auto retry = first_retry;
  for (;;) {
    bool stored = co_await fetch();
    std::chrono::steady_clock::duration wait = config_.keys_refresh;
    if (!stored) {
      wait = std::min<std::chrono::steady_clock::duration>(retry, config_.keys_refresh);
      retry = std::min(retry * 2, max_retry);
    } else {
      retry = first_retry;
    }
    schedule_.expires_after(wait);
    auto [ec] = co_await schedule_.async_wait(use_result);
    if (ec == net::error::operation_aborted) co_return;
  }
}

net::awaitable<bool> SigningKeys::fetch() {
  if (fetching_) {
    auto [ec] = co_await fetch_done_.async_wait(use_result);
    (void)ec;  // cancelled when the fetch under way ends: the normal wake-up
    co_return current() != nullptr;
  }
  fetching_ = true;
  fetch_done_.expires_at(std::chrono::steady_clock::time_point::max());
  auto keys = std::make_shared<KeySet>();
  auto error = co_await fetch_into(*keys);
  fetching_ = false;
  fetch_done_.cancel();
  std::size_t cached = 0;
  {
    std::lock_guard lock(mutex_);
    ++fetches_;
    if (error.empty()) keys_ = std::move(keys);
    cached = keys_ ? keys_->keys.size() : 0;
  }
  if (!error.empty()) {
    spdlog::warn("signing keys fetch failed url={} error=\"{}\" cached_keys={}", url_, error,
                 cached);
    co_return false;
  }
  spdlog::info("signing keys fetched url={} keys={}", url_, cached);
  co_return true;
}

net::awaitable<std::string> SigningKeys::fetch_into(KeySet& keys) {
  http::FetchRequest request;
  request.timeout = config_.fetch_timeout;
  request.ca_file = source_.ca_file;
  request.url = source_.jwks_url;
  std::string error;
  if (!source_.discovery_url.empty()) {
    request.url = source_.discovery_url;
    auto discovery = parse_answer(co_await fetcher_.fetch(request), error);
    if (!error.empty()) co_return "discovery " + source_.discovery_url + " " + error;
    const auto* jwks_uri = discovery.as_object().if_contains("jwks_uri");
    if (!jwks_uri || !jwks_uri->is_string())
      co_return "discovery " + source_.discovery_url + " names no jwks_uri";
    request.url = jwks_uri->as_string();
  }
  auto jwks = parse_answer(co_await fetcher_.fetch(request), error);
  if (!error.empty()) co_return "JWKS " + request.url + " " + error;
  const auto* list = jwks.as_object().if_contains("keys");
  if (!list || !list->is_array()) co_return "JWKS " + request.url + " has no keys array";
  for (const auto& entry : list->as_array()) {
    if (!entry.is_object()) continue;
    auto key = PublicKey::from_jwk(entry.as_object());
    if (auto* why = std::get_if<std::string>(&key)) {
      spdlog::debug("signing key skipped url={} reason=\"{}\"", request.url, *why);
      continue;
    }
    keys.keys.push_back(std::move(std::get<PublicKey>(key)));
  }
  if (keys.keys.empty()) co_return "JWKS " + request.url + " holds no usable signing key";
  keys.fetched = std::chrono::steady_clock::now();
  co_return std::string{};
}

}  // namespace tollgate::identity
