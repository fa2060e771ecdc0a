#include "gateway/failover.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <chrono>

namespace tollgate::gateway {

using namespace boost::asio::experimental::awaitable_operators;
using Clock = std::chrono::steady_clock;

namespace {

double millis(Clock::duration duration) {
  return std::chrono::duration<double, std::milli>(duration).count();
}

// Sets retry-after (whole seconds, rounded up, as RFC 9110 requires) and the precise
// retry-after-ms that the OpenAI SDKs prefer.
void set_retry_after(http::Exchange& exchange, Clock::duration wait) {
  auto ms = std::chrono::ceil<std::chrono::milliseconds>(wait).count();
  exchange.set_header("retry-after", std::to_string((ms + 999) / 1000));
  exchange.set_header("retry-after-ms", std::to_string(ms));
}

}  // namespace

http::UpstreamPool& Failover::connections(const BackendConfig& backend) {
  auto it = pools_.find(backend.name);
  if (it == pools_.end())
    it = pools_
             .emplace(backend.name, std::make_unique<http::UpstreamPool>(executor_, backend,
                                                                         tls_.for_backend(backend)))
             .first;
  return *it->second;
}

Attempts::Attempts(Failover& failover, balance::Pool& pool, audit::CallRecord& record,
                   http::Exchange& exchange)
    : failover_(failover),
      pool_(pool),
      record_(record),
      exchange_(exchange),
      tried_(pool.members().size(), false) {}

void Attempts::name_backend(const balance::Target& target) {
  record_.backend = target.backend().name;
  record_.backend_host = target.backend().host;
  record_.deployment = target.deployment();
  exchange_.set_header("x-tollgate-backend", target.backend().name);
}

std::optional<ApiError> Attempts::begin() {
  auto picked = pool_.pick(tried_, Clock::now());
  if (auto* pick = std::get_if<balance::Pool::Pick>(&picked)) {
    name_backend(*pool_.members()[pick->index].target);
    next_ = std::move(*pick);
    return std::nullopt;
  }
  const auto& exhausted = std::get<balance::Pool::Exhausted>(picked);
  set_retry_after(exchange_, exhausted.wait);
  auto seconds = std::chrono::ceil<std::chrono::seconds>(exhausted.wait).count();
  if (exhausted.cooling)
    return ApiError{429,
                    fmt::format("Every backend of model '{}' is rate-limited and asked the "
                                "gateway to wait. Retry after {} seconds.",
                                pool_.model(), seconds),
                    "requests",
                    {},
                    "rate_limit_exceeded"};
  return unavailable(fmt::format(
      "No backend of model '{}' is available: each is failing, cooling down or being probed. "
      "Retry after {} seconds.",
      pool_.model(), seconds));
}

bool Attempts::pick_next(bool last, Clock::time_point deadline, Clock::time_point now) {
  if (last || now >= deadline) return false;
  auto picked = pool_.pick(tried_, now);
  auto* next = std::get_if<balance::Pool::Pick>(&picked);
  if (!next) return false;
  next_ = std::move(*next);
  return true;
}

net::awaitable<FailoverResult> Attempts::run(const PrepareUpstream& prepare) {
  const auto& routing = failover_.balancer().routing();
  const auto& policy = failover_.balancer().retry_policy();
  const auto deadline = record_.received + routing.timeout;
  for (;;) {
    auto pick = std::move(*next_);
    next_.reset();
    tried_[pick.index] = true;
    const balance::Target& target = *pool_.members()[pick.index].target;
    const BackendConfig& backend = target.backend();
    name_backend(target);
    const bool last = record_.attempts.size() + 1 >= routing.max_attempts ||
                      std::find(tried_.begin(), tried_.end(), false) == tried_.end();
    auto credential =
        co_await failover_.credentials().for_call(backend, exchange_.request().base());
    if (auto* refused = std::get_if<ApiError>(&credential)) {
      // The backend was not called, so its breaker learns nothing; another backend may not
      // need what this one lacks.
      record_.attempts.push_back({backend.name, target.deployment(), 0, 0, refused->message});
      spdlog::warn("request_id={} backend={} attempt={} skipped: {}", record_.message_id,
                   backend.name, record_.attempts.size(), refused->message);
      if (pick_next(last, deadline, Clock::now())) continue;
      co_return Refusal{*refused, Outcome::gateway_error};
    }
    auto upstream = prepare(backend, target.deployment(),
                            std::get<identity::UpstreamCredential>(credential), last);
    auto call = std::make_unique<UpstreamCall>(failover_.connections(backend));
    record_.attempts.push_back({backend.name, target.deployment(), 0, 0, {}});

    // Until the backend answers, the client connection is quiet; if it closes, the wait is
    // abandoned so the backend stops working for nobody.
    auto abandon_if_client_leaves = [&]() -> net::awaitable<void> {
      bool gone = co_await exchange_.client_gone();
      if (gone) call->abandon();
    };
    auto sent = co_await (call->send(upstream.message, deadline) || abandon_if_client_leaves());
    auto& attempt = record_.attempts.back();
    attempt.duration_ms = millis(call->waited());
    if (sent.index() == 1) {
      attempt.error = "the client went away before the backend answered";
      co_return ClientLeft{};
    }

    auto ec = std::get<0>(sent);
    const auto now = Clock::now();
    const bool past_deadline = now >= deadline;
    if (ec) {
      attempt.error = ec.message();
      spdlog::warn("request_id={} backend={} deployment={} attempt={} failed before answering: {}",
                   record_.message_id, backend.name, target.deployment(), record_.attempts.size(),
                   ec.message());
      // Cut short by the call's own deadline, the attempt says nothing about the backend.
      if (!(ec == beast::error::timeout && past_deadline))
        pick.lease.report(balance::RetryPolicy::no_answer(), attempt.error);
    } else {
      attempt.status = call->header().result_int();
      auto verdict =
          policy.answered(attempt.status, call->header(), std::chrono::system_clock::now());
      pick.lease.report(verdict, verdict.failure || verdict.cooldown
                                     ? fmt::format("status {}", attempt.status)
                                     : std::string());
      if (!verdict.retry)
        co_return Answer{std::move(call), std::move(pick.lease), upstream.hide_usage};
      spdlog::info("request_id={} backend={} deployment={} attempt={} answered {}",
                   record_.message_id, backend.name, target.deployment(), record_.attempts.size(),
                   attempt.status);
    }

    if (pick_next(last, deadline, now)) {
      // The failed answer is dropped unread: closing its connection is cheaper than reading
      // a body the client will never see.
      call->abandon();
      continue;
    }
    // No attempt left: the client gets the last answer when there was one.
    if (!ec) co_return Answer{std::move(call), std::move(pick.lease), upstream.hide_usage};
    const auto tries = record_.attempts.size();
    const std::string tried_note =
        tries > 1 ? fmt::format(" ({} backends tried; this was the last)", tries) : "";
    if (ec == beast::error::timeout) {
      auto message = past_deadline
                         ? fmt::format("No backend answered within the call's deadline of {} ms{}.",
                                       routing.timeout.count(), tried_note)
                         : fmt::format("The backend '{}' did not answer within its timeout{}.",
                                       backend.name, tried_note);
      co_return Refusal{gateway_timeout(std::move(message)), Outcome::timeout};
    }
    co_return Refusal{bad_gateway(fmt::format("The backend '{}' could not be reached: {}{}",
                                              backend.name, ec.message(), tried_note)),
                      Outcome::upstream_error};
  }
}

}  // namespace tollgate::gateway
