#include "identity/upstream_credentials.h"

namespace tollgate::identity {

namespace bhttp = boost::beast::http;

void apply_upstream_credentials(const BackendConfig& backend, bhttp::fields& headers) {
  headers.erase(bhttp::field::authorization);
  headers.erase("api-key");
  headers.erase(bhttp::field::cookie);
  if (backend.api_key.empty()) return;
  if (backend.kind == BackendKind::azure)
    headers.set("api-key", backend.api_key);
  else
    headers.set(bhttp::field::authorization, "Bearer " + backend.api_key);
}

}  // namespace tollgate::identity
