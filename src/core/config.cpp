#include "core/config.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <boost/regex.hpp>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>
#include <tuple>

#include "core/clock.h"
#include "core/config_reader.h"
#include "core/endpoint_url.h"

namespace tollgate {

using config_detail::Reader;

namespace {

void parse_listen(Reader& r, const YAML::Node& node, Config& config) {
  auto value = r.text(node, "listen");
  auto colon = value.rfind(':');
  if (colon == std::string::npos || colon == 0) {
    r.problem(node, "listen", "must be HOST:PORT, e.g. 127.0.0.1:8080");
    return;
  }
  std::string host = value.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  config.listen_host = host;
  unsigned port = 0;
  auto port_text = std::string_view(value).substr(colon + 1);
  auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc{} || end != port_text.data() + port_text.size() || port > 65535) {
    r.problem(node, "listen", "port must be a number from 0 to 65535");
    return;
  }
  config.listen_port = static_cast<std::uint16_t>(port);
}

void parse_server(Reader& r, const YAML::Node& node, Config& config) {
  if (!r.expect_map(node, "server",
                    {"threads", "max_body_bytes", "max_header_bytes", "drain_timeout_ms"}))
    return;
  if (node["threads"])
    config.threads = r.number<unsigned>(node["threads"], "server.threads", 0, 256);
  if (node["max_body_bytes"])
    config.max_body_bytes = r.number<std::size_t>(node["max_body_bytes"], "server.max_body_bytes",
                                                  1024, std::size_t{1} << 34);
  if (node["max_header_bytes"])
    config.max_header_bytes = r.number<std::size_t>(node["max_header_bytes"],
                                                    "server.max_header_bytes", 1024, 1024 * 1024);
  if (node["drain_timeout_ms"])
    config.drain_timeout = r.millis(node["drain_timeout_ms"], "server.drain_timeout_ms");
}

void parse_log(Reader& r, const YAML::Node& node, Config& config) {
  if (!r.expect_map(node, "log", {"level", "access_log"})) return;
  if (node["level"]) {
    config.log_level = r.text(node["level"], "log.level");
    static const std::set<std::string> levels{"trace", "debug", "info", "warn", "error", "off"};
    if (!levels.count(config.log_level))
      r.problem(node["level"], "log.level", "must be trace, debug, info, warn, error or off");
  }
  if (node["access_log"]) config.access_log = r.boolean(node["access_log"], "log.access_log");
}

void parse_backend_url(Reader& r, const YAML::Node& node, const std::string& key,
                       BackendConfig& backend) {
  auto parsed = parse_endpoint_url(backend.url);
  if (auto* why = std::get_if<std::string>(&parsed)) {
    r.problem(node, key, *why);
    return;
  }
  auto& url = std::get<EndpointUrl>(parsed);
  if (url.has_query || url.has_fragment) {
    r.problem(node, key, "must not have a query or fragment");
    return;
  }
  backend.tls = url.tls;
  backend.host = url.host;
  backend.port = url.port;
  backend.base_path = url.path;
  while (!backend.base_path.empty() && backend.base_path.back() == '/')
    backend.base_path.pop_back();
}

void parse_health_check(Reader& r, const YAML::Node& node, const std::string& backend_key,
                        BackendConfig& backend) {
  const std::string key = backend_key + ".health_check";
  if (!r.expect_map(node, key, {"path", "interval_ms", "expected_status", "timeout_ms"})) return;
  auto& check = backend.health_check;
  check.enabled = true;
  if (node["path"]) {
    check.path = r.text(node["path"], key + ".path");
    if (!check.path.starts_with("/")) r.problem(node["path"], key + ".path", "must start with /");
  }
  if (node["interval_ms"]) check.interval = r.millis(node["interval_ms"], key + ".interval_ms");
  if (node["expected_status"])
    check.expected_status =
        r.number<int>(node["expected_status"], key + ".expected_status", 100, 599);
  if (node["timeout_ms"]) check.timeout = r.millis(node["timeout_ms"], key + ".timeout_ms");
}

void parse_backend(Reader& r, const std::string& name, const YAML::Node& node,
                   BackendConfig& backend) {
  const std::string key = "backends." + name;
  backend.name = name;
  if (!r.expect_map(node, key,
                    {"kind", "url", "api_key", "credential", "api_version", "ca_file",
                     "stream_usage", "connect_timeout_ms", "first_byte_timeout_ms",
                     "idle_timeout_ms", "max_idle_connections", "health_check"}))
    return;
  if (!node["kind"]) {
    r.problem(node, key + ".kind", "is required: azure or openai");
  } else {
    auto kind = r.text(node["kind"], key + ".kind");
    if (kind == "azure")
      backend.kind = BackendKind::azure;
    else if (kind == "openai")
      backend.kind = BackendKind::openai;
    else
      r.problem(node["kind"], key + ".kind", "must be azure or openai");
  }
  if (!node["url"]) {
    r.problem(node, key + ".url", "is required");
  } else {
    backend.url = r.text(node["url"], key + ".url");
    parse_backend_url(r, node["url"], key + ".url", backend);
  }
  if (node["api_key"] && node["credential"])
    r.problem(node["credential"], key + ".credential",
              "give either api_key or credential, not both (api_key is short for a credential "
              "of type api_key)");
  if (node["api_key"]) {
    backend.credential.type = CredentialConfig::Type::api_key;
    backend.credential.secret = r.text(node["api_key"], key + ".api_key");
  }
  if (node["credential"])
    config_detail::parse_credential(r, node["credential"], key + ".credential", backend.credential);
  if (node["api_version"]) backend.api_version = r.text(node["api_version"], key + ".api_version");
  if (node["stream_usage"]) {
    auto value = r.text(node["stream_usage"], key + ".stream_usage");
    if (value == "always")
      backend.stream_usage = BackendConfig::StreamUsage::always;
    else if (value == "never")
      backend.stream_usage = BackendConfig::StreamUsage::never;
    else if (value != "auto")
      r.problem(node["stream_usage"], key + ".stream_usage", "must be auto, always or never");
  }
  if (node["ca_file"]) {
    backend.ca_file = r.text(node["ca_file"], key + ".ca_file");
    if (!std::ifstream(backend.ca_file))
      r.problem(node["ca_file"], key + ".ca_file", "cannot be read");
  }
  if (node["connect_timeout_ms"])
    backend.connect_timeout = r.millis(node["connect_timeout_ms"], key + ".connect_timeout_ms");
  if (node["first_byte_timeout_ms"])
    backend.first_byte_timeout =
        r.millis(node["first_byte_timeout_ms"], key + ".first_byte_timeout_ms");
  if (node["idle_timeout_ms"])
    backend.idle_timeout = r.millis(node["idle_timeout_ms"], key + ".idle_timeout_ms");
  if (node["max_idle_connections"])
    backend.max_idle_connections = r.number<std::size_t>(node["max_idle_connections"],
                                                         key + ".max_idle_connections", 0, 100'000);
  if (node["health_check"]) parse_health_check(r, node["health_check"], key, backend);
}

void parse_model(Reader& r, const std::string& name, const YAML::Node& node, const Config& config,
                 ModelConfig& model) {
  const std::string key = "models." + name;
  model.name = name;
  if (!node.IsSequence() || node.size() == 0) {
    r.problem(node, key, "must be a list of { backend, deployment, priority } entries");
    return;
  }
  for (std::size_t i = 0; i < node.size(); ++i) {
    const auto& entry = node[i];
    const std::string entry_key = fmt::format("{}[{}]", key, i);
    if (!r.expect_map(entry, entry_key, {"backend", "deployment", "priority", "weight"})) continue;
    ModelTarget target;
    if (!entry["backend"]) {
      r.problem(entry, entry_key + ".backend", "is required");
    } else {
      target.backend = r.text(entry["backend"], entry_key + ".backend");
      if (!config.backend(target.backend))
        r.problem(entry["backend"], entry_key + ".backend",
                  "'" + target.backend + "' names no backend defined under backends");
    }
    target.deployment =
        entry["deployment"] ? r.text(entry["deployment"], entry_key + ".deployment") : name;
    if (entry["priority"])
      target.priority = r.number<int>(entry["priority"], entry_key + ".priority", 0, 1000);
    if (entry["weight"])
      target.weight = r.number<unsigned>(entry["weight"], entry_key + ".weight", 1, 1000);
    // One backend and deployment is one unit of health: listing it twice would only skew
    // the weights and let a call retry where it just failed.
    for (const auto& other : model.targets)
      if (other.backend == target.backend && other.deployment == target.deployment)
        r.problem(entry, entry_key,
                  "lists backend '" + target.backend + "' with deployment '" + target.deployment +
                      "' a second time");
    model.targets.push_back(std::move(target));
  }
  std::stable_sort(model.targets.begin(), model.targets.end(),
                   [](const auto& a, const auto& b) { return a.priority < b.priority; });
}

void parse_breaker(Reader& r, const YAML::Node& node, BreakerConfig& breaker) {
  const std::string key = "routing.breaker";
  if (!r.expect_map(node, key, {"failures", "ratio", "min_calls", "window_ms", "open_ms"})) return;
  if (node["failures"])
    breaker.failures = r.number<unsigned>(node["failures"], key + ".failures", 0, 1'000'000);
  if (node["ratio"]) {
    // A share in percent would be easy to confuse with a count: the ratio is a fraction.
    auto text = r.text(node["ratio"], key + ".ratio");
    double value = -1;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || end != text.data() + text.size() || value < 0 || value > 1)
      r.problem(node["ratio"], key + ".ratio", "must be a number from 0 to 1, e.g. 0.5");
    else
      breaker.ratio = value;
  }
  if (node["min_calls"])
    breaker.min_calls = r.number<unsigned>(node["min_calls"], key + ".min_calls", 1, 1'000'000);
  if (node["window_ms"]) breaker.window = r.millis(node["window_ms"], key + ".window_ms");
  if (node["open_ms"]) breaker.open = r.millis(node["open_ms"], key + ".open_ms");
}

void parse_routing(Reader& r, const YAML::Node& node, RoutingConfig& routing) {
  if (!r.expect_map(
          node, "routing",
          {"strategy", "max_attempts", "timeout_ms", "retry_on", "max_cooldown_ms", "breaker"}))
    return;
  if (node["strategy"]) {
    auto strategy = r.text(node["strategy"], "routing.strategy");
    if (strategy == "least_outstanding")
      routing.strategy = RoutingConfig::Strategy::least_outstanding;
    else if (strategy != "weighted")
      r.problem(node["strategy"], "routing.strategy", "must be weighted or least_outstanding");
  }
  if (node["max_attempts"])
    routing.max_attempts = r.number<unsigned>(node["max_attempts"], "routing.max_attempts", 1, 100);
  if (node["timeout_ms"]) routing.timeout = r.millis(node["timeout_ms"], "routing.timeout_ms");
  if (const auto& statuses = node["retry_on"]) {
    routing.retry_on.clear();
    if (!statuses.IsSequence())
      r.problem(statuses, "routing.retry_on", "must be a list of HTTP statuses, e.g. [429, 503]");
    else
      for (const auto& status : statuses)
        routing.retry_on.push_back(r.number<int>(status, "routing.retry_on", 400, 599));
  }
  if (node["max_cooldown_ms"])
    routing.max_cooldown = std::chrono::milliseconds(
        r.number<long>(node["max_cooldown_ms"], "routing.max_cooldown_ms", 0, 86'400'000));
  if (node["breaker"]) parse_breaker(r, node["breaker"], routing.breaker);
}

void parse_price(Reader& r, const YAML::Node& node, const std::string& key, Price& price) {
  if (!r.expect_map(node, key, {"input", "cached_input", "output", "currency", "effective_from"}))
    return;
  for (const char* required : {"input", "output", "currency"})
    if (!node[required]) r.problem(node, key + "." + required, "is required");
  if (node["input"]) price.input = r.decimal(node["input"], key + ".input");
  // Without a cache discount, cached prompt tokens cost what the others do.
  price.cached_input =
      node["cached_input"] ? r.decimal(node["cached_input"], key + ".cached_input") : price.input;
  if (node["output"]) price.output = r.decimal(node["output"], key + ".output");
  if (node["currency"]) {
    price.currency = r.text(node["currency"], key + ".currency");
    if (price.currency.size() != 3 || !std::all_of(price.currency.begin(), price.currency.end(),
                                                   [](char c) { return c >= 'A' && c <= 'Z'; }))
      r.problem(node["currency"], key + ".currency",
                "must be an ISO 4217 code in capitals, such as USD or EUR");
  }
  if (node["effective_from"]) {
    auto text = r.text(node["effective_from"], key + ".effective_from");
    if (auto time = parse_time(text))
      price.effective_from = *time;
    else
      r.problem(node["effective_from"], key + ".effective_from",
                "must be a date (2026-01-31) or an RFC 3339 time (2026-01-31T00:00:00Z), "
                "from 1970 to 2199");
  }
}

// Prices per configured model name. A name that is not under `models:` is an error: a typo
// would otherwise leave the model's calls silently unpriced.
void parse_prices(Reader& r, const YAML::Node& node, Config& config) {
  if (!node.IsMap()) {
    r.problem(node, "prices", "must map model names to lists of prices");
    return;
  }
  for (const auto& item : node) {
    auto name = item.first.as<std::string>();
    const std::string key = "prices." + name;
    auto model = std::find_if(config.models.begin(), config.models.end(),
                              [&](const ModelConfig& m) { return m.name == name; });
    if (model == config.models.end()) {
      r.problem(item.first, key, "'" + name + "' names no model defined under models");
      continue;
    }
    const auto& list = item.second;
    if (!list.IsSequence() || list.size() == 0) {
      r.problem(list, key,
                "must be a list of { input, cached_input, output, currency, effective_from }");
      continue;
    }
    for (std::size_t i = 0; i < list.size(); ++i) {
      const std::string entry_key = fmt::format("{}[{}]", key, i);
      Price price;
      parse_price(r, list[i], entry_key, price);
      auto same_time = [&](const Price& other) {
        return other.effective_from == price.effective_from;
      };
      if (std::any_of(model->prices.begin(), model->prices.end(), same_time))
        r.problem(list[i], entry_key,
                  list[i]["effective_from"]
                      ? "another price of this model takes effect at the same time"
                      : "another price of this model has no effective_from either");
      model->prices.push_back(std::move(price));
    }
    std::sort(model->prices.begin(), model->prices.end(),
              [](const Price& a, const Price& b) { return a.effective_from < b.effective_from; });
  }
}

void parse_sink(Reader& r, const YAML::Node& node, const std::string& key, SinkConfig& sink) {
  if (!node.IsMap() || !node["type"]) {
    r.problem(node, key,
              "must be a mapping with a type (jsonl, sqlite, stdout, postgres, kafka, http or "
              "eventhubs_http)");
    return;
  }
  for (const auto& item : node) {
    auto name = item.first.as<std::string>();
    const std::string item_key = key + "." + name;
    if (name == "type") {
      sink.type = r.text(item.second, item_key);
      static const std::set<std::string> types{"jsonl", "sqlite", "stdout",        "postgres",
                                               "kafka", "http",   "eventhubs_http"};
      if (!types.contains(sink.type))
        r.problem(item.second, item_key,
                  "must be jsonl, sqlite, stdout, postgres, kafka, http or eventhubs_http");
    } else if (name == "name") {
      sink.name = r.text(item.second, item_key);
    } else if (name == "format") {
      auto format = r.text(item.second, item_key);
      if (format == "apim")
        sink.format = SinkConfig::Format::apim;
      else if (format != "typed")
        r.problem(item.second, item_key, "must be typed or apim");
    } else if (name == "max_event_bytes") {
      sink.max_event_bytes =
          r.number<std::size_t>(item.second, item_key, 1024, std::size_t{1} << 30);
    } else if (name == "oversize") {
      auto oversize = r.text(item.second, item_key);
      if (oversize == "split")
        sink.oversize = SinkConfig::Oversize::split;
      else if (oversize != "truncate")
        r.problem(item.second, item_key, "must be truncate or split");
    } else if (item.second.IsMap()) {
      // A group of settings (a kafka sink's `properties`, an http sink's `headers`):
      // flattened to "name.key" for the sink to read.
      for (const auto& entry : item.second) {
        auto entry_name = entry.first.as<std::string>();
        sink.settings[name + "." + entry_name] = r.text(entry.second, item_key + "." + entry_name);
      }
    } else {
      sink.settings[name] = r.text(item.second, item_key);
    }
  }
}

void parse_mask(Reader& r, const YAML::Node& node, AuditConfig& audit) {
  if (!node.IsSequence()) {
    r.problem(node, "audit.mask", "must be a list of { pattern, replacement }");
    return;
  }
  for (std::size_t i = 0; i < node.size(); ++i) {
    const std::string key = fmt::format("audit.mask[{}]", i);
    if (!r.expect_map(node[i], key, {"pattern", "replacement"})) continue;
    if (!node[i]["pattern"]) {
      r.problem(node[i], key + ".pattern", "is required");
      continue;
    }
    MaskRule rule;
    rule.pattern = r.text(node[i]["pattern"], key + ".pattern");
    rule.replacement =
        node[i]["replacement"] ? r.text(node[i]["replacement"], key + ".replacement") : "[masked]";
    try {
      boost::regex compiled(rule.pattern, boost::regex::ECMAScript);
    } catch (const boost::regex_error& e) {
      r.problem(node[i]["pattern"], key + ".pattern",
                std::string("is not a valid regular expression: ") + e.what());
    }
    audit.mask.push_back(std::move(rule));
  }
}

void parse_audit(Reader& r, const YAML::Node& node, Config& config) {
  if (!r.expect_map(node, "audit",
                    {"spool", "spool_max_bytes", "spool_segment_bytes", "fsync_interval_ms",
                     "when_full", "bodies", "mask", "sinks"}))
    return;
  auto& audit = config.audit;
  if (node["spool"]) audit.spool = r.text(node["spool"], "audit.spool");
  if (node["spool_max_bytes"])
    audit.spool_max_bytes = r.number<std::uint64_t>(
        node["spool_max_bytes"], "audit.spool_max_bytes", 4096, std::uint64_t{1} << 50);
  if (node["spool_segment_bytes"])
    audit.spool_segment_bytes = r.number<std::uint64_t>(
        node["spool_segment_bytes"], "audit.spool_segment_bytes", 4096, std::uint64_t{1} << 40);
  if (node["fsync_interval_ms"])
    audit.fsync_interval = std::chrono::milliseconds(
        r.number<long>(node["fsync_interval_ms"], "audit.fsync_interval_ms", 0, 3'600'000));
  if (node["when_full"]) {
    auto policy = r.text(node["when_full"], "audit.when_full");
    if (policy == "drop")
      audit.when_full = AuditConfig::WhenFull::drop;
    else if (policy != "reject")
      r.problem(node["when_full"], "audit.when_full", "must be reject or drop");
  }
  if (node["bodies"]) audit.bodies = r.boolean(node["bodies"], "audit.bodies");
  if (node["mask"]) parse_mask(r, node["mask"], audit);

  const auto& sinks = node["sinks"];
  if (!sinks) return;
  if (!sinks.IsSequence()) {
    r.problem(sinks, "audit.sinks", "must be a list");
    return;
  }
  std::map<std::string, int> per_type;
  for (std::size_t i = 0; i < sinks.size(); ++i) {
    SinkConfig sink;
    parse_sink(r, sinks[i], fmt::format("audit.sinks[{}]", i), sink);
    if (sink.name.empty()) {
      int n = ++per_type[sink.type];
      sink.name = n == 1 ? sink.type : fmt::format("{}-{}", sink.type, n);
    }
    for (const auto& other : audit.sinks)
      if (other.name == sink.name)
        r.problem(sinks[i], fmt::format("audit.sinks[{}].name", i),
                  "'" + sink.name + "' names another sink too; each sink needs its own name");
    audit.sinks.push_back(std::move(sink));
  }
  audit.enabled = !audit.sinks.empty();
}

void parse_ingest(Reader& r, const YAML::Node& node, Config& config) {
  if (!r.expect_map(node, "ingest", {"from", "to", "batch_events", "batch_wait_ms"})) return;
  auto& ingest = config.ingest;
  ingest.enabled = true;
  // The source and destination read like sinks: a type and that type's own settings.
  for (auto [key, target, type] :
       {std::tuple{"from", &ingest.from, "kafka"}, std::tuple{"to", &ingest.to, "postgres"}}) {
    const std::string where = std::string("ingest.") + key;
    if (!node[key]) {
      r.problem(node, where, fmt::format("is required (a mapping with type: {})", type));
      continue;
    }
    parse_sink(r, node[key], where, *target);
    target->name = where;
    if (!target->type.empty() && target->type != type)
      r.problem(node[key]["type"], where + ".type", fmt::format("must be {}", type));
  }
  if (node["batch_events"])
    ingest.batch_events =
        r.number<std::size_t>(node["batch_events"], "ingest.batch_events", 1, 100'000);
  if (node["batch_wait_ms"])
    ingest.batch_wait = std::chrono::milliseconds(
        r.number<long>(node["batch_wait_ms"], "ingest.batch_wait_ms", 0, 60'000));
}

}  // namespace

namespace config_detail {

std::vector<std::string> string_list(Reader& r, const YAML::Node& node, const std::string& key) {
  std::vector<std::string> out;
  if (node.IsSequence()) {
    for (std::size_t i = 0; i < node.size(); ++i)
      out.push_back(r.text(node[i], fmt::format("{}[{}]", key, i)));
  } else {
    out.push_back(r.text(node, key));
  }
  return out;
}

}  // namespace config_detail

bool AuthConfig::allows(std::string_view mode) const {
  return std::find(modes.begin(), modes.end(), mode) != modes.end();
}

const BackendConfig* Config::backend(const std::string& name) const {
  for (const auto& b : backends)
    if (b.name == name) return &b;
  return nullptr;
}

const ModelConfig* Config::model(const std::string& name) const {
  for (const auto& m : models)
    if (m.name == name) return &m;
  return nullptr;
}

ConfigError::ConfigError(std::vector<std::string> problems)
    : std::runtime_error(fmt::format("{}", fmt::join(problems, "\n"))),
      problems_(std::move(problems)) {}

Config parse_config(const std::string& text, const std::string& source) {
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::ParserException& e) {
    throw ConfigError(
        {fmt::format("{}:{}:{}: {}", source, e.mark.line + 1, e.mark.column + 1, e.msg)});
  }
  Reader r(source);
  Config config;
  config.source = source;
  if (!root.IsMap()) {
    r.problem(root, "(top)", "the configuration must be a mapping");
    throw ConfigError(std::move(r.problems()));
  }
  r.expect_map(root, "",
               {"listen", "server", "log", "auth", "backends", "models", "routing", "prices",
                "audit", "ingest"});
  // A file for `tollgate ingest` alone needs no backends or models.
  const bool ingest_only = root["ingest"] && !root["backends"] && !root["models"];
  if (root["listen"]) parse_listen(r, root["listen"], config);
  if (root["server"]) parse_server(r, root["server"], config);
  if (root["log"]) parse_log(r, root["log"], config);
  if (root["auth"]) config_detail::parse_auth(r, root["auth"], config.auth);

  const auto& backends = root["backends"];
  if (!ingest_only && (!backends || !backends.IsMap() || backends.size() == 0)) {
    r.problem(backends ? backends : root, "backends",
              "must map at least one backend name to its settings");
  } else if (backends && backends.IsMap()) {
    for (const auto& item : backends) {
      auto& backend = config.backends.emplace_back();
      parse_backend(r, item.first.as<std::string>(), item.second, backend);
    }
  }

  const auto& models = root["models"];
  if (!ingest_only && (!models || !models.IsMap() || models.size() == 0)) {
    r.problem(models ? models : root, "models", "must map at least one model name to its backends");
  } else if (models && models.IsMap()) {
    for (const auto& item : models) {
      auto& model = config.models.emplace_back();
      parse_model(r, item.first.as<std::string>(), item.second, config, model);
    }
  }
  if (root["routing"]) parse_routing(r, root["routing"], config.routing);
  if (root["prices"]) parse_prices(r, root["prices"], config);
  if (root["audit"]) parse_audit(r, root["audit"], config);
  if (root["ingest"]) parse_ingest(r, root["ingest"], config);
  for (const auto& [name, access] : config.auth.models)
    if (!config.model(name))
      r.problem(root["auth"]["models"], "auth.models." + name,
                "'" + name + "' names no model defined under models");

  if (!r.problems().empty()) throw ConfigError(std::move(r.problems()));
  return config;
}

Config load_config(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) throw ConfigError({fmt::format("{}: cannot be read", path)});
  std::ostringstream text;
  text << file.rdbuf();
  return parse_config(text.str(), path);
}

}  // namespace tollgate
