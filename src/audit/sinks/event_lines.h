// Lays out a batch of events as JSON Lines, the text the jsonl and stdout sinks write.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace tollgate::audit {

// Appends each event to `out` followed by '\n'. A raw newline inside an event becomes a space:
// in valid JSON it can only be whitespace between tokens (a newline in a string is escaped as
// \n), so the event keeps its meaning and a reader splitting on '\n' sees one event per line.
void append_event_lines(const std::vector<std::string_view>& events, std::string& out);

}  // namespace tollgate::audit
