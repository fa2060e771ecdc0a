#include "audit/spool.h"

#include <map>
#include <stdexcept>

#include "audit/spool/group_writer.h"
#include "audit/spool/recovery.h"
#include "audit/spool/segment_files.h"
#include "audit/spool/sink_reader.h"
#include "audit/spool/state.h"

namespace tollgate::audit {

namespace {

class SpoolCategory final : public boost::system::error_category {
 public:
  const char* name() const noexcept override { return "tollgate.spool"; }
  std::string message(int value) const override {
    switch (static_cast<SpoolError>(value)) {
      case SpoolError::full:
        return "audit spool is full";
      case SpoolError::dropped:
        return "audit spool is full; event dropped";
      case SpoolError::io_error:
        return "audit spool write failed";
      case SpoolError::closed:
        return "audit spool is closed";
      case SpoolError::too_large:
        return "audit event exceeds the spool's maximum record size";
    }
    return "unknown audit spool error";
  }
};

class SpoolImpl final : public Spool {
 public:
  SpoolImpl(SpoolOptions options, spool::RecoveredSpool recovered)
      : options_(std::move(options)),
        state_(options_.max_bytes, recovered.segments, recovered.cursors) {
    spool::delete_segments(options_.dir, state_.take_deletable());
    for (const auto& [sink, start] : recovered.cursors) {
      readers_.emplace(sink,
                       std::make_unique<spool::SinkReader>(options_.dir, sink, state_, start));
    }
    const auto& [active_segment, active_size] = *recovered.segments.rbegin();
    writer_ = std::make_unique<spool::GroupWriter>(options_, state_, std::move(recovered.active),
                                                   active_segment, active_size);
  }

  Reader& reader(const std::string& sink) override {
    auto it = readers_.find(sink);
    if (it == readers_.end()) throw std::invalid_argument("spool: no sink named '" + sink + "'");
    return *it->second;
  }

  SpoolStats stats() const override { return state_.stats(); }
  void close() override { writer_->close(); }

 protected:
  void start_append(std::string payload, Admission admission, AppendHandler handler) override {
    writer_->append(std::move(payload), admission == Admission::must_keep, std::move(handler));
  }

 private:
  const SpoolOptions options_;
  spool::SpoolState state_;
  std::map<std::string, std::unique_ptr<spool::SinkReader>> readers_;
  std::unique_ptr<spool::GroupWriter> writer_;  // last: its thread stops before the rest goes
};

}  // namespace

const boost::system::error_category& spool_category() {
  static const SpoolCategory category;
  return category;
}

boost::system::error_code make_error_code(SpoolError e) {
  return {static_cast<int>(e), spool_category()};
}

std::unique_ptr<Spool> Spool::open(SpoolOptions options, const std::vector<std::string>& sinks) {
  auto recovered = spool::recover(options.dir, sinks);
  return std::make_unique<SpoolImpl>(std::move(options), std::move(recovered));
}

}  // namespace tollgate::audit
