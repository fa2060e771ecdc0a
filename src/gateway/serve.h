// `tollgate serve`: runs the gateway until SIGTERM or SIGINT, then drains in-flight calls.
#pragma once

#include "core/config.h"

namespace tollgate::gateway {

// Returns the process exit code.
int serve(const Config& config);

}  // namespace tollgate::gateway
