// How audit events fill the `calls` table (one row per call, keyed by message_id): which
// event field each column comes from, and which of the call's two events decides it. The
// SQLite and PostgreSQL stores share this table's column names and this reading of events.
//
// Both events of a call upsert the same row. For each column, the owner's non-null value
// wins, and the other event's value is used only while the owner has given none. The row
// therefore depends only on which events have arrived, never on their order or on how often
// each arrived, which is what lets the SQL sinks take at-least-once delivery.
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace tollgate::audit {

enum class EventSide { request, response };

struct CallColumn {
  std::string_view name;     // column in `calls`
  std::string_view pointer;  // JSON Pointer (RFC 6901) into the typed event
  EventSide owner;
  // Taken from the owner's event only: the two events' `time` mean different things.
  bool owner_only = false;
  // The column counts the elements of the array at `pointer` instead of copying a value.
  bool count = false;
  // Where an `apim` event (apim_format.h) of the owner's side holds the same value, if it
  // does; such events write counts as decimal text, which `apim_text_number` turns back into
  // numbers.
  std::string_view apim_pointer = {};
  bool apim_text_number = false;
};

// Every column of `calls` but message_id, in the table's order.
std::span<const CallColumn> call_columns();

// The statement an event of `side` upserts its call's row with, in SQL both SQLite and
// PostgreSQL take: INSERT INTO calls (message_id, every column in order) VALUES `values`
// ON CONFLICT (message_id) DO UPDATE, where the side's own columns take the new non-null
// values and the other side's only fill what is still null.
std::string call_upsert_sql(EventSide side, std::string_view values);

// A column's value as an event gives it: null (absent, JSON null, or not the owner's),
// an integer, a real, a boolean or text.
using CallValue = std::variant<std::monostate, std::int64_t, double, bool, std::string_view>;

// What one whole event says about its call: values[i] belongs to call_columns()[i].
struct CallFacts {
  EventSide side;
  std::string_view message_id;
  std::vector<CallValue> values;
};

// Reads a whole typed event, or an event in the apim format, into its call's columns.
// nullopt for anything else (a part of a split event, an event without a message id).
// The views point into `event`'s document.
std::optional<CallFacts> read_call(simdjson::dom::element event);

}  // namespace tollgate::audit
