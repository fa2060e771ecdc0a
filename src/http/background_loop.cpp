#include "http/background_loop.h"

#include <pthread.h>
#include <spdlog/spdlog.h>

namespace tollgate::http {

BackgroundLoop::BackgroundLoop() : work_(context_.get_executor()) {}

BackgroundLoop::~BackgroundLoop() { stop(); }

void BackgroundLoop::start(const std::string& name) {
  thread_ = std::thread([this, name] {
    ::pthread_setname_np(::pthread_self(), name.substr(0, 15).c_str());
    try {
      context_.run();
    } catch (const std::exception& e) {
      spdlog::error("background loop {} failed: {}", name, e.what());
    }
  });
}

void BackgroundLoop::stop() {
  work_.reset();
  context_.stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace tollgate::http
