#include "http/tls_contexts.h"

namespace tollgate::http {

namespace ssl = boost::asio::ssl;

namespace {

std::unique_ptr<ssl::context> client_context() {
  auto context = std::make_unique<ssl::context>(ssl::context::tls_client);
  context->set_verify_mode(ssl::verify_peer);
  context->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                       ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
  return context;
}

}  // namespace

TlsContexts::TlsContexts(const Config& config) : system_(client_context()) {
  system_->set_default_verify_paths();
  for (const auto& backend : config.backends) {
    if (backend.ca_file.empty()) continue;
    auto context = client_context();
    context->load_verify_file(backend.ca_file);
    custom_[backend.name] = std::move(context);
  }
}

ssl::context& TlsContexts::for_backend(const BackendConfig& backend) {
  auto it = custom_.find(backend.name);
  return it == custom_.end() ? *system_ : *it->second;
}

}  // namespace tollgate::http
