// The simulator's request handler: routes a request, applies its faults and answers it. One
// Handler per event loop; all of them share the Stats and the DefaultFaults.
//
// Lifetime: `options`, `defaults` and `stats` must outlive the handler.
#pragma once

#include <boost/asio/awaitable.hpp>

#include "http/exchange.h"
#include "http/server.h"
#include "sim/default_faults.h"
#include "sim/delivery.h"
#include "sim/faults.h"
#include "sim/routes.h"
#include "sim/simulator.h"
#include "sim/stats.h"

namespace tollgate::sim {

namespace net = boost::asio;

class Handler final : public http::Handler {
 public:
  Handler(const SimOptions& options, DefaultFaults& defaults, Stats& stats)
      : options_(options), defaults_(defaults), stats_(stats) {}

  net::awaitable<void> serve(http::Exchange& exchange) override;
  void connection_opened() override { stats_.connection_opened(); }
  void connection_closed() override { stats_.connection_closed(); }

 private:
  net::awaitable<void> answer(http::Exchange& exchange);
  // Answers a chat, completions, responses or embeddings request.
  net::awaitable<void> operation(http::Exchange& exchange, const Route& route, std::uint64_t serial,
                                 const Faults& faults, Delivery& delivery);

  // GET /sim/faults shows the default faults; PUT replaces them with a JSON object's.
  net::awaitable<void> default_faults(http::Exchange& exchange);

  const SimOptions& options_;
  DefaultFaults& defaults_;
  Stats& stats_;
};

}  // namespace tollgate::sim
