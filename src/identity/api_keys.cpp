#include "identity/api_keys.h"

#include <fmt/format.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <array>
#include <stdexcept>

#include "identity/base64url.h"

namespace tollgate::identity {

std::string sha256_hex(std::string_view text) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  if (EVP_Digest(text.data(), text.size(), digest.data(), &length, EVP_sha256(), nullptr) != 1)
    throw std::runtime_error("SHA-256 failed");
  std::string hex;
  hex.reserve(length * 2);
  for (unsigned int i = 0; i < length; ++i) hex += fmt::format("{:02x}", digest[i]);
  return hex;
}

std::string new_api_key() {
  std::array<unsigned char, 32> bytes{};
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1)
    throw std::runtime_error("the system's random number generator failed");
  return "tg-" + base64url_encode(
                     std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
}

ApiKeys::ApiKeys(const AuthConfig& auth) : auth_(auth) {
  for (const auto& key : auth.api_keys) by_hash_.emplace(key.sha256, &key);
}

std::variant<Identity, AuthFailure> ApiKeys::check(
    std::string_view key, std::chrono::system_clock::time_point now) const {
  // Looking up the hash, not the key, means the comparison reveals nothing about any key.
  auto it = by_hash_.find(sha256_hex(key));
  if (it == by_hash_.end())
    return AuthFailure{AuthFailure::Kind::unauthenticated, "the API key is not valid"};
  const ApiKeyConfig& entry = *it->second;
  if (entry.expires && now >= *entry.expires)
    return AuthFailure{AuthFailure::Kind::unauthenticated,
                       "the API key '" + entry.name + "' has expired"};
  Identity identity;
  identity.auth_method = "api_key";
  identity.app_id = entry.app_id;
  identity.subject = entry.name;
  if (auto name = auth_.applications.find(entry.app_id); name != auth_.applications.end())
    identity.name = name->second;
  identity.roles = entry.roles;
  return identity;
}

}  // namespace tollgate::identity
