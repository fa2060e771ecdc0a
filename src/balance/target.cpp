#include "balance/target.h"

#include <spdlog/spdlog.h>

#include <boost/json/string.hpp>
#include <boost/json/value.hpp>
#include <utility>

namespace tollgate::balance {

namespace {

// How long a target whose health check failed is expected to stay away: until the next check.
std::chrono::milliseconds down_wait(const BackendConfig& backend) {
  return backend.health_check.interval;
}

boost::json::value text_or_null(const std::string& text) {
  if (text.empty()) return nullptr;
  return boost::json::string(text);
}

long long millis(Target::Clock::duration duration) {
  return std::chrono::ceil<std::chrono::milliseconds>(duration).count();
}

}  // namespace

Target::Target(const BackendConfig& backend, std::string deployment, const BreakerConfig& breaker)
    : backend_(backend), deployment_(std::move(deployment)), breaker_(breaker) {}

Target::Availability Target::availability(Clock::time_point now) const {
  std::lock_guard lock(mutex_);
  if (!healthy_) return {false, false, down_wait(backend_)};
  if (breaker_.available(now)) return {true, false, {}};
  auto state = breaker_.state(now);
  return {false, state == CircuitBreaker::State::cooling, breaker_.remaining(now)};
}

CircuitBreaker::Admission Target::admit(Clock::time_point now) {
  auto admission = CircuitBreaker::Admission::refused;
  {
    std::lock_guard lock(mutex_);
    if (!healthy_) return admission;
    admission = breaker_.admit(now);
    if (admission != CircuitBreaker::Admission::refused) ++attempts_;
    if (admission == CircuitBreaker::Admission::probe) ++probes_;
  }
  if (admission == CircuitBreaker::Admission::probe)
    spdlog::info("breaker=half_open backend={} deployment={} probe=sent", backend_.name,
                 deployment_);
  return admission;
}

void Target::report(const Verdict& verdict, bool probe, std::string_view error,
                    Clock::time_point now) {
  CircuitBreaker::Change change;
  std::string reason;
  Clock::duration wait;
  {
    std::lock_guard lock(mutex_);
    if (verdict.failure || verdict.cooldown) {
      ++failures_;
      last_error_ = error;
    }
    change = breaker_.record(verdict, probe, now);
    if (change == CircuitBreaker::Change::cooling) ++cooldowns_;
    if (change == CircuitBreaker::Change::opened) ++trips_;
    reason = breaker_.reason();
    wait = breaker_.remaining(now);
  }
  log_change(change, reason, wait);
}

void Target::report_broken(std::string_view error, Clock::time_point now) {
  CircuitBreaker::Change change;
  std::string reason;
  Clock::duration wait;
  {
    std::lock_guard lock(mutex_);
    ++failures_;
    last_error_ = error;
    change = breaker_.record_broken(now);
    if (change == CircuitBreaker::Change::opened) ++trips_;
    reason = breaker_.reason();
    wait = breaker_.remaining(now);
  }
  log_change(change, reason, wait);
}

void Target::abandon_probe() {
  std::lock_guard lock(mutex_);
  breaker_.abandon_probe();
}

void Target::set_healthy(bool healthy, std::string_view error) {
  bool changed;
  {
    std::lock_guard lock(mutex_);
    changed = healthy_ != healthy;
    healthy_ = healthy;
    if (!healthy) last_error_ = error;
  }
  if (!changed) return;
  if (healthy)
    spdlog::info("health_check=up backend={} deployment={}", backend_.name, deployment_);
  else
    spdlog::warn("health_check=down backend={} deployment={} error=\"{}\"", backend_.name,
                 deployment_, error);
}

void Target::log_change(CircuitBreaker::Change change, const std::string& reason,
                        Clock::duration wait) const {
  switch (change) {
    case CircuitBreaker::Change::none:
      return;
    case CircuitBreaker::Change::cooling:
      spdlog::info("cooldown=start backend={} deployment={} cooldown_ms={}", backend_.name,
                   deployment_, millis(wait));
      return;
    case CircuitBreaker::Change::opened:
      spdlog::warn("breaker=open backend={} deployment={} open_ms={} reason=\"{}\"", backend_.name,
                   deployment_, millis(wait), reason);
      return;
    case CircuitBreaker::Change::closed:
      spdlog::info("breaker=closed backend={} deployment={}", backend_.name, deployment_);
      return;
  }
}

boost::json::object Target::snapshot(Clock::time_point now) const {
  std::lock_guard lock(mutex_);
  auto state = breaker_.state(now);
  auto remaining = millis(breaker_.remaining(now));
  boost::json::object out;
  out["backend"] = backend_.name;
  out["deployment"] = text_or_null(deployment_);
  out["state"] = to_string(state);
  out["available"] = healthy_ && breaker_.available(now);
  out["cooldown_remaining_ms"] = state == CircuitBreaker::State::cooling ? remaining : 0;
  out["open_remaining_ms"] = state == CircuitBreaker::State::open ? remaining : 0;
  out["healthy"] = healthy_;
  out["outstanding"] = outstanding.load();
  out["attempts"] = attempts_;
  out["failures"] = failures_;
  out["cooldowns"] = cooldowns_;
  out["trips"] = trips_;
  out["probes"] = probes_;
  out["reason"] = text_or_null(breaker_.reason());
  out["last_error"] = text_or_null(last_error_);
  return out;
}

Lease::Lease(Target& target, bool probe) : target_(&target), probe_(probe) { ++target.outstanding; }

Lease::Lease(Lease&& other) noexcept
    : target_(std::exchange(other.target_, nullptr)),
      probe_(other.probe_),
      reported_(other.reported_) {}

Lease& Lease::operator=(Lease&& other) noexcept {
  if (this != &other) {
    release();
    target_ = std::exchange(other.target_, nullptr);
    probe_ = other.probe_;
    reported_ = other.reported_;
  }
  return *this;
}

Lease::~Lease() { release(); }

void Lease::release() {
  if (!target_) return;
  --target_->outstanding;
  if (probe_ && !reported_) target_->abandon_probe();
  target_ = nullptr;
}

void Lease::report(const Verdict& verdict, std::string_view error) {
  if (!target_ || reported_) return;
  reported_ = true;
  target_->report(verdict, probe_, error, Target::Clock::now());
}

void Lease::report_broken(std::string_view error) {
  if (target_) target_->report_broken(error, Target::Clock::now());
}

}  // namespace tollgate::balance
