// Shared Access Signatures for the Event Hubs REST API, signed by the gateway with a shared
// access policy's name and key (from the connection string, event_hubs.h), as Microsoft
// documents them:
//   SharedAccessSignature sr={URI}&sig={SIG}&se={EXPIRY}&skn={KEY NAME}
// where URI is the url-encoded resource URI, EXPIRY a Unix time in seconds, and SIG the
// url-encoded base64 HMAC-SHA256, keyed with the key's text, of URI + "\n" + EXPIRY.
//
// The key and the tokens are secrets: nothing here logs them, and errors never quote them.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace tollgate::audit {

// Percent-encodes everything but RFC 3986's unreserved characters (A-Z a-z 0-9 - . _ ~).
std::string url_encode(std::string_view text);

// The token for `resource_uri` (not yet encoded), valid until `expiry` (Unix seconds).
std::string sas_token(std::string_view resource_uri, std::string_view key_name,
                      std::string_view key, std::int64_t expiry);

// Hands out a token for one resource, signing a new one, valid for `ttl`, when less than half
// of the current one's lifetime is left, so a request never carries a token about to expire.
// Not thread-safe.
class SasSigner {
 public:
  SasSigner(std::string resource_uri, std::string key_name, std::string key,
            std::chrono::seconds ttl);
  const std::string& token(std::chrono::system_clock::time_point now);

 private:
  const std::string resource_uri_;
  const std::string key_name_;
  const std::string key_;
  const std::chrono::seconds ttl_;
  std::string token_;
  std::chrono::system_clock::time_point renew_at_{};
};

}  // namespace tollgate::audit
