#include "identity/verified_tokens.h"

#include <algorithm>

namespace tollgate::identity {

const Identity* VerifiedTokens::find(std::string_view token,
                                     std::chrono::system_clock::time_point now) {
  auto it = entries_.find(token);
  if (it == entries_.end()) return nullptr;
  if (now >= it->second.valid_until) {
    entries_.erase(it);
    return nullptr;
  }
  return &it->second.identity;
}

void VerifiedTokens::remember(std::string_view token, const Identity& identity,
                              std::chrono::system_clock::time_point valid_until,
                              std::chrono::system_clock::time_point now) {
  if (entries_.size() >= max_entries) {
    std::erase_if(entries_, [&](const auto& entry) { return now >= entry.second.valid_until; });
    // Still full of live tokens (more callers than entries): start over rather than track age.
    if (entries_.size() >= max_entries) entries_.clear();
  }
  entries_[std::string(token)] = Entry{identity, std::min(valid_until, now + max_age)};
}

}  // namespace tollgate::identity
