#include "http/signals.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <csignal>

namespace tollgate::http {

struct SignalWatcher::State {
  boost::asio::io_context context{1};
  boost::asio::signal_set signals{context, SIGINT, SIGTERM};
};

SignalWatcher::SignalWatcher(std::function<void()> on_signal) : state_(std::make_unique<State>()) {
  state_->signals.async_wait([on_signal = std::move(on_signal)](auto ec, int) {
    if (!ec) on_signal();
  });
  thread_ = std::thread([this] { state_->context.run(); });
}

SignalWatcher::~SignalWatcher() {
  state_->context.stop();
  thread_.join();
}

}  // namespace tollgate::http
