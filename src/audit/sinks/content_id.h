// The id the SQL stores give an event that carries none of its own (text that is not audit
// JSON): derived from its content, so that a repeated delivery of it is still stored once.
#pragma once

#include <string>
#include <string_view>

namespace tollgate::audit {

// "unreadable-<64-bit FNV-1a hash in hex>-<size>".
std::string content_id(std::string_view text);

}  // namespace tollgate::audit
