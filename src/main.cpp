// The tollgate command: serve, check, sim, key, ingest and report (see README.md).
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <boost/asio/ip/address.hpp>
#include <cstdio>
#include <iostream>
#include <tuple>

#include "analytics/ingest.h"
#include "analytics/report_command.h"
#include "audit/sink.h"
#include "core/config.h"
#include "gateway/serve.h"
#include "identity/api_keys.h"
#include "sim/simulator.h"

namespace {

// Parses HOST:PORT (IPv6 in brackets) into an endpoint; throws CLI::ValidationError.
boost::asio::ip::tcp::endpoint parse_endpoint(const std::string& text) {
  auto colon = text.rfind(':');
  if (colon == std::string::npos) throw CLI::ValidationError("--listen", "must be HOST:PORT");
  std::string host = text.substr(0, colon);
  if (host.size() > 2 && host.front() == '[') host = host.substr(1, host.size() - 2);
  boost::system::error_code ec;
  auto address = boost::asio::ip::make_address(host, ec);
  if (ec) throw CLI::ValidationError("--listen", "'" + host + "' is not an IP address");
  int port = std::stoi(text.substr(colon + 1));
  if (port < 0 || port > 65535) throw CLI::ValidationError("--listen", "port out of range");
  return {address, static_cast<unsigned short>(port)};
}

int check(const std::string& path) {
  try {
    auto config = tollgate::load_config(path);
    // Each sink's own settings, read as the gateway will read them, without connecting.
    int problems = 0;
    for (const auto& sink : config.audit.sinks) {
      try {
        tollgate::audit::check_sink(sink);
      } catch (const std::runtime_error& e) {
        fmt::print(stderr, "{}: audit.sinks: {}\n", path, e.what());
        ++problems;
      }
    }
    if (config.ingest.enabled) {
      try {
        tollgate::analytics::check_ingest(config.ingest);
      } catch (const std::runtime_error& e) {
        fmt::print(stderr, "{}: ingest: {}\n", path, e.what());
        ++problems;
      }
    }
    if (problems > 0) return 1;
    fmt::print("{}: OK ({} backends, {} models)\n", path, config.backends.size(),
               config.models.size());
    return 0;
  } catch (const tollgate::ConfigError& e) {
    for (const auto& problem : e.problems()) fmt::print(stderr, "{}\n", problem);
    return 1;
  }
}

int serve(const std::string& path) {
  try {
    return tollgate::gateway::serve(tollgate::load_config(path));
  } catch (const tollgate::ConfigError& e) {
    for (const auto& problem : e.problems()) fmt::print(stderr, "{}\n", problem);
    return 1;
  }
}

// Prints a fresh API key and the auth.api_keys entry that admits it. The key is shown once:
// the configuration keeps only its hash.
int new_key(const std::string& name, const std::string& app_id, const std::string& expires) {
  auto key = tollgate::identity::new_api_key();
  fmt::print("API key (shown once; give it to the application, keep it out of the config):\n");
  fmt::print("  {}\n\n", key);
  fmt::print("auth.api_keys entry:\n");
  fmt::print("  - {{ name: {}, app_id: {}, sha256: {}{} }}\n", name, app_id,
             tollgate::identity::sha256_hex(key), expires.empty() ? "" : ", expires: " + expires);
  return 0;
}

// `--from` and `--to`, when given, must name what the configuration's ingest section uses.
int ingest(const std::string& path, const std::string& from, const std::string& to) {
  try {
    auto config = tollgate::load_config(path);
    if (!config.ingest.enabled) {
      fmt::print(stderr, "{}: has no ingest section (see docs/ingest.md)\n", path);
      return 1;
    }
    int problems = 0;
    for (auto [flag, wanted, configured] : {std::tuple{"--from", from, config.ingest.from.type},
                                            std::tuple{"--to", to, config.ingest.to.type}})
      if (!wanted.empty() && wanted != configured) {
        fmt::print(stderr, "{} {}: the configuration's ingest reads {} {}\n", flag, wanted,
                   flag == std::string("--from") ? "from" : "into", configured);
        ++problems;
      }
    if (problems > 0) return 2;
    return tollgate::analytics::run_ingest(config);
  } catch (const tollgate::ConfigError& e) {
    for (const auto& problem : e.problems()) fmt::print(stderr, "{}\n", problem);
    return 1;
  }
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Tollgate: an audited gateway for OpenAI and Azure OpenAI APIs"};
  app.set_version_flag("--version", std::string("tollgate ") + TOLLGATE_VERSION);
  app.require_subcommand(1);

  std::string config_path;
  auto* serve_cmd = app.add_subcommand("serve", "Run the gateway");
  serve_cmd->add_option("--config", config_path, "Configuration file (YAML)")
      ->required()
      ->check(CLI::ExistingFile);

  std::string check_path;
  auto* check_cmd = app.add_subcommand("check", "Validate a configuration file and exit");
  check_cmd->add_option("--config", check_path, "Configuration file (YAML)")->required();

  std::string ingest_path, ingest_from, ingest_to;
  auto* ingest_cmd = app.add_subcommand(
      "ingest",
      "Load audit events from Kafka (or Event Hubs) into PostgreSQL, as a consumer group");
  ingest_cmd
      ->add_option("--config", ingest_path, "Configuration file (YAML) with an ingest section")
      ->required()
      ->check(CLI::ExistingFile);
  ingest_cmd->add_option("--from", ingest_from, "Source; must match the configuration's")
      ->check(CLI::IsMember({"kafka"}));
  ingest_cmd->add_option("--to", ingest_to, "Destination; must match the configuration's")
      ->check(CLI::IsMember({"postgres"}));

  tollgate::sim::SimOptions sim;
  std::string sim_listen = "127.0.0.1:9001";
  std::vector<std::string> faults;
  auto* sim_cmd = app.add_subcommand("sim", "Run the simulated OpenAI / Azure OpenAI upstream");
  sim_cmd->add_option("--listen", sim_listen, "Address to listen on, HOST:PORT (port 0: any)")
      ->capture_default_str();
  sim_cmd->add_option("--threads", sim.threads, "Event loop threads")->capture_default_str();
  sim_cmd->add_option("--region", sim.region, "Value of the x-ms-region header")
      ->capture_default_str();
  sim_cmd->add_option("--ttft-ms", sim.ttft_ms, "Delay before the first token, in ms");
  sim_cmd->add_option("--token-delay-ms", sim.token_delay_ms, "Delay between tokens, in ms");
  sim_cmd->add_option("--fault", faults,
                      "Fault for every request, NAME=VALUE as the x-sim-NAME header "
                      "(e.g. status=429, retry-after=2); see docs/simulator.md");

  std::string key_name, key_app, key_expires;
  auto* key_cmd = app.add_subcommand("key", "Manage API keys");
  key_cmd->require_subcommand(1);
  auto* key_new_cmd = key_cmd->add_subcommand(
      "new", "Print a new API key and the auth.api_keys entry (with its SHA-256) that admits it");
  key_new_cmd->add_option("--name", key_name, "The key's name, shown in logs and audit events")
      ->required();
  key_new_cmd->add_option("--app", key_app,
                          "The application the key's calls bill to (app_id; default: the name)");
  key_new_cmd->add_option("--expires", key_expires,
                          "Expiry, a UTC date (2027-01-31) or time (2027-01-31T12:00:00Z)");

  tollgate::analytics::ReportCommandOptions report;
  auto* report_cmd = app.add_subcommand(
      "report", "Chargeback: calls, tokens, cost, errors and durations per group (docs/report.md)");
  report_cmd->add_option("--sqlite", report.sqlite, "Read the SQLite audit store at PATH");
  report_cmd->add_option("--postgres", report.postgres,
                         "Read the PostgreSQL audit store at this libpq connection string");
  report_cmd->add_option("--config", report.config,
                         "Read the store of this configuration's sqlite or postgres sink");
  report_cmd->add_option("--sink", report.sink, "With --config: the sink's name");
  report_cmd->add_option("--by", report.by,
                         "Group by these, comma-separated: app, user, end_user, model, "
                         "deployment, backend, day, month");
  report_cmd->add_option("--since", report.since,
                         "Calls received at or after this date or RFC 3339 time (UTC)");
  report_cmd->add_option("--until", report.until,
                         "Calls received before this date or RFC 3339 time (UTC)");
  report_cmd->add_option("--format", report.format, "table, csv or json")->capture_default_str();

  CLI11_PARSE(app, argc, argv);

  if (*key_new_cmd) return new_key(key_name, key_app.empty() ? key_name : key_app, key_expires);

  if (*serve_cmd) return serve(config_path);
  if (*report_cmd) return tollgate::analytics::run_report_command(report);
  if (*check_cmd) return check(check_path);
  if (*ingest_cmd) return ingest(ingest_path, ingest_from, ingest_to);
  try {
    sim.listen = parse_endpoint(sim_listen);
    for (const auto& fault : faults) {
      auto eq = fault.find('=');
      if (eq == std::string::npos) throw CLI::ValidationError("--fault", "must be NAME=VALUE");
      sim.faults[fault.substr(0, eq)] = fault.substr(eq + 1);
    }
  } catch (const CLI::Error& e) {
    return app.exit(e);
  } catch (const std::exception& e) {
    fmt::print(stderr, "--listen: {}\n", e.what());
    return 2;
  }
  return tollgate::sim::run(sim);
}
