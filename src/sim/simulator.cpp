#include "sim/simulator.h"

#include <fmt/format.h>

#include <boost/asio/io_context.hpp>
#include <boost/system/system_error.hpp>
#include <cstdio>

#include "http/server.h"
#include "http/signals.h"
#include "sim/faults.h"
#include "sim/handler.h"
#include "sim/stats.h"

namespace tollgate::sim {

namespace {

// How long SIGTERM waits for answers in flight. Short, because the simulator serves tests and
// benchmarks, which want it gone, and a hung request would hold it for the whole grace.
constexpr std::chrono::milliseconds kDrainGrace{1000};

std::string url_of(const net::ip::tcp::endpoint& endpoint) {
  auto address = endpoint.address();
  if (address.is_v6()) return fmt::format("http://[{}]:{}", address.to_string(), endpoint.port());
  return fmt::format("http://{}:{}", address.to_string(), endpoint.port());
}

}  // namespace

int run(const SimOptions& options) {
  if (auto error = check_fault_options(options)) {
    fmt::print(stderr, "tollgate sim: {}\n", *error);
    return 2;
  }

  Stats stats;
  DefaultFaults defaults(options);
  http::ServerOptions server_options;
  server_options.listen = options.listen;
  server_options.threads = options.threads;
  http::Server server(server_options, [&options, &defaults, &stats](net::io_context&) {
    return std::make_unique<Handler>(options, defaults, stats);
  });
  try {
    server.bind();
  } catch (const boost::system::system_error& e) {
    fmt::print(stderr, "tollgate sim: cannot listen on {}: {}\n", url_of(options.listen),
               e.code().message());
    return 1;
  }

  // Armed before the listening line is printed, so that a signal sent as soon as a test reads
  // that line drains the server instead of killing the process.
  http::SignalWatcher signals([&server] { server.drain(kDrainGrace); });
  fmt::print("tollgate listening on {}\n", url_of(server.local_endpoint()));
  std::fflush(stdout);
  server.run();
  return 0;
}

}  // namespace tollgate::sim
