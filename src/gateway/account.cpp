#include "gateway/account.h"

#include <boost/beast/core/string.hpp>
#include <boost/json.hpp>
#include <charconv>

#include "core/clock.h"
#include "core/json.h"
#include "http/sse.h"
#include "usage/cost.h"
#include "usage/estimate.h"
#include "usage/include_usage.h"
#include "usage/usage.h"

namespace tollgate::gateway {

namespace bhttp = boost::beast::http;
namespace json = boost::json;

namespace {

// Bodies kept for the record are bounded so that a huge download cannot exhaust memory; the
// audit records the byte count either way and marks what it could not keep.
constexpr std::size_t max_kept_body = 64 * 1024 * 1024;

std::optional<double> header_number(const bhttp::response_header<>& header, std::string_view name) {
  auto text = header[name];
  double value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc{}) return std::nullopt;
  return value;
}

}  // namespace

Account::Account(audit::CallRecord& record, const UpstreamCall& call, audit::AuditLog* audit,
                 bool hide_usage, const json::value& request_body, const std::vector<Price>& prices)
    : record_(record),
      call_(call),
      audit_(audit),
      hide_usage_(hide_usage),
      request_body_(request_body),
      prices_(prices),
      upstream_sent_(call.started()) {}

void Account::on_header(const bhttp::response_header<>& header) {
  record_.status = header.result_int();
  record_.upstream_ttfb_ms = millis_between(upstream_sent_, std::chrono::steady_clock::now());
  record_.region = header["x-ms-region"];
  record_.model_time_ms = header_number(header, "openai-processing-ms");
  auto type = header[bhttp::field::content_type];
  if (boost::beast::iequals(type.substr(0, 17), "text/event-stream")) {
    if (audit_) stream_.emplace(record_.operation);
    record_.chunks = 0;
  } else {
    json_body_ = boost::beast::iequals(type.substr(0, 16), "application/json");
  }
}

std::string_view Account::on_event(std::string_view event) {
  record_.response_bytes += event.size();
  // Without an audit log nothing reads the record's usage or body: the stream passes as is
  // (hide_usage is only ever set when auditing).
  if (!audit_) return event;
  std::string data = http::sse_data(event);
  if (!record_.time_to_first_token_ms && !data.empty())
    record_.time_to_first_token_ms =
        millis_between(upstream_sent_, std::chrono::steady_clock::now());
  stream_->feed(data);
  if (!hide_usage_) return event;
  if (usage::is_usage_only_chunk(data)) return {};
  rewritten_ = usage::without_null_usage(event);
  return rewritten_;
}

void Account::on_body(std::string_view piece) {
  record_.response_bytes += piece.size();
  if (audit_ && body_.size() + piece.size() <= max_kept_body) body_.append(piece);
}

void Account::settle(Outcome outcome) {
  record_.outcome = std::string(to_string(outcome));
  usage::Usage usage;
  json::value result;
  if (stream_) {
    result = stream_->result();
    usage = stream_->usage();
    record_.chunks = stream_->chunks();
    if (auto model = stream_->served_model()) record_.served_model = *model;
  } else if (json_body_ && body_.size() == record_.response_bytes) {
    boost::system::error_code ec;
    result = parse_json(body_, ec);
    if (ec) result = json::string(body_);
    usage = usage::usage_from_body(result);
    if (const auto* object = result.if_object())
      if (const auto* model = object->if_contains("model"); model && model->is_string())
        record_.served_model = model->as_string();
  } else if (!body_.empty() && body_.size() == record_.response_bytes) {
    result = json::string(body_);
  }
  // Where the backend reported no usage for an answer it produced (an old api-version, a
  // broken or abandoned stream), the record carries an estimate, marked as such.
  bool produced = record_.status >= 200 && record_.status < 300;
  if (usage.source == usage::Usage::Source::none && produced)
    usage = usage::estimate_usage(request_body_, result, record_.operation);
  record_.usage =
      usage.source == usage::Usage::Source::none ? json::value(nullptr) : usage::to_json(usage);
  // Priced at the price in effect when the call came in, whoever answered it.
  if (auto cost = usage::call_cost(prices_, record_.received_at, usage)) {
    record_.cost_amount = cost->amount;
    record_.cost_currency = std::move(cost->currency);
  }
  if (audit_->records_bodies()) record_.response_body = std::move(result);
}

net::awaitable<void> Account::on_complete(Outcome outcome, std::string_view error) {
  if (!audit_) co_return;  // the record is only for the audit log
  settle(outcome);
  if (!error.empty()) record_.error = error;
  auto now = std::chrono::steady_clock::now();
  record_.duration_ms = millis_between(record_.received, now);
  auto waited = std::chrono::duration<double, std::milli>(call_.waited()).count();
  // Earlier attempts (failed over) were waits on backends too.
  double waited_before = 0;
  for (std::size_t i = 0; i + 1 < record_.attempts.size(); ++i)
    waited_before += record_.attempts[i].duration_ms;
  record_.gateway_overhead_us =
      std::max(0.0, (record_.duration_ms - waited - waited_before) * 1000.0);
  if (!record_.attempts.empty()) {
    auto& attempt = record_.attempts.back();
    attempt.status = record_.status;
    attempt.duration_ms = waited;
    attempt.error = record_.error;
  }
  co_await audit_->record_response(record_);
}

}  // namespace tollgate::gateway
