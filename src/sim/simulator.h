// `tollgate sim`: a simulated OpenAI / Azure OpenAI upstream for the quickstart, the tests and
// the benchmarks. See docs/simulator.md for its endpoints, output and fault injection.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <map>
#include <string>

namespace tollgate::sim {

struct SimOptions {
  boost::asio::ip::tcp::endpoint listen;
  unsigned threads = 1;
  std::string region = "simulated";
  int ttft_ms = 0;         // delay before the first token (or the whole answer)
  int token_delay_ms = 0;  // delay between streamed tokens
  // Faults applied to every request, as if sent in the x-sim-<name> request header.
  std::map<std::string, std::string> faults;
};

// Serves until SIGINT or SIGTERM. Prints "tollgate listening on http://ADDR" on stdout once
// bound. Returns the process exit code.
int run(const SimOptions& options);

}  // namespace tollgate::sim
