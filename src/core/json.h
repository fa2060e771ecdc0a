// Parsing JSON into Boost.JSON values for the audit record. Request bodies are validated by
// simdjson, which accepts nesting up to 1024 levels; Boost.JSON stops at 32 by default, so
// every parse here allows the same depth, and a body the gateway accepted can always be
// recorded.
#pragma once

#include <boost/json/value.hpp>
#include <boost/system/error_code.hpp>
#include <string_view>

namespace tollgate {

// Parses `text`; on failure sets `ec` and returns null.
boost::json::value parse_json(std::string_view text, boost::system::error_code& ec);

// Parses JSON the gateway itself produced (audit events). Throws boost::system::system_error.
boost::json::value parse_json(std::string_view text);

}  // namespace tollgate
