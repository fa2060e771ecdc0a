// A sink's durable cursor: the end of the last record it has delivered, in a small
// checksummed file replaced atomically (docs/spool-format.md, "Cursor files").
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

#include "audit/spool.h"

namespace tollgate::audit::spool {

std::string encode_cursor(SpoolPosition position);
// nullopt when `bytes` is not a well-formed cursor (wrong size or checksum).
std::optional<SpoolPosition> decode_cursor(std::string_view bytes);

enum class CursorState { missing, invalid, ok };

struct LoadedCursor {
  CursorState state = CursorState::missing;
  SpoolPosition position;  // meaningful when state is ok
};

// Reads the cursor file at `path`. Throws std::system_error when it exists but cannot be
// read: a cursor that is there but unreadable must not silently restart a sink.
LoadedCursor load_cursor(const std::filesystem::path& path);

// Replaces the cursor file at `path`: writes "<path>.tmp", fdatasyncs it, renames it over
// `path`. A crash leaves the old cursor or the new one, never a mix.
std::error_code store_cursor(const std::filesystem::path& path, SpoolPosition position);

}  // namespace tollgate::audit::spool
