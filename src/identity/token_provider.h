// Access tokens the gateway obtains for itself to call a backend: Entra ID client credentials
// (an app's client id and secret) or an Azure managed identity (the instance metadata service,
// or App Service / Container Apps' IDENTITY_ENDPOINT). A token is cached and renewed in the
// background before it expires, so calls normally never wait for one.
//
// Threading: fetching runs on the background executor; token() may be called from any thread.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <mutex>
#include <string>
#include <variant>

#include "core/config.h"
#include "http/fetch.h"

namespace tollgate::identity {

struct AccessToken {
  std::string value;
  std::chrono::system_clock::time_point obtained;
  std::chrono::system_clock::time_point expires;
};

class TokenProvider {
 public:
  // `credential` and `fetcher` must outlive this object; `fetcher` belongs to `executor`.
  // `backend` names the backend in logs.
  TokenProvider(boost::asio::any_io_executor executor, http::Fetcher& fetcher,
                const CredentialConfig& credential, std::string backend);

  // Fetches the first token in the background, so the first call need not wait.
  void start();

  // A token valid for at least a little longer, fetching one if none is; or why there is none.
  // Any thread.
  boost::asio::awaitable<std::variant<AccessToken, std::string>> token();

  // How many times the token endpoint was asked; for tests and logs.
  std::size_t fetch_count() const;

 private:
  boost::asio::awaitable<std::variant<AccessToken, std::string>> token_on_loop();
  boost::asio::awaitable<std::string> fetch();  // returns an error, or "" with the token stored
  http::FetchRequest token_request() const;

  boost::asio::any_io_executor executor_;
  http::Fetcher& fetcher_;
  const CredentialConfig& credential_;
  const std::string backend_;

  // Touched only on the background loop:
  bool fetching_ = false;
  boost::asio::steady_timer fetch_done_;
  std::string last_error_;

  mutable std::mutex mutex_;
  AccessToken token_;        // GUARDED_BY(mutex_); empty value: none yet
  std::size_t fetches_ = 0;  // GUARDED_BY(mutex_)
};

// What a token endpoint answered, read: the token and when it expires (`expires_in` seconds,
// or `expires_on` epoch seconds; numbers or numeric strings, as Entra and IMDS differ). Exposed
// for tests.
std::variant<AccessToken, std::string> read_token_answer(std::string_view body,
                                                         std::chrono::system_clock::time_point now);

}  // namespace tollgate::identity
