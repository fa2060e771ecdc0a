#include "sim/json_text.h"

#include <boost/json/serializer.hpp>

namespace tollgate::sim {

void append_json_string(std::string& out, std::string_view text) {
  // Boost.JSON's serializer does the escaping, so the rules live in one place; a string needs
  // no allocation of its own.
  boost::json::serializer serializer;
  serializer.reset(text);
  char buffer[512];
  while (!serializer.done()) out.append(serializer.read(buffer));
}

}  // namespace tollgate::sim
