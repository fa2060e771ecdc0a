// SHA-256 for the simulator's request fingerprints (/sim/requests, the echo route), so tests can
// check that a body arrived byte for byte without the simulator keeping it.
#pragma once

#include <string>
#include <string_view>

namespace tollgate::sim {

// The SHA-256 of `bytes` as 64 lowercase hex digits.
std::string sha256_hex(std::string_view bytes);

}  // namespace tollgate::sim
