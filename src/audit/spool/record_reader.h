// Reads and checks the records of one segment file. Used by the spool's readers and by the
// recovery scan at open; the record layout is in docs/spool-format.md.
//
// Threading: one thread at a time. The reader never looks at a byte at or past the `limit`
// it is given, so it may read a segment that is being appended to, as long as `limit` is an
// end the writer has published.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>

#include "audit/spool/posix_file.h"

namespace tollgate::audit::spool {

enum class ReadStatus {
  ok,           // `payload` holds an intact record
  end,          // offset == limit: no more records
  over_budget,  // the record's payload is larger than `budget`; nothing was consumed
  incomplete,   // the readable bytes end inside the record (at a file's end: a torn tail)
  damaged,      // length over the maximum, or checksum mismatch: the bytes cannot be trusted
  io_error,     // the file could not be read; `problem` says why
};

class RecordReader {
 public:
  explicit RecordReader(File file) : file_(std::move(file)) {}

  // Reads the record that starts at `offset`, using only bytes before `limit`. On ok the
  // record ends at offset + kHeaderBytes + payload.size(). Otherwise `problem` describes
  // what was found (for logs; it never contains record content).
  ReadStatus read(std::uint64_t offset, std::uint64_t limit, std::size_t budget,
                  std::string& payload, std::string& problem);

 private:
  // Copies [offset, offset + n) into `dst`, through the read-ahead buffer for small reads.
  // REQUIRES: offset + n <= limit.
  std::error_code fetch(std::uint64_t offset, std::size_t n, std::uint64_t limit, char* dst,
                        bool& short_read);

  File file_;
  // A small read-ahead window, so a batch of small records costs few preads while memory
  // stays bounded whatever the segment size. Bytes in it are below some published end, and
  // spool files are append-only, so they never go stale.
  std::string buffer_;
  std::uint64_t buffer_offset_ = 0;
};

}  // namespace tollgate::audit::spool
