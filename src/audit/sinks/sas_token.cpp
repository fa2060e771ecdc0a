#include "audit/sinks/sas_token.h"

#include <fmt/format.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <stdexcept>

namespace tollgate::audit {

namespace {

std::string base64(const unsigned char* data, std::size_t size) {
  std::string out(4 * ((size + 2) / 3), '\0');
  const int written =
      EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), data, static_cast<int>(size));
  out.resize(static_cast<std::size_t>(written));
  return out;
}

bool unreserved(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~';
}

}  // namespace

std::string url_encode(std::string_view text) {
  std::string out;
  out.reserve(text.size() * 3);
  for (char c : text) {
    if (unreserved(c))
      out += c;
    else
      out += fmt::format("%{:02X}", static_cast<unsigned char>(c));
  }
  return out;
}

std::string sas_token(std::string_view resource_uri, std::string_view key_name,
                      std::string_view key, std::int64_t expiry) {
  const std::string encoded_uri = url_encode(resource_uri);
  const std::string to_sign = fmt::format("{}\n{}", encoded_uri, expiry);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int digest_size = 0;
  if (HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
           reinterpret_cast<const unsigned char*>(to_sign.data()), to_sign.size(), digest,
           &digest_size) == nullptr)
    throw std::runtime_error("HMAC-SHA256 failed");
  return fmt::format("SharedAccessSignature sr={}&sig={}&se={}&skn={}", encoded_uri,
                     url_encode(base64(digest, digest_size)), expiry, key_name);
}

SasSigner::SasSigner(std::string resource_uri, std::string key_name, std::string key,
                     std::chrono::seconds ttl)
    : resource_uri_(std::move(resource_uri)),
      key_name_(std::move(key_name)),
      key_(std::move(key)),
      ttl_(ttl) {}

const std::string& SasSigner::token(std::chrono::system_clock::time_point now) {
  if (token_.empty() || now >= renew_at_) {
    const auto expiry = std::chrono::time_point_cast<std::chrono::seconds>(now) + ttl_;
    token_ = sas_token(resource_uri_, key_name_, key_, expiry.time_since_epoch().count());
    renew_at_ = expiry - ttl_ / 2;
  }
  return token_;
}

}  // namespace tollgate::audit
