// Hop-by-hop headers (RFC 9110 section 7.6.1) describe one connection, not the message, so a
// proxy must not forward them.
#pragma once

#include <boost/beast/http/fields.hpp>

namespace tollgate::http {

// Removes Connection, the headers it names, and the other hop-by-hop headers from `fields`.
void remove_hop_by_hop(boost::beast::http::fields& fields);

}  // namespace tollgate::http
