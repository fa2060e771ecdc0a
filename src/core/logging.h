// Operational logs: logfmt-style "key=value" lines with a level, on stderr, so that log
// shippers can parse them. The access log, one line per call, is a separate logger
// ("access") that can be switched off on its own.
#pragma once

#include <string>

namespace tollgate {

// REQUIRES: `level` is trace, debug, info, warn, error or off.
void setup_logging(const std::string& level, bool access_log);

}  // namespace tollgate
