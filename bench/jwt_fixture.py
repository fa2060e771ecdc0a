#!/usr/bin/env python3
"""For bench/run.sh's JWT configuration: writes DIR/jwks.json (one RSA-2048 public key) and
DIR/token (an RS256 token signed with it, shaped like an Entra ID v2 access token, valid for
a day). Usage: jwt_fixture.py DIR ISSUER AUDIENCE"""
import base64
import json
import sys
import time
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def main(directory: str, issuer: str, audience: str) -> None:
    out = Path(directory)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    numbers = key.public_key().public_numbers()
    jwk = {"kty": "RSA", "use": "sig", "kid": "bench-key",
           "n": b64url(numbers.n.to_bytes(256, "big")), "e": b64url(numbers.e.to_bytes(3, "big"))}
    (out / "jwks.json").write_text(json.dumps({"keys": [jwk]}))
    now = int(time.time())
    claims = {"iss": issuer, "aud": audience, "tid": "bench-tenant", "iat": now, "nbf": now,
              "exp": now + 86400, "sub": "bench-subject", "oid": "bench-object", "azp": "bench-app",
              "preferred_username": "bench@contoso.test", "roles": ["Tollgate.Use"], "ver": "2.0"}
    header = {"alg": "RS256", "typ": "JWT", "kid": "bench-key"}
    signing_input = b64url(json.dumps(header).encode()) + "." + b64url(json.dumps(claims).encode())
    signature = key.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
    (out / "token").write_text(signing_input + "." + b64url(signature))


if __name__ == "__main__":
    main(*sys.argv[1:4])
