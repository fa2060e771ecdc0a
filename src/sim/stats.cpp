#include "sim/stats.h"

#include <boost/json.hpp>
#include <cctype>

#include "sim/digest.h"

namespace tollgate::sim {

namespace json = boost::json;

std::uint64_t Stats::record(const http::Request& request) {
  ++requests_;
  Entry entry{std::string(request.method_string()),
              std::string(request.target()),
              {},
              request.body().size(),
              sha256_hex(request.body())};
  entry.headers.reserve(16);
  for (const auto& field : request) {
    std::string name(field.name_string());
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    entry.headers.emplace_back(std::move(name), std::string(field.value()));
  }
  {
    std::lock_guard lock(mutex_);
    if (log_.size() == kLogSize) log_.pop_front();
    log_.push_back(std::move(entry));
  }
  return ++serial_;
}

void Stats::connection_opened() {
  ++connections_open_;
  ++connections_total_;
}

std::string Stats::counters_json() const {
  return json::serialize(json::object{{"requests", requests_.load()},
                                      {"streams_started", streams_started_.load()},
                                      {"streams_completed", streams_completed_.load()},
                                      {"streams_aborted", streams_aborted_.load()},
                                      {"connections_open", connections_open_.load()},
                                      {"connections_total", connections_total_.load()}});
}

std::string Stats::requests_json() const {
  json::array requests;
  std::lock_guard lock(mutex_);
  for (const auto& entry : log_) {
    json::object headers;
    for (const auto& [name, value] : entry.headers) {
      // A repeated header is reported once, its values joined as RFC 9110 allows.
      auto [it, inserted] = headers.emplace(name, value);
      if (!inserted) {
        auto joined = std::string(it->value().get_string()) + ", " + value;
        it->value() = joined;
      }
    }
    requests.push_back({{"method", entry.method},
                        {"target", entry.target},
                        {"headers", std::move(headers)},
                        {"body_bytes", entry.body_bytes},
                        {"body_sha256", entry.body_sha256}});
  }
  return json::serialize(requests);
}

void Stats::reset() {
  requests_ = 0;
  streams_started_ = 0;
  streams_completed_ = 0;
  streams_aborted_ = 0;
  connections_total_ = 0;
  std::lock_guard lock(mutex_);
  log_.clear();
}

}  // namespace tollgate::sim
