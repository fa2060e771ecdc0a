// The TLS client settings for each backend: certificates are always verified, against the
// system CA store or, for a backend with `ca_file`, against that file's CAs alone (a private
// CA, or a test fixture).
//
// Threading: built before the event loops start, then only read; OpenSSL allows one SSL_CTX
// to create connections on several threads at once.
#pragma once

#include <boost/asio/ssl/context.hpp>
#include <map>
#include <memory>
#include <string>

#include "core/config.h"

namespace tollgate::http {

// A client context that verifies servers against the system CA store, or against the CAs in
// `ca_file` alone when it is not empty. Throws boost::system::system_error when it cannot be
// loaded. Host names are checked per connection (UpstreamPool).
std::unique_ptr<boost::asio::ssl::context> make_client_context(const std::string& ca_file);

class TlsContexts {
 public:
  // Throws boost::system::system_error when a ca_file cannot be loaded.
  explicit TlsContexts(const Config& config);

  boost::asio::ssl::context& for_backend(const BackendConfig& backend);

 private:
  std::unique_ptr<boost::asio::ssl::context> system_;
  std::map<std::string, std::unique_ptr<boost::asio::ssl::context>> custom_;
};

}  // namespace tollgate::http
