#include "core/http_url.h"

#include <boost/url/parse.hpp>

namespace tollgate {

std::optional<HttpUrl> parse_http_url(std::string_view text, std::string& problem) {
  auto parsed = boost::urls::parse_absolute_uri(text);
  if (!parsed || (parsed->scheme() != "http" && parsed->scheme() != "https") ||
      parsed->host().empty()) {
    problem = "must be an absolute http:// or https:// URL";
    return std::nullopt;
  }
  if (parsed->has_fragment()) {
    problem = "must not have a fragment";
    return std::nullopt;
  }
  HttpUrl url;
  url.tls = parsed->scheme() == "https";
  url.host = parsed->encoded_host_address();
  if (url.host.size() > 2 && url.host.front() == '[')
    url.host = url.host.substr(1, url.host.size() - 2);
  url.port = parsed->has_port() ? std::string(parsed->port()) : (url.tls ? "443" : "80");
  url.path = parsed->encoded_path();
  while (!url.path.empty() && url.path.back() == '/') url.path.pop_back();
  url.query = parsed->encoded_query();
  return url;
}

}  // namespace tollgate
