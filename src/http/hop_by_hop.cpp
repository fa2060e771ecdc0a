#include "http/hop_by_hop.h"

#include <boost/beast/http/rfc7230.hpp>
#include <string>
#include <vector>

namespace tollgate::http {

namespace bhttp = boost::beast::http;

void remove_hop_by_hop(bhttp::fields& fields) {
  std::vector<std::string> named;
  for (auto token : bhttp::token_list{fields[bhttp::field::connection]}) named.emplace_back(token);
  for (const auto& name : named) fields.erase(name);
  for (auto field :
       {bhttp::field::connection, bhttp::field::keep_alive, bhttp::field::proxy_authenticate,
        bhttp::field::proxy_authorization, bhttp::field::proxy_connection, bhttp::field::te,
        bhttp::field::trailer, bhttp::field::transfer_encoding, bhttp::field::upgrade})
    fields.erase(field);
}

}  // namespace tollgate::http
