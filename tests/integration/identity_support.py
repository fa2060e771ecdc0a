"""A loopback identity provider for the identity tests (test_identity_*.py).

`IdentityProvider` plays Entra ID and the Azure token endpoints on 127.0.0.1:
  - OpenID discovery and JWKS over HTTPS (a test CA the gateway trusts through `ca_file`),
    with RSA and EC signing keys that can be rotated, and a switch that takes it down;
  - the client-credentials token endpoint (POST /{tenant}/oauth2/v2.0/token, HTTPS);
  - managed identity: the instance metadata service (GET /metadata/identity/oauth2/token with
    `Metadata: true`) and App Service's IDENTITY_ENDPOINT (GET /msi/token with
    `X-IDENTITY-HEADER`), over plain HTTP like the real ones.
Every request is counted by path, so tests can check fetch and refetch limits.

Tokens are signed here with `cryptography`, so tests can also make the ones a real provider
never would: expired, wrong audience, alg none, HS256 keyed with the public key, tampered.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import http.server
import json
import ssl
import threading
import time
import urllib.parse
import uuid
from collections import Counter
from pathlib import Path

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

from tls_support import make_certificates

TENANT = "11111111-2222-3333-4444-555555555555"
OTHER_TENANT = "99999999-8888-7777-6666-555555555555"
AUDIENCE = "api://tollgate-test"
CLIENT_ID = "cc-client-id"
CLIENT_SECRET = "cc-client-secret-never-logged"
IDENTITY_HEADER = "app-service-identity-header-secret"
ISSUER_V1 = f"https://sts.windows.net/{TENANT}/"
ISSUER_V2 = f"https://login.microsoftonline.com/{TENANT}/v2.0"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def int_bytes(n: int, size: int | None = None) -> bytes:
    return n.to_bytes(size or (n.bit_length() + 7) // 8, "big")


class SigningKey:
    """A private key with its kid; `kind` is RSA, P-256 or P-384."""

    def __init__(self, kind: str = "RSA", kid: str | None = None):
        self.kind = kind
        self.kid = kid or f"{kind.lower()}-{uuid.uuid4().hex[:8]}"
        if kind == "RSA":
            self.private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        else:
            curve = ec.SECP256R1() if kind == "P-256" else ec.SECP384R1()
            self.private = ec.generate_private_key(curve)

    def jwk(self) -> dict:
        public = self.private.public_key().public_numbers()
        if self.kind == "RSA":
            return {"kty": "RSA", "use": "sig", "kid": self.kid,
                    "n": b64url(int_bytes(public.n)), "e": b64url(int_bytes(public.e))}
        size = 32 if self.kind == "P-256" else 48
        return {"kty": "EC", "use": "sig", "kid": self.kid, "crv": self.kind,
                "x": b64url(int_bytes(public.x, size)), "y": b64url(int_bytes(public.y, size))}

    def public_pem(self) -> bytes:
        return self.private.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)

    def sign(self, alg: str, data: bytes) -> bytes:
        digest = {"256": hashes.SHA256(), "384": hashes.SHA384(), "512": hashes.SHA512()}[alg[2:]]
        if alg.startswith("RS"):
            return self.private.sign(data, padding.PKCS1v15(), digest)
        if alg.startswith("PS"):
            return self.private.sign(
                data, padding.PSS(mgf=padding.MGF1(digest), salt_length=digest.digest_size), digest)
        r, s = decode_dss_signature(self.private.sign(data, ec.ECDSA(digest)))
        size = 32 if alg == "ES256" else 48
        return int_bytes(r, size) + int_bytes(s, size)


def compact(header: dict, claims: dict, sign) -> str:
    """A compact JWS: `sign` maps the signing input (bytes) to the signature (bytes)."""
    signing_input = (b64url(json.dumps(header).encode()) + "." +
                     b64url(json.dumps(claims).encode()))
    return signing_input + "." + b64url(sign(signing_input.encode()))


class IdentityProvider:
    def __init__(self, directory: Path):
        make_certificates(directory)
        self.ca_file = directory / "ca.pem"
        self.keys: list[SigningKey] = [SigningKey("RSA", "rsa-1"), SigningKey("P-256", "ec-1")]
        self.requests: Counter[str] = Counter()
        self.down = False
        self.token_lifetime_s = 3600
        self.issued = 0
        self._lock = threading.Lock()
        self.https = self._serve(directory, tls=True)
        self.http = self._serve(directory, tls=False)

    # --- addresses -------------------------------------------------------------------------
    @property
    def base(self) -> str:
        return f"https://127.0.0.1:{self.https.server_port}"

    @property
    def discovery_url(self) -> str:
        return f"{self.base}/{TENANT}/v2.0/.well-known/openid-configuration"

    @property
    def jwks_url(self) -> str:
        return f"{self.base}/{TENANT}/discovery/v2.0/keys"

    @property
    def token_url(self) -> str:
        return f"{self.base}/{TENANT}/oauth2/v2.0/token"

    @property
    def imds_url(self) -> str:
        return f"http://127.0.0.1:{self.http.server_port}/metadata/identity/oauth2/token"

    @property
    def app_service_url(self) -> str:
        return f"http://127.0.0.1:{self.http.server_port}/msi/token"

    def key_fetches(self) -> int:
        with self._lock:
            return self.requests[f"/{TENANT}/discovery/v2.0/keys"]

    def count(self, path: str) -> int:
        with self._lock:
            return self.requests[path]

    # --- keys and tokens -------------------------------------------------------------------
    def rotate(self, kind: str = "RSA") -> SigningKey:
        """A new key replaces the first one (the provider's published set changes)."""
        key = SigningKey(kind)
        self.keys = [key] + self.keys[1:]
        return key

    def key_for(self, alg: str) -> SigningKey:
        """The first published key that signs with `alg`, adding one when there is none."""
        kind = "RSA" if alg.startswith(("RS", "PS")) else "P-256" if alg == "ES256" else "P-384"
        for key in self.keys:
            if key.kind == kind:
                return key
        self.keys.append(SigningKey(kind))
        return self.keys[-1]

    def claims(self, **overrides) -> dict:
        now = int(time.time())
        claims = {"iss": ISSUER_V2, "aud": AUDIENCE, "tid": TENANT, "iat": now, "nbf": now - 5,
                  "exp": now + 3600, "sub": "subject-1", "oid": "object-1", "azp": "app-1",
                  "preferred_username": "alice@contoso.test", "roles": ["Tollgate.Use"],
                  "ver": "2.0"}
        for name, value in overrides.items():
            if value is None:
                claims.pop(name, None)
            else:
                claims[name] = value
        return claims

    def token(self, alg: str = "RS256", key: SigningKey | None = None, kid: str | None = None,
              header: dict | None = None, **claims) -> str:
        key = key or self.key_for(alg)
        head = {"alg": alg, "typ": "JWT", "kid": kid or key.kid, **(header or {})}
        return compact(head, self.claims(**claims), lambda data: key.sign(alg, data))

    def hs256_with_public_key(self, **claims) -> str:
        """The alg-confusion attack: HS256 keyed with the RSA public key."""
        key = self.keys[0]
        secret = key.public_pem()
        return compact({"alg": "HS256", "typ": "JWT", "kid": key.kid}, self.claims(**claims),
                       lambda data: hmac.new(secret, data, hashlib.sha256).digest())

    # --- the servers -----------------------------------------------------------------------
    def _serve(self, directory: Path, tls: bool):
        provider = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def answer(self, status: int, body: dict):
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def route(self, method: str):
                url = urllib.parse.urlsplit(self.path)
                query = dict(urllib.parse.parse_qsl(url.query))
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length).decode() if length else ""
                with provider._lock:
                    provider.requests[url.path] += 1
                if provider.down:
                    return self.answer(503, {"error": "temporarily_unavailable"})
                if method == "GET" and url.path.endswith("/.well-known/openid-configuration"):
                    return self.answer(200, {"issuer": ISSUER_V2, "jwks_uri": provider.jwks_url,
                                             "token_endpoint": provider.token_url})
                if method == "GET" and url.path.endswith("/discovery/v2.0/keys"):
                    return self.answer(200, {"keys": [k.jwk() for k in provider.keys]})
                if method == "POST" and url.path.endswith("/oauth2/v2.0/token"):
                    form = dict(urllib.parse.parse_qsl(body))
                    if (form.get("grant_type") != "client_credentials"
                            or form.get("client_id") != CLIENT_ID
                            or form.get("client_secret") != CLIENT_SECRET
                            or form.get("scope") != "https://cognitiveservices.azure.com/.default"):
                        return self.answer(401, {"error": "invalid_client"})
                    return self.answer(200, provider.issue("cc", expires_in=True))
                if method == "GET" and url.path == "/metadata/identity/oauth2/token":
                    if (self.headers.get("Metadata") != "true"
                            or query.get("resource") != "https://cognitiveservices.azure.com"
                            or query.get("api-version") != "2018-02-01"):
                        return self.answer(400, {"error": "invalid_request"})
                    return self.answer(200, provider.issue("imds", expires_in=True, strings=True))
                if method == "GET" and url.path == "/msi/token":
                    if (self.headers.get("X-IDENTITY-HEADER") != IDENTITY_HEADER
                            or query.get("resource") != "https://cognitiveservices.azure.com"
                            or query.get("api-version") != "2019-08-01"):
                        return self.answer(401, {"error": "invalid_request"})
                    return self.answer(200, provider.issue("appservice", expires_in=False))
                return self.answer(404, {"error": "not_found"})

            def do_GET(self):
                self.route("GET")

            def do_POST(self):
                self.route("POST")

        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        if tls:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(directory / "local.pem", directory / "local.key")
            server.socket = context.wrap_socket(server.socket, server_side=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        return server

    def issue(self, prefix: str, *, expires_in: bool, strings: bool = False) -> dict:
        with self._lock:
            self.issued += 1
            n = self.issued
        lifetime = self.token_lifetime_s
        answer = {"access_token": f"{prefix}-token-{n}", "token_type": "Bearer",
                  "expires_on": str(int(time.time()) + lifetime)}
        if expires_in:
            answer["expires_in"] = str(lifetime) if strings else lifetime
        return answer

    def close(self):
        for server in (self.https, self.http):
            server.shutdown()
            server.server_close()


# ---------------------------------------------------------------------------------------------
# Gateway configurations


def with_identity(base: str, *, auth: str, backends: str = "", audit_jsonl: Path | None = None) -> str:
    """conftest's gateway configuration with `auth` replacing its `auth: {mode: none}` section,
    `backends` (YAML lines indented by two) added to its backends, and, with `audit_jsonl`, a
    JSONL audit sink."""
    text = base.replace("auth:\n  mode: none\n", auth.rstrip("\n") + "\n", 1)
    if backends:
        text = text.replace("backends:\n", "backends:\n" + backends.rstrip("\n") + "\n", 1)
    if audit_jsonl is not None:
        cut = text.rindex("\naudit:\n")
        spool = audit_jsonl.parent / "spool"
        text = (text[:cut] + f"\naudit:\n  spool: {spool}\n  fsync_interval_ms: 0\n"
                f"  sinks:\n    - {{ type: jsonl, path: {audit_jsonl} }}\n")
    return text


def jwt_auth(provider: IdentityProvider, *, extra: str = "", mode: str = "jwt",
             tail: str = "") -> str:
    """An `auth:` section trusting the provider's v1 and v2 issuers."""
    return f"""auth:
  mode: {mode}
  jwt:
    issuers:
      - {{ issuer: "{ISSUER_V2}", discovery_url: "{provider.discovery_url}", ca_file: "{provider.ca_file}" }}
      - {{ issuer: "{ISSUER_V1}", jwks_url: "{provider.jwks_url}", ca_file: "{provider.ca_file}" }}
    audiences: ["{AUDIENCE}"]
    tenants: ["{TENANT}"]
    algorithms: [RS256, PS256, ES256]
{extra}{tail}"""


def assert_challenge(resp, status: int = 401) -> str:
    """A 401 carries an RFC 6750 challenge; returns its error_description."""
    assert resp.status_code == status, f"{resp.status_code} {resp.text[:300]}"
    challenge = resp.headers.get("www-authenticate", "")
    assert challenge.startswith('Bearer realm="tollgate", error="invalid_token", '
                                'error_description="'), challenge
    return challenge.split('error_description="', 1)[1].rstrip('"')
