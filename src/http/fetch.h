// One-shot HTTP(S) requests the gateway makes for itself: OpenID discovery, JWKS, and token
// endpoints. Each uses a fresh connection (these calls are rare: at start, on key rotation,
// before a token expires), with certificates always verified.
//
// Threading: a Fetcher belongs to one executor and is used only from it.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/http/verb.hpp>
#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace tollgate::http {

struct FetchRequest {
  boost::beast::http::verb method = boost::beast::http::verb::get;
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string content_type;  // with a body
  std::string body;
  std::chrono::milliseconds timeout{10'000};  // for connecting, and again for the exchange
  std::string ca_file;                        // CAs to trust instead of the system store
};

struct FetchResult {
  std::string error;  // why no answer arrived; empty when one did
  int status = 0;
  std::string body;
};

class Fetcher {
 public:
  explicit Fetcher(boost::asio::any_io_executor executor);

  // Answers larger than this are refused (a JWKS or a token answer is a few KiB).
  static constexpr std::size_t max_answer_bytes = 1024 * 1024;

  boost::asio::awaitable<FetchResult> fetch(const FetchRequest& request);

 private:
  boost::asio::ssl::context& tls_for(const std::string& ca_file);

  boost::asio::any_io_executor executor_;
  std::map<std::string, std::unique_ptr<boost::asio::ssl::context>> tls_;  // by ca_file
};

}  // namespace tollgate::http
