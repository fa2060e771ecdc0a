// How audit events fill the `calls` table (one row per call, keyed by message_id): which
// event field each column comes from, and which of the call's two events decides it.
//
// Both events of a call upsert the same row. For each column, the owner's non-null value
// wins, and the other event's value is used only while the owner has given none. The row
// therefore depends only on which events have arrived, never on their order or on how often
// each arrived, which is what lets the SQLite sink take at-least-once delivery.
#pragma once

#include <span>
#include <string_view>

namespace tollgate::audit {

enum class EventSide { request, response };

struct CallColumn {
  std::string_view name;     // column in `calls`
  std::string_view pointer;  // JSON Pointer (RFC 6901) into the event
  EventSide owner;
  // Taken from the owner's event only: the two events' `time` mean different things.
  bool owner_only = false;
  // The column counts the elements of the array at `pointer` instead of copying a value.
  bool count = false;
};

// Every column of `calls` but message_id, in the table's order.
std::span<const CallColumn> call_columns();

}  // namespace tollgate::audit
