#include "balance/retry_policy.h"

#include <algorithm>

#include "balance/retry_after.h"

namespace tollgate::balance {

Verdict RetryPolicy::answered(int status, const boost::beast::http::fields& headers,
                              std::chrono::system_clock::time_point now) const {
  Verdict verdict;
  verdict.retry = std::find(retry_on_.begin(), retry_on_.end(), status) != retry_on_.end();
  const bool overloaded = status == 429 || status >= 500;
  if ((status == 429 || status == 503) && max_cooldown_.count() > 0)
    if (auto wait = retry_after(headers, now); wait && wait->count() > 0)
      verdict.cooldown = std::min(*wait, max_cooldown_);
  verdict.failure = overloaded && !verdict.cooldown;
  return verdict;
}

}  // namespace tollgate::balance
