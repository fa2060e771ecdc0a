// An absolute http:// or https:// URL split into what a client connects to: backends in the
// configuration, and the destinations of the http and eventhubs_http audit sinks.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace tollgate {

struct HttpUrl {
  bool tls = false;
  std::string host;   // without IPv6 brackets
  std::string port;   // given, or 80 / 443
  std::string path;   // percent-encoded as given; without a trailing slash: "" or "/v1"
  std::string query;  // percent-encoded as given, without the '?'; often empty
};

// nullopt, with `problem` saying why, when `text` is not an absolute http(s) URL with a host
// and without a fragment.
std::optional<HttpUrl> parse_http_url(std::string_view text, std::string& problem);

}  // namespace tollgate
