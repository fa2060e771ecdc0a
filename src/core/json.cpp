#include "core/json.h"

#include <boost/json/parse.hpp>

namespace tollgate {

namespace {

boost::json::parse_options deep() {
  boost::json::parse_options options;
  // An event nests the request body a few levels down, so it gets some room beyond simdjson's
  // limit for the body itself.
  options.max_depth = 1100;
  return options;
}

}  // namespace

boost::json::value parse_json(std::string_view text, boost::system::error_code& ec) {
  static const boost::json::parse_options options = deep();
  return boost::json::parse(text, ec, {}, options);
}

boost::json::value parse_json(std::string_view text) {
  boost::system::error_code ec;
  auto value = parse_json(text, ec);
  if (ec) throw boost::system::system_error(ec);
  return value;
}

}  // namespace tollgate
