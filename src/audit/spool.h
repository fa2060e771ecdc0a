// The audit spool: a local, append-only, checksummed log of serialized audit events. The
// gateway's hot path appends to it and never waits on a sink; each sink reads from it with a
// durable cursor of its own, so a sink outage only makes the spool grow, and a gateway crash
// loses nothing that was appended. The on-disk format is specified in docs/spool-format.md.
//
// Threading: async_append() may be called from any thread; records are written by the spool's
// own writer thread in group commits. Each Reader is used by one sink thread at a time.
// Readers belong to the Spool: stop every thread using one before destroying the Spool.
#pragma once

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/append.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/system/error_code.hpp>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace tollgate::audit {

struct SpoolOptions {
  std::filesystem::path dir;
  std::uint64_t max_bytes = std::uint64_t{1} << 30;       // undelivered bytes before "full"
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
  std::uint64_t dropped = 0;          // refused or dropped because the spool was full
  std::uint64_t pending_bytes = 0;    // written but not yet delivered by every sink
  std::uint64_t corrupt_records = 0;  // skipped by readers (damage in the middle of a file)
};

// The errors async_append() completes with.
enum class SpoolError { full = 1, dropped, io_error, closed, too_large };
const boost::system::error_category& spool_category();
boost::system::error_code make_error_code(SpoolError e);

namespace detail {

// Completes an append through the handler's own executor, from whichever thread calls it,
// and keeps that executor's outstanding work counted until then, so that an io_context does
// not run out of work while its append is queued. This is done before type erasure because
// Boost 1.81's any_completion_executor cannot be required to be blocking.never, which post()
// needs: only the concrete executor guarantees that the handler never runs inline.
template <class Handler>
class PostedCompletion {
 public:
  explicit PostedCompletion(Handler handler)
      : work_(boost::asio::make_work_guard(handler)), handler_(std::move(handler)) {}

  void operator()(boost::system::error_code ec) {
    boost::asio::post(work_.get_executor(), boost::asio::append(std::move(handler_), ec));
    work_.reset();
  }

 private:
  boost::asio::executor_work_guard<boost::asio::associated_executor_t<Handler>> work_;
  Handler handler_;
};

}  // namespace detail

class Spool {
 public:
  class Reader {
   public:
    virtual ~Reader() = default;
    // Returns the next records in spool order, at most `max_records` and (unless the first
    // record alone is larger) `max_bytes` of payload, waiting up to `wait` for the first one;
    // empty if none arrived. Each call continues after the previous batch, committed or not;
    // after a restart, reading starts after the committed cursor. Never returns a torn or
    // corrupt record, nor one whose append has not completed.
    virtual std::vector<SpoolRecord> next_batch(std::size_t max_records, std::size_t max_bytes,
                                                std::chrono::milliseconds wait) = 0;
    // Records durably (in the sink's cursor file) that every record up to `end` is delivered,
    // which lets the spool free their space. A failure to store it is logged; the sink then
    // receives those records again after a restart.
    // REQUIRES: `end` is the end of a record this reader returned.
    virtual void commit(SpoolPosition end) = 0;
  };

  // Opens the spool in options.dir (creating it), truncating a torn record at the tail of the
  // last segment, and opens one cursor per sink name (new sinks start at the oldest record).
  // Throws std::system_error on I/O failure, std::invalid_argument for a sink name that is
  // repeated or not [A-Za-z0-9._-]+ (it names the cursor file).
  static std::unique_ptr<Spool> open(SpoolOptions options, const std::vector<std::string>& sinks);
  virtual ~Spool() = default;

  // Whether an append may be refused when the spool is full. The first event of a call may
  // (the call is then refused, or its events dropped); the event that completes an admitted
  // call must not, so that no admitted call is left half-recorded: it may take the spool past
  // max_bytes, by at most one event per call in flight.
  enum class Admission { may_refuse, must_keep };

  // Appends one record; completes with success once it is written (see fsync_interval), or
  // with SpoolError::full (reject policy), SpoolError::dropped (drop policy), io_error,
  // closed, or too_large (over 256 MiB). Completes through the handler's associated executor,
  // never inline, and keeps that executor's outstanding work counted meanwhile.
  template <class Token>
  auto async_append(std::string payload, Admission admission, Token&& token) {
    return boost::asio::async_initiate<Token, void(boost::system::error_code)>(
        [this, admission](auto handler, std::string payload) {
          start_append(std::move(payload), admission,
                       detail::PostedCompletion<decltype(handler)>(std::move(handler)));
        },
        token, std::move(payload));
  }
  template <class Token>
  auto async_append(std::string payload, Token&& token) {
    return async_append(std::move(payload), Admission::may_refuse, std::forward<Token>(token));
  }

  // The reader of a sink named at open(); throws std::invalid_argument for any other name.
  virtual Reader& reader(const std::string& sink) = 0;
  virtual SpoolStats stats() const = 0;
  // Writes and fsyncs what is queued, then stops the writer; later appends fail with closed.
  // Readers keep working. Called by the destructor too.
  // REQUIRES: not called concurrently with itself.
  virtual void close() = 0;

 protected:
  using AppendHandler = boost::asio::any_completion_handler<void(boost::system::error_code)>;
  // `handler` posts to the caller's executor itself (detail::PostedCompletion), so it may be
  // invoked directly, exactly once, from any thread.
  virtual void start_append(std::string payload, Admission admission, AppendHandler handler) = 0;
};

}  // namespace tollgate::audit

template <>
struct boost::system::is_error_code_enum<tollgate::audit::SpoolError> : std::true_type {};
