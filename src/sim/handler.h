// The simulator's request handler: routes a request, applies its faults and answers it. One
// Handler per event loop; all of them share the Stats.
//
// Lifetime: `options` and `stats` must outlive the handler.
#pragma once

#include <boost/asio/awaitable.hpp>

#include "http/exchange.h"
#include "http/server.h"
#include "sim/delivery.h"
#include "sim/faults.h"
#include "sim/routes.h"
#include "sim/simulator.h"
#include "sim/stats.h"

namespace tollgate::sim {

namespace net = boost::asio;

class Handler final : public http::Handler {
 public:
  Handler(const SimOptions& options, Stats& stats) : options_(options), stats_(stats) {}

  net::awaitable<void> serve(http::Exchange& exchange) override;
  void connection_opened() override { stats_.connection_opened(); }
  void connection_closed() override { stats_.connection_closed(); }

 private:
  net::awaitable<void> answer(http::Exchange& exchange);
  // Answers a chat, completions, responses or embeddings request.
  net::awaitable<void> operation(http::Exchange& exchange, const Route& route, std::uint64_t serial,
                                 const Faults& faults, Delivery& delivery);

  const SimOptions& options_;
  Stats& stats_;
};

}  // namespace tollgate::sim
