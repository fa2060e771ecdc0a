// Tokens this event loop has already verified, with the identity each proved. An SDK sends the
// same bearer token for its whole life (about an hour with Entra ID), so the signature check —
// tens of microseconds of RSA — runs once per token per loop instead of once per call.
//
// An entry lasts until the token expires, but at most `max_age` (5 minutes), which bounds how
// long a token stays admitted after its signing key is withdrawn from the JWKS. Only tokens
// that passed every check are kept.
//
// Threading: one per event loop, used only from it (no lock).
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <unordered_map>

#include "identity/identity.h"

namespace tollgate::identity {

class VerifiedTokens {
 public:
  static constexpr std::size_t max_entries = 4096;
  static constexpr std::chrono::minutes max_age{5};

  // The identity `token` proved, if it is remembered and still valid at `now`.
  const Identity* find(std::string_view token, std::chrono::system_clock::time_point now);

  // Remembers that `token` proved `identity` and is valid until `valid_until`.
  void remember(std::string_view token, const Identity& identity,
                std::chrono::system_clock::time_point valid_until,
                std::chrono::system_clock::time_point now);

 private:
  struct Entry {
    Identity identity;
    std::chrono::system_clock::time_point valid_until;
  };
  // Looked up by string_view, without copying the token.
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view text) const {
      return std::hash<std::string_view>{}(text);
    }
  };
  std::unordered_map<std::string, Entry, Hash, std::equal_to<>> entries_;
};

}  // namespace tollgate::identity
