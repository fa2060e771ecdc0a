// An absolute http(s) URL taken apart into what a client connection needs. Backends and the
// identity endpoints (JWKS, token endpoints) are all configured as such URLs.
#pragma once

#include <string>
#include <string_view>
#include <variant>

namespace tollgate {

struct EndpointUrl {
  bool tls = false;
  std::string host;        // without IPv6 brackets
  std::string port;        // explicit, or 443 / 80 by scheme
  std::string path;        // as written, "" when absent
  std::string query;       // without the '?', "" when absent
  bool has_query = false;  // a '?' was present
  bool has_fragment = false;

  // The request target: path (or "/") and query.
  std::string target() const;
  // The Host header value: the port is omitted when it is the scheme's default.
  std::string host_header() const;
};

// Parses `url`, or says why it is not an absolute http:// or https:// URL with a host.
std::variant<EndpointUrl, std::string> parse_endpoint_url(std::string_view url);

}  // namespace tollgate
