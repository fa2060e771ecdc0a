// An event loop on a thread of its own, for work that must not run on the request loops:
// fetching signing keys and tokens. Request coroutines hand work to it with
// `co_await co_spawn(loop.executor(), task(), use_awaitable)` and resume on their own loop.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <string>
#include <thread>

namespace tollgate::http {

class BackgroundLoop {
 public:
  BackgroundLoop();
  ~BackgroundLoop();  // stops and joins
  BackgroundLoop(const BackgroundLoop&) = delete;
  BackgroundLoop& operator=(const BackgroundLoop&) = delete;

  boost::asio::any_io_executor executor() { return context_.get_executor(); }

  // Starts the thread; `name` is what tools such as top show.
  void start(const std::string& name);
  // Stops the loop, abandoning its pending work, and joins the thread. Idempotent.
  void stop();

 private:
  boost::asio::io_context context_{1};
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  std::thread thread_;
};

}  // namespace tollgate::http
