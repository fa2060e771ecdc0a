// The audit spool: a local, append-only, checksummed log of serialized audit events. The
// gateway's hot path appends to it and never waits on a sink; each sink reads from it with a
// durable cursor of its own, so a sink outage only makes the spool grow, and a gateway crash
// loses nothing that was appended. The on-disk format is specified in docs/spool-format.md.
//
// Threading: append() may be called from any thread; records are written by the spool's own
// writer thread in group commits. Each Reader is used by one sink thread at a time.
#pragma once

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/system/error_code.hpp>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace tollgate::audit {

struct SpoolOptions {
  std::filesystem::path dir;
  std::uint64_t max_bytes = std::uint64_t{1} << 30;      // undelivered bytes before "full"
  std::uint64_t segment_bytes = std::uint64_t{64} << 20;  // a new segment file past this
  // How often written records are also fsynced. 0: every group commit is fsynced before its
  // appends complete (survives power loss); otherwise an append completes once written to
  // the file (survives a process crash) and fsync follows within the interval.
  std::chrono::milliseconds fsync_interval{100};
  enum class WhenFull { reject, drop } when_full = WhenFull::reject;
};

// Where a record ends: the next record starts here.
struct SpoolPosition {
  std::uint64_t segment = 0;
  std::uint64_t offset = 0;
  friend auto operator<=>(const SpoolPosition&, const SpoolPosition&) = default;
};

struct SpoolRecord {
  SpoolPosition end;
  std::string payload;
};

struct SpoolStats {
  std::uint64_t appended = 0;
  std::uint64_t dropped = 0;           // refused or dropped because the spool was full
  std::uint64_t pending_bytes = 0;     // written but not yet delivered by every sink
  std::uint64_t corrupt_records = 0;   // skipped by readers (damage in the middle of a file)
};

// The errors append() completes with.
enum class SpoolError { full = 1, dropped, io_error, closed };
const boost::system::error_category& spool_category();
boost::system::error_code make_error_code(SpoolError e);

class Spool {
 public:
  class Reader {
   public:
    virtual ~Reader() = default;
    // Returns the records after the cursor, up to the limits, waiting up to `wait` for the
    // first one. Never returns a torn or corrupt record.
    virtual std::vector<SpoolRecord> next_batch(std::size_t max_records, std::size_t max_bytes,
                                                std::chrono::milliseconds wait) = 0;
    // Records durably (in the sink's cursor file) that every record up to `end` is delivered.
    // The next next_batch() starts after it; so does a restarted gateway.
    virtual void commit(SpoolPosition end) = 0;
  };

  // Opens the spool in options.dir (creating it), truncating a torn record at the tail of the
  // last segment, and opens one cursor per sink name (new sinks start at the oldest record).
  // Throws std::system_error on I/O failure.
  static std::unique_ptr<Spool> open(SpoolOptions options, const std::vector<std::string>& sinks);
  virtual ~Spool() = default;

  // Appends one record; completes with success once it is written (see fsync_interval), or
  // with SpoolError::full (reject policy), SpoolError::dropped (drop policy), io_error, closed.
  template <class Token>
  auto async_append(std::string payload, Token&& token) {
    return boost::asio::async_initiate<Token, void(boost::system::error_code)>(
        [this](auto handler, std::string payload) {
          start_append(std::move(payload), std::move(handler));
        },
        token, std::move(payload));
  }

  virtual Reader& reader(const std::string& sink) = 0;
  virtual SpoolStats stats() const = 0;
  // Writes and fsyncs what is queued, then stops the writer; later appends fail with closed.
  virtual void close() = 0;

 protected:
  using AppendHandler = boost::asio::any_completion_handler<void(boost::system::error_code)>;
  // The handler is invoked through its associated executor, never inline.
  virtual void start_append(std::string payload, AppendHandler handler) = 0;
};

}  // namespace tollgate::audit

template <>
struct boost::system::is_error_code_enum<tollgate::audit::SpoolError> : std::true_type {};
