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
#include "core/http_url.h"

namespace tollgate {

namespace {

// Walks the YAML tree, collecting every problem with its position instead of stopping at the
// first, so one `tollgate check` run shows them all.
class Reader {
 public:
  explicit Reader(std::string source) : source_(std::move(source)) {}

  void problem(const YAML::Node& at, const std::string& key, const std::string& message) {
    auto mark = at.Mark();
    problems_.push_back(
        fmt::format("{}:{}:{}: {}: {}", source_, mark.line + 1, mark.column + 1, key, message));
  }
  std::vector<std::string>& problems() { return problems_; }

  // A scalar with ${ENV} references expanded; reports and returns "" when it is not a scalar.
  std::string text(const YAML::Node& node, const std::string& key) {
    if (!node.IsScalar()) {
      problem(node, key, "must be a single value");
      return {};
    }
    return expand(node, key, node.Scalar());
  }

  template <class Int>
  Int number(const YAML::Node& node, const std::string& key, Int min, Int max) {
    auto value = text(node, key);
    Int result{};
    auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), result);
    if (ec != std::errc{} || end != value.data() + value.size() || result < min || result > max) {
      problem(node, key, fmt::format("must be a whole number from {} to {}", min, max));
      return min;
    }
    return result;
  }

  bool boolean(const YAML::Node& node, const std::string& key) {
    auto value = text(node, key);
    if (value == "true") return true;
    if (value != "false") problem(node, key, "must be true or false");
    return false;
  }

  // A non-negative decimal number, such as a price.
  double decimal(const YAML::Node& node, const std::string& key) {
    auto value = text(node, key);
    double result = 0;
    auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), result);
    if (ec != std::errc{} || end != value.data() + value.size() || !std::isfinite(result) ||
        result < 0) {
      problem(node, key, "must be a number, 0 or more");
      return 0;
    }
    return result;
  }

  std::chrono::milliseconds millis(const YAML::Node& node, const std::string& key) {
    return std::chrono::milliseconds(number<long>(node, key, 1, 86'400'000));
  }

  // Reports keys of `map` that are not in `known`, since a misspelt key would otherwise be
  // silently ignored.
  bool expect_map(const YAML::Node& map, const std::string& key,
                  std::initializer_list<const char*> known) {
    if (!map.IsMap()) {
      problem(map, key, "must be a mapping");
      return false;
    }
    for (const auto& item : map) {
      auto name = item.first.as<std::string>();
      if (std::none_of(known.begin(), known.end(), [&](const char* k) { return name == k; }))
        problem(item.first, key.empty() ? name : key + "." + name, "unknown key");
    }
    return true;
  }

 private:
  std::string expand(const YAML::Node& node, const std::string& key, const std::string& raw) {
    std::string out;
    std::size_t pos = 0;
    while (pos < raw.size()) {
      auto open = raw.find("${", pos);
      if (open == std::string::npos) break;
      auto close = raw.find('}', open);
      if (close == std::string::npos) {
        problem(node, key, "has ${ without a closing }");
        return raw;
      }
      out.append(raw, pos, open - pos);
      std::string name = raw.substr(open + 2, close - open - 2);
      std::string fallback;
      bool has_fallback = false;
      if (auto dash = name.find(":-"); dash != std::string::npos) {
        fallback = name.substr(dash + 2);
        name.resize(dash);
        has_fallback = true;
      }
      if (const char* value = std::getenv(name.c_str()); value && *value) {
        out += value;
      } else if (has_fallback) {
        out += fallback;
      } else {
        problem(node, key, fmt::format("environment variable {} is not set", name));
      }
      pos = close + 1;
    }
    out.append(raw, pos);
    return out;
  }

  std::string source_;
  std::vector<std::string> problems_;
};

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

void parse_auth(Reader& r, const YAML::Node& node, Config& config) {
  if (!r.expect_map(node, "auth", {"mode"})) return;
  const auto& mode = node["mode"];
  if (!mode) return;
  config.auth_modes.clear();
  auto add = [&](const YAML::Node& item) {
    auto value = r.text(item, "auth.mode");
    // Identity (jwt, api_key) is not built yet; accepting those modes would admit everyone.
    if (value != "none")
      r.problem(item, "auth.mode", "'" + value + "' is not available yet; use none");
    config.auth_modes.push_back(value);
  };
  if (mode.IsSequence()) {
    for (const auto& item : mode) add(item);
  } else {
    add(mode);
  }
}

void parse_backend_url(Reader& r, const YAML::Node& node, const std::string& key,
                       BackendConfig& backend) {
  std::string problem;
  auto url = parse_http_url(backend.url, problem);
  if (url && !url->query.empty()) problem = "must not have a query or fragment";
  if (!url || !url->query.empty()) {
    r.problem(node, key, problem);
    return;
  }
  backend.tls = url->tls;
  backend.host = std::move(url->host);
  backend.port = std::move(url->port);
  backend.base_path = std::move(url->path);
}

void parse_backend(Reader& r, const std::string& name, const YAML::Node& node,
                   BackendConfig& backend) {
  const std::string key = "backends." + name;
  backend.name = name;
  if (!r.expect_map(
          node, key,
          {"kind", "url", "api_key", "api_version", "ca_file", "stream_usage", "connect_timeout_ms",
           "first_byte_timeout_ms", "idle_timeout_ms", "max_idle_connections"}))
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
  if (node["api_key"]) backend.api_key = r.text(node["api_key"], key + ".api_key");
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
    if (!r.expect_map(entry, entry_key, {"backend", "deployment", "priority"})) continue;
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
    model.targets.push_back(std::move(target));
  }
  std::stable_sort(model.targets.begin(), model.targets.end(),
                   [](const auto& a, const auto& b) { return a.priority < b.priority; });
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
  r.expect_map(
      root, "",
      {"listen", "server", "log", "auth", "backends", "models", "prices", "audit", "ingest"});
  // A file for `tollgate ingest` alone needs no backends or models.
  const bool ingest_only = root["ingest"] && !root["backends"] && !root["models"];
  if (root["listen"]) parse_listen(r, root["listen"], config);
  if (root["server"]) parse_server(r, root["server"], config);
  if (root["log"]) parse_log(r, root["log"], config);
  if (root["auth"]) parse_auth(r, root["auth"], config);

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
  if (root["prices"]) parse_prices(r, root["prices"], config);
  if (root["audit"]) parse_audit(r, root["audit"], config);
  if (root["ingest"]) parse_ingest(r, root["ingest"], config);

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
