// The bookkeeping the spool's writer and readers share: which segments exist and how much of
// each may be read, every sink's durable cursor, the space accounting and the counters.
//
// Threading: every method may be called from any thread. One mutex guards everything; each
// method holds it briefly and none does I/O under it.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "audit/spool.h"

namespace tollgate::audit::spool {

// What a reader may read in one segment, as of `generation`.
struct SegmentView {
  std::uint64_t generation = 0;
  bool exists = false;
  std::uint64_t readable_end = 0;     // bytes published by the writer
  std::optional<std::uint64_t> next;  // the following segment; when set, this one is sealed
};

class SpoolState {
 public:
  // `segments` maps each segment number to its readable size; the last one is the active
  // segment. `cursors` holds one position per configured sink.
  // REQUIRES: `segments` is not empty.
  SpoolState(std::uint64_t max_bytes, std::map<std::uint64_t, std::uint64_t> segments,
             std::map<std::string, SpoolPosition> cursors);

  // Reserves room for a record of `bytes` about to be queued. False, counted in dropped,
  // when pending bytes plus reservations would pass max_bytes, unless `beyond_max` (an event
  // that completes an admitted call, see Spool::Admission).
  bool try_reserve(std::uint64_t bytes, bool beyond_max = false);
  // Returns the reservation of a record that was not written.
  void release(std::uint64_t bytes);

  // The writer has written `records` more records to `segment`, which now ends at `end`.
  // Their reservations become pending bytes and readers may read up to `end`.
  void publish(std::uint64_t segment, std::uint64_t end, std::uint64_t records);
  // The writer has sealed the active segment and started the empty `segment`.
  void add_segment(std::uint64_t segment);
  // Forgets the sealed segments every cursor has passed, and returns them for deletion.
  std::vector<std::uint64_t> take_deletable();

  SegmentView view(std::uint64_t segment) const;
  // Waits until the generation moves past `generation` (the writer published or rolled
  // over) or `deadline` passes. True if it moved.
  bool wait_for_change(std::uint64_t generation, std::chrono::steady_clock::time_point deadline);
  void set_cursor(const std::string& sink, SpoolPosition position);
  // Counts damage found at `at` in corrupt_records, once however many readers report it.
  void report_damage(SpoolPosition at);

  SpoolStats stats() const;

 private:
  void recompute_pending();  // REQUIRES: mutex_ held.

  const std::uint64_t max_bytes_;
  mutable std::mutex mutex_;
  std::condition_variable published_;
  std::map<std::uint64_t, std::uint64_t> segments_;  // GUARDED_BY(mutex_)
  std::uint64_t generation_ = 0;                     // GUARDED_BY(mutex_)
  std::map<std::string, SpoolPosition> cursors_;     // GUARDED_BY(mutex_)
  std::uint64_t reserved_ = 0;                       // GUARDED_BY(mutex_)
  std::set<SpoolPosition> damage_;                   // GUARDED_BY(mutex_)
  SpoolStats stats_;                                 // GUARDED_BY(mutex_)
};

}  // namespace tollgate::audit::spool
