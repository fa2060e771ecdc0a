#include "audit/spool/state.h"

#include <algorithm>
#include <iterator>

namespace tollgate::audit::spool {

SpoolState::SpoolState(std::uint64_t max_bytes, std::map<std::uint64_t, std::uint64_t> segments,
                       std::map<std::string, SpoolPosition> cursors)
    : max_bytes_(max_bytes), segments_(std::move(segments)), cursors_(std::move(cursors)) {
  recompute_pending();
}

bool SpoolState::try_reserve(std::uint64_t bytes, bool beyond_max) {
  std::lock_guard lock(mutex_);
  const std::uint64_t used = stats_.pending_bytes + reserved_;
  if (!beyond_max && (used > max_bytes_ || bytes > max_bytes_ - used)) {
    ++stats_.dropped;
    return false;
  }
  reserved_ += bytes;
  return true;
}

void SpoolState::release(std::uint64_t bytes) {
  std::lock_guard lock(mutex_);
  reserved_ -= bytes;
}

void SpoolState::publish(std::uint64_t segment, std::uint64_t end, std::uint64_t records) {
  {
    std::lock_guard lock(mutex_);
    std::uint64_t& size = segments_[segment];
    const std::uint64_t written = end - size;
    size = end;
    reserved_ -= written;
    // New bytes are pending for every sink, since every cursor is behind the end.
    if (!cursors_.empty()) stats_.pending_bytes += written;
    stats_.appended += records;
    ++generation_;
  }
  published_.notify_all();
}

void SpoolState::add_segment(std::uint64_t segment) {
  {
    std::lock_guard lock(mutex_);
    segments_.emplace(segment, 0);
    ++generation_;
  }
  published_.notify_all();
}

std::vector<std::uint64_t> SpoolState::take_deletable() {
  std::vector<std::uint64_t> deletable;
  std::lock_guard lock(mutex_);
  while (segments_.size() > 1) {
    const auto oldest = segments_.begin();
    const SpoolPosition end{oldest->first, oldest->second};
    const bool needed = std::any_of(cursors_.begin(), cursors_.end(),
                                    [&](const auto& cursor) { return cursor.second < end; });
    if (needed) break;
    deletable.push_back(oldest->first);
    segments_.erase(oldest);
  }
  return deletable;
}

SegmentView SpoolState::view(std::uint64_t segment) const {
  std::lock_guard lock(mutex_);
  SegmentView view;
  view.generation = generation_;
  auto next = segments_.upper_bound(segment);
  if (next != segments_.end()) view.next = next->first;
  if (auto it = segments_.find(segment); it != segments_.end()) {
    view.exists = true;
    view.readable_end = it->second;
  }
  return view;
}

bool SpoolState::wait_for_change(std::uint64_t generation,
                                 std::chrono::steady_clock::time_point deadline) {
  std::unique_lock lock(mutex_);
  // Past the deadline, even a change is not waited for, so a reader that cannot make
  // progress (damage in the active segment) does not spin on every publication.
  if (std::chrono::steady_clock::now() >= deadline) return false;
  return published_.wait_until(lock, deadline, [&] { return generation_ != generation; });
}

void SpoolState::set_cursor(const std::string& sink, SpoolPosition position) {
  std::lock_guard lock(mutex_);
  cursors_[sink] = position;
  recompute_pending();
}

void SpoolState::report_damage(SpoolPosition at) {
  std::lock_guard lock(mutex_);
  if (damage_.insert(at).second) ++stats_.corrupt_records;
}

SpoolStats SpoolState::stats() const {
  std::lock_guard lock(mutex_);
  return stats_;
}

void SpoolState::recompute_pending() {
  stats_.pending_bytes = 0;
  if (cursors_.empty()) return;
  const SpoolPosition oldest =
      std::min_element(cursors_.begin(), cursors_.end(), [](const auto& a, const auto& b) {
        return a.second < b.second;
      })->second;
  for (auto it = segments_.lower_bound(oldest.segment); it != segments_.end(); ++it) {
    stats_.pending_bytes += it->second;
    if (it->first == oldest.segment) stats_.pending_bytes -= std::min(oldest.offset, it->second);
  }
}

}  // namespace tollgate::audit::spool
