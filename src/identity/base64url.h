// Base64url (RFC 4648 §5, without padding), the encoding of every part of a JWT and of the
// numbers in a JWK.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace tollgate::identity {

// Decodes unpadded base64url. Returns nothing when `text` holds a character outside the
// alphabet, padding, or a length no encoder produces.
std::optional<std::string> base64url_decode(std::string_view text);

std::string base64url_encode(std::string_view bytes);

}  // namespace tollgate::identity
