#include "http/tls_contexts.h"

namespace tollgate::http {

namespace ssl = boost::asio::ssl;

std::unique_ptr<ssl::context> verifying_client_context(const std::string& ca_file) {
  auto context = std::make_unique<ssl::context>(ssl::context::tls_client);
  context->set_verify_mode(ssl::verify_peer);
  context->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                       ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
  if (ca_file.empty())
    context->set_default_verify_paths();
  else
    context->load_verify_file(ca_file);
  return context;
}

TlsContexts::TlsContexts(const Config& config) : system_(verifying_client_context("")) {
  for (const auto& backend : config.backends)
    if (!backend.ca_file.empty()) custom_[backend.name] = verifying_client_context(backend.ca_file);
}

ssl::context& TlsContexts::for_backend(const BackendConfig& backend) {
  auto it = custom_.find(backend.name);
  return it == custom_.end() ? *system_ : *it->second;
}

}  // namespace tollgate::http
