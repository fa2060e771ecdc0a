// Waits for SIGTERM or SIGINT on a thread of its own, for servers that drain on a signal.
#pragma once

#include <functional>
#include <thread>

namespace tollgate::http {

// Starts a thread that calls `on_signal` once when SIGTERM or SIGINT arrives. Join it after
// the server stops; if no signal came, destroying the returned object's context ends it.
class SignalWatcher {
 public:
  explicit SignalWatcher(std::function<void()> on_signal);
  ~SignalWatcher();
  SignalWatcher(const SignalWatcher&) = delete;
  SignalWatcher& operator=(const SignalWatcher&) = delete;

 private:
  struct State;
  std::unique_ptr<State> state_;
  std::thread thread_;
};

}  // namespace tollgate::http
