// Identifiers the gateway mints.
#pragma once

#include <string>

namespace tollgate {

// A random (version 4) UUID in its canonical 36-character form. Thread-safe: each thread draws
// from its own generator, so minting an id takes no lock.
std::string new_uuid();

}  // namespace tollgate
