// The signing keys of one identity provider, from its OpenID discovery document or JWKS URL:
// fetched at start, refreshed on a schedule (auth.jwt.keys_refresh_s), and fetched again when a
// token names a key not in the set, at most once per auth.jwt.unknown_kid_refetch_s, so a key
// rotation is picked up at once while forged kids cannot make the gateway hammer the provider.
// When the provider is unreachable the keys already fetched keep working.
//
// Threading: the fetching runs on the background loop given to the constructor; current() and
// refetch_for_unknown_kid() may be called from any thread.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/config.h"
#include "http/fetch.h"
#include "identity/public_key.h"

namespace tollgate::identity {

struct KeySet {
  std::vector<PublicKey> keys;
  std::chrono::steady_clock::time_point fetched;

  // The key with this kid; with an empty kid, the only key when there is exactly one.
  const PublicKey* find(const std::string& kid) const;
};

class SigningKeys {
 public:
  // `source` names the URL and its CA file; `config` gives the timings. Both, and `fetcher`,
  // must outlive this object; `fetcher` must belong to `executor`.
  SigningKeys(boost::asio::any_io_executor executor, http::Fetcher& fetcher,
              const JwtIssuerConfig& source, const JwtConfig& config);

  // Starts fetching and the refresh schedule.
  void start();

  // The keys as last fetched; null before the first successful fetch.
  std::shared_ptr<const KeySet> current() const;

  // Fetches the keys again unless that happened for this reason within the refetch limit (or
  // joins a fetch under way), and returns the keys after. Any thread.
  boost::asio::awaitable<std::shared_ptr<const KeySet>> refetch_for_unknown_kid();

  // How many fetches were attempted; for tests and logs.
  std::size_t fetch_count() const;

 private:
  boost::asio::awaitable<void> refresh_loop();
  boost::asio::awaitable<std::shared_ptr<const KeySet>> refetch_on_loop();
  // Fetches once, or waits for the fetch under way. Returns whether keys were stored.
  boost::asio::awaitable<bool> fetch();
  boost::asio::awaitable<std::string> fetch_into(KeySet& keys);

  boost::asio::any_io_executor executor_;
  http::Fetcher& fetcher_;
  const JwtIssuerConfig& source_;
  const JwtConfig& config_;
  const std::string url_;  // discovery or JWKS URL, for logs

  // Touched only on the background loop:
  bool fetching_ = false;
  boost::asio::steady_timer fetch_done_;  // waiters join a fetch under way by waiting on it
  boost::asio::steady_timer schedule_;
  std::chrono::steady_clock::time_point last_kid_refetch_{};

  mutable std::mutex mutex_;
  std::shared_ptr<const KeySet> keys_;  // GUARDED_BY(mutex_)
  std::size_t fetches_ = 0;             // GUARDED_BY(mutex_)
};

}  // namespace tollgate::identity
