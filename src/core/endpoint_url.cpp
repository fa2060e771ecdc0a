#include "core/endpoint_url.h"

#include <boost/url/parse.hpp>

namespace tollgate {

std::variant<EndpointUrl, std::string> parse_endpoint_url(std::string_view url) {
  auto parsed = boost::urls::parse_absolute_uri(url);
  if (!parsed || (parsed->scheme() != "http" && parsed->scheme() != "https") ||
      parsed->host().empty())
    return std::string("must be an absolute http:// or https:// URL");
  EndpointUrl out;
  out.tls = parsed->scheme() == "https";
  out.host = parsed->encoded_host_address();
  if (out.host.size() > 2 && out.host.front() == '[')
    out.host = out.host.substr(1, out.host.size() - 2);
  out.port = parsed->has_port() ? std::string(parsed->port()) : (out.tls ? "443" : "80");
  out.path = parsed->encoded_path();
  out.has_query = parsed->has_query();
  out.query = parsed->encoded_query();
  out.has_fragment = parsed->has_fragment();
  return out;
}

std::string EndpointUrl::target() const {
  std::string out = path.empty() ? "/" : path;
  if (has_query) out += "?" + query;
  return out;
}

std::string EndpointUrl::host_header() const {
  std::string name = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  return port == (tls ? "443" : "80") ? name : name + ":" + port;
}

}  // namespace tollgate
