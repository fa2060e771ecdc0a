#include "audit/spool/crc32c.h"

#include <boost/crc.hpp>

namespace tollgate::audit::spool {

std::uint32_t crc32c(std::string_view a, std::string_view b) {
  boost::crc_optimal<32, 0x1EDC6F41, 0xFFFFFFFF, 0xFFFFFFFF, true, true> crc;
  crc.process_bytes(a.data(), a.size());
  crc.process_bytes(b.data(), b.size());
  return crc.checksum();
}

}  // namespace tollgate::audit::spool
