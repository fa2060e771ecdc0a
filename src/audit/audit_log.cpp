#include "audit/audit_log.h"

#include <spdlog/spdlog.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "audit/sink_shaper.h"

namespace tollgate::audit {

namespace net = boost::asio;

namespace {

SpoolOptions spool_options(const AuditConfig& config) {
  SpoolOptions options;
  options.dir = config.spool;
  options.max_bytes = config.spool_max_bytes;
  options.segment_bytes = config.spool_segment_bytes;
  options.fsync_interval = config.fsync_interval;
  options.when_full = config.when_full == AuditConfig::WhenFull::drop
                          ? SpoolOptions::WhenFull::drop
                          : SpoolOptions::WhenFull::reject;
  return options;
}

}  // namespace

AuditLog::AuditLog(const AuditConfig& config, GatewayInfo gateway)
    : config_(config), gateway_(std::move(gateway)), masker_(config.mask) {
  std::vector<std::string> names;
  for (const auto& sink : config.sinks) names.push_back(sink.name);
  spool_ = Spool::open(spool_options(config), names);
  for (const auto& sink : config.sinks) {
    SinkWorkerOptions options;
    options.name = sink.name;
    workers_.push_back(std::make_unique<SinkWorker>(options, spool_->reader(sink.name),
                                                    make_sink(sink), SinkShaper(sink)));
  }
}

AuditLog::~AuditLog() { stop(std::chrono::milliseconds(0)); }

void AuditLog::stop(std::chrono::milliseconds grace) {
  if (stopped_) return;
  stopped_ = true;
  for (auto& worker : workers_) worker->stop(grace);
  spool_->close();
}

net::awaitable<boost::system::error_code> AuditLog::append(std::string event,
                                                           Spool::Admission admission) {
  auto [ec] =
      co_await spool_->async_append(std::move(event), admission, net::as_tuple(net::use_awaitable));
  if (ec && ec != SpoolError::full && ec != SpoolError::dropped)
    spdlog::error("audit: an event could not be spooled: {}", ec.message());
  co_return ec;
}

net::awaitable<boost::system::error_code> AuditLog::record_request(CallRecord& call) {
  masker_.apply(call.request_body);
  co_return co_await append(request_event(call, gateway_), Spool::Admission::may_refuse);
}

net::awaitable<boost::system::error_code> AuditLog::record_response(CallRecord& call) {
  masker_.apply(call.response_body);
  co_return co_await append(response_event(call, gateway_), Spool::Admission::must_keep);
}

}  // namespace tollgate::audit
