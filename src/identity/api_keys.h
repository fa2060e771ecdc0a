// API keys: the caller presents the key, the configuration holds only its SHA-256, so a leaked
// configuration file does not leak keys. Each key bills to an application.
//
// Threading: immutable after construction; check() may run on several threads at once.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <unordered_map>
#include <variant>

#include "core/config.h"
#include "identity/identity.h"

namespace tollgate::identity {

class ApiKeys {
 public:
  // `auth` must outlive this object.
  explicit ApiKeys(const AuthConfig& auth);

  // The identity a key proves, or why it proves none.
  std::variant<Identity, AuthFailure> check(std::string_view key,
                                            std::chrono::system_clock::time_point now) const;

 private:
  const AuthConfig& auth_;
  std::unordered_map<std::string, const ApiKeyConfig*> by_hash_;
};

// Lowercase hex SHA-256 of `text`.
std::string sha256_hex(std::string_view text);

// A new random key: "tg-" and 43 base64url characters (256 bits from the OS's CSPRNG).
std::string new_api_key();

}  // namespace tollgate::identity
