"""Inbound Entra ID / OIDC tokens (issue: identity): valid v1 and v2 tokens are admitted; every
kind of bad token is refused with a 401 and a clear reason; keys rotate through the unknown-kid
path within the refetch limit; cached keys survive an identity-provider outage; required claims
and per-model allow-lists answer 403; the identity lands in the audit events, the token never
does."""

from __future__ import annotations

import time

import httpx
import openai
import pytest

from audit_support import jsonl_events, wait_for_lines
from conftest import Gateway, assert_openai_error, gateway_config
from identity_support import (AUDIENCE, ISSUER_V1, OTHER_TENANT, TENANT, IdentityProvider,
                              assert_challenge, jwt_auth, with_identity)

CHAT = {"model": "gpt-4o", "messages": [{"role": "user", "content": "echo:hello"}]}


@pytest.fixture(scope="module")
def provider(tmp_path_factory):
    p = IdentityProvider(tmp_path_factory.mktemp("idp"))
    yield p
    p.close()


@pytest.fixture(scope="module")
def jwt_gateway(sim, dead_port, provider):
    auth = jwt_auth(provider, tail="""  models:
    gpt-4o-mini: { apps: [app-2], roles: [Tollgate.Premium] }
  admin: { roles: [Tollgate.Admin] }
""")
    g = Gateway(with_identity(gateway_config(sim, dead_port=dead_port), auth=auth),
                name="gateway-jwt")
    yield g
    g.close()


def wait_ready(gateway: Gateway):
    """Until the gateway has fetched every issuer's keys (its /readyz says so)."""
    deadline = time.monotonic() + 20
    while gateway.http.get("/readyz").status_code != 200:
        assert time.monotonic() < deadline, "the gateway never fetched its signing keys"
        time.sleep(0.05)


def call(gateway: Gateway, token: str | None, body: dict = CHAT) -> httpx.Response:
    headers = {"authorization": f"Bearer {token}"} if token is not None else {}
    return gateway.http.post("/v1/chat/completions", json=body, headers=headers)


def test_valid_v2_token_with_the_openai_sdk(jwt_gateway, provider):
    from openai import OpenAI
    client = OpenAI(base_url=jwt_gateway.v1, api_key=provider.token(), max_retries=0)
    r = client.chat.completions.create(**CHAT)
    assert r.choices[0].message.content == "hello"


def test_valid_v1_token_with_the_azure_sdk(jwt_gateway, provider):
    from openai import AzureOpenAI
    token = provider.token(iss=ISSUER_V1, ver="1.0", azp=None, appid="app-1",
                           preferred_username=None, upn="alice@contoso.test")
    client = AzureOpenAI(azure_endpoint=jwt_gateway.url, azure_ad_token=token,
                         api_version="2024-10-21", max_retries=0)
    r = client.chat.completions.create(**CHAT)
    assert r.choices[0].message.content == "hello"


@pytest.mark.parametrize("alg", ["RS256", "PS256", "ES256"])
def test_allowed_algorithms(jwt_gateway, provider, alg):
    r = call(jwt_gateway, provider.token(alg))
    assert r.status_code == 200, r.text


def tampered_payload(token: str) -> str:
    import base64
    import json
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    claims["azp"] = "app-2"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return f"{header}.{forged}.{signature}"


def tampered_signature(token: str) -> str:
    header, payload, signature = token.split(".")
    flipped = ("A" if signature[5] != "A" else "B")
    return f"{header}.{payload}.{signature[:5]}{flipped}{signature[6:]}"


def unsigned(provider: IdentityProvider) -> str:
    from identity_support import b64url
    import json
    return (b64url(json.dumps({"alg": "none", "typ": "JWT"}).encode()) + "." +
            b64url(json.dumps(provider.claims()).encode()) + ".")


REFUSALS = {
    "no token": (lambda p: None, "no credentials"),
    "alg none": (lambda p: unsigned(p), "signature is missing"),
    "alg none with a signature": (
        lambda p: p.token(header={"alg": "none"}), "not signed (alg none)"),
    "hs256 with the public key": (lambda p: p.hs256_with_public_key(), "algorithm HS256 is not allowed"),
    "rs384 not allowed": (lambda p: p.token("RS384"), "algorithm RS384 is not allowed"),
    "kid of another key type": (
        lambda p: p.token("RS256", kid=p.key_for("ES256").kid), "does not match its signing key"),
    "missing exp": (lambda p: p.token(exp=None), "no expiry time"),
    "expired": (lambda p: p.token(exp=int(time.time()) - 120), "has expired"),
    "not yet valid": (lambda p: p.token(nbf=int(time.time()) + 600), "not valid yet"),
    "wrong issuer": (lambda p: p.token(iss="https://sts.windows.net/evil/"), "issuer is not trusted"),
    "wrong audience": (lambda p: p.token(aud="api://someone-else"), "not issued for this gateway"),
    "wrong tenant": (
        lambda p: p.token(tid=OTHER_TENANT, iss=f"https://login.microsoftonline.com/{OTHER_TENANT}/v2.0"),
        "issuer is not trusted"),
    "tenant claim swapped": (lambda p: p.token(tid=OTHER_TENANT), "tenant is not allowed"),
    "malformed": (lambda p: "a.b.c", "header is not base64url-encoded JSON"),
    "garbage": (lambda p: "%%%", "credential presented is not one"),
    "tampered payload": (lambda p: tampered_payload(p.token()), "signature is not valid"),
    "tampered signature": (lambda p: tampered_signature(p.token()), "signature is not valid"),
    "unknown kid": (lambda p: p.token(kid="never-published"), "unknown key"),
}


@pytest.mark.parametrize("case", sorted(REFUSALS))
def test_bad_tokens_are_refused(jwt_gateway, provider, sim, test_id, case):
    make, reason = REFUSALS[case]
    token = make(provider)
    headers = {"x-test-id": test_id}
    if token is not None:
        headers["authorization"] = f"Bearer {token}"
    r = jwt_gateway.http.post("/v1/chat/completions", json=CHAT, headers=headers)
    description = assert_challenge(r)
    assert reason in description, description
    err = assert_openai_error(r, 401)
    assert reason in err["message"] and err["code"] == "invalid_token"
    if token:
        assert token not in r.text and token not in description
    assert not [q for q in sim.requests() if q.get("headers", {}).get("x-test-id") == test_id]


def test_the_sdk_raises_authentication_error(jwt_gateway, provider):
    from openai import OpenAI
    client = OpenAI(base_url=jwt_gateway.v1, api_key=provider.token(exp=int(time.time()) - 300),
                    max_retries=0)
    with pytest.raises(openai.AuthenticationError) as raised:
        client.chat.completions.create(**CHAT)
    assert "has expired" in str(raised.value)


def test_per_model_allow_list(jwt_gateway, provider):
    # gpt-4o-mini admits app-2, or the Tollgate.Premium role.
    body = {**CHAT, "model": "gpt-4o-mini"}
    r = call(jwt_gateway, provider.token(), body)
    err = assert_openai_error(r, 403)
    assert "not allowed to use the model 'gpt-4o-mini'" in err["message"]
    assert call(jwt_gateway, provider.token(azp="app-2"), body).status_code == 200
    assert call(jwt_gateway, provider.token(roles=["Tollgate.Premium"]), body).status_code == 200
    assert call(jwt_gateway, provider.token(), CHAT).status_code == 200  # other models: open
    from openai import OpenAI
    with pytest.raises(openai.PermissionDeniedError):
        OpenAI(base_url=jwt_gateway.v1, api_key=provider.token(), max_retries=0) \
            .chat.completions.create(**body)


def test_model_list_needs_a_token_and_shows_allowed_models(jwt_gateway, provider):
    r = jwt_gateway.http.get("/v1/models")
    assert_challenge(r)
    listed = lambda token: {m["id"] for m in jwt_gateway.http.get(
        "/v1/models", headers={"authorization": f"Bearer {token}"}).json()["data"]}
    assert "gpt-4o-mini" not in listed(provider.token())
    assert "gpt-4o" in listed(provider.token())
    assert "gpt-4o-mini" in listed(provider.token(azp="app-2"))
    # Probes stay open to load balancers.
    assert jwt_gateway.http.get("/healthz").status_code == 200
    assert jwt_gateway.http.get("/readyz").status_code == 200


def test_admin_endpoints_need_an_operator(jwt_gateway, provider):
    get = lambda token=None: jwt_gateway.http.get(
        "/admin/backends", headers={"authorization": f"Bearer {token}"} if token else {})
    assert_challenge(get())
    err = assert_openai_error(get(provider.token()), 403)
    assert "not an administrator" in err["message"]
    r = get(provider.token(roles=["Tollgate.Admin"]))
    assert r.status_code == 200, r.text
    assert "sim-azure" in r.text
    # The gateway's own namespace is never passed to a backend, even for operators.
    assert_openai_error(jwt_gateway.http.get(
        "/admin/nothing-here",
        headers={"authorization": f"Bearer {provider.token(roles=['Tollgate.Admin'])}"}), 404)


def test_gateway_logs_never_hold_tokens(jwt_gateway, provider):
    token = provider.token()
    assert call(jwt_gateway, token).status_code == 200
    bad = provider.token(aud="api://x")
    assert call(jwt_gateway, bad).status_code == 401
    log = jwt_gateway.stderr_text()
    assert token.split(".")[2] not in log and bad.split(".")[2] not in log


# --- required claims and audit events --------------------------------------------------------


def test_required_claims_and_identity_in_audit_events(sim, dead_port, provider, tmp_path):
    events_path = tmp_path / "events.jsonl"
    auth = jwt_auth(provider, extra="""    require: { roles: [Tollgate.Use] }
""")
    g = Gateway(with_identity(gateway_config(sim, dead_port=dead_port), auth=auth,
                              audit_jsonl=events_path), name="gateway-jwt-audit")
    try:
        good = provider.token(oid="obj-42", sub="sub-42", azp="app-42",
                              preferred_username="carol@contoso.test", roles=["Tollgate.Use", "X"])
        ok = call(g, good)
        assert ok.status_code == 200, ok.text
        missing_role = call(g, provider.token(roles=["Other"]))
        err = assert_openai_error(missing_role, 403)
        assert "required roles value" in err["message"]
        expired_token = provider.token(exp=int(time.time()) - 120)
        expired = call(g, expired_token)
        assert expired.status_code == 401
        assert wait_for_lines(events_path, 6) >= 6
    finally:
        g.close()
    events = jsonl_events(events_path)
    by_call = {}
    for e in events:
        by_call.setdefault(e["message_id"], {})[e["event_type"]] = e
    granted = by_call[ok.headers["x-request-id"]]
    for e in granted.values():
        assert e["identity"] == {"auth_method": "jwt", "app_id": "app-42", "object_id": "obj-42",
                                 "tenant_id": TENANT, "subject": "sub-42",
                                 "name": "carol@contoso.test", "roles": ["Tollgate.Use", "X"]}
    forbidden = by_call[missing_role.headers["x-request-id"]]["response"]
    assert forbidden["response"]["status"] == 403
    assert "required roles value" in forbidden["response"]["error"]
    refused = by_call[expired.headers["x-request-id"]]
    assert refused["response"]["response"]["status"] == 401
    assert "has expired" in refused["response"]["response"]["error"]
    assert refused["request"]["identity"]["auth_method"] == "none"
    assert refused["request"]["request"]["body"] is None  # unauthenticated bodies are not kept
    text = events_path.read_text()
    for token in (good, expired_token):
        assert token.split(".")[2] not in text


# --- keys: rotation, the refetch limit, outages ---------------------------------------------


def test_key_rotation_through_unknown_kid_respects_the_refetch_limit(sim, dead_port, provider):
    auth = jwt_auth(provider, extra="""    unknown_kid_refetch_s: 3
""")
    g = Gateway(with_identity(gateway_config(sim, dead_port=dead_port), auth=auth),
                name="gateway-jwt-rotation")
    try:
        wait_ready(g)
        assert call(g, provider.token()).status_code == 200
        fetched = provider.key_fetches()
        new_key = provider.rotate()
        # The new kid is unknown: one refetch picks the rotated key up.
        assert call(g, provider.token()).status_code == 200
        assert provider.key_fetches() == fetched + 1
        # Forged kids within the limit cause no further fetch.
        for _ in range(5):
            r = call(g, provider.token(kid="forged-" + new_key.kid))
            assert "unknown key" in assert_challenge(r)
        assert provider.key_fetches() == fetched + 1
        # A second rotation within the limit is not seen yet...
        provider.rotate()
        assert "unknown key" in assert_challenge(call(g, provider.token()))
        assert provider.key_fetches() == fetched + 1
        # ...and is once the limit has passed.
        time.sleep(3.2)
        assert call(g, provider.token()).status_code == 200
        assert provider.key_fetches() == fetched + 2
    finally:
        g.close()


def test_cached_keys_survive_a_provider_outage(sim, dead_port, provider):
    g = Gateway(with_identity(gateway_config(sim, dead_port=dead_port),
                              auth=jwt_auth(provider, extra="    unknown_kid_refetch_s: 0\n")),
                name="gateway-jwt-outage")
    try:
        assert call(g, provider.token()).status_code == 200
        provider.down = True
        try:
            # New tokens (not ones the gateway remembers) are checked with the cached keys.
            for i in range(3):
                assert call(g, provider.token(sub=f"during-outage-{i}")).status_code == 200
            # A kid it does not know cannot be fetched: refused, and the cached keys stay.
            assert "unknown key" in assert_challenge(call(g, provider.token(kid="new-kid")))
            assert call(g, provider.token(sub="after-refused-kid")).status_code == 200
            assert "signing keys fetch failed" in g.stderr_text()
        finally:
            provider.down = False
    finally:
        g.close()


def test_start_while_the_provider_is_down(sim, dead_port, provider):
    provider.down = True
    g = Gateway(with_identity(gateway_config(sim, dead_port=dead_port), auth=jwt_auth(provider)),
                name="gateway-jwt-cold")
    try:
        r = g.http.get("/readyz")
        assert r.status_code == 503 and "auth" in r.json(), r.text
        r = call(g, provider.token())
        err = assert_openai_error(r, 503)
        assert "could not be fetched yet" in err["message"]
        provider.down = False
        deadline = time.monotonic() + 20
        while g.http.get("/readyz").status_code != 200:
            assert time.monotonic() < deadline, "keys never fetched after the provider came back"
            time.sleep(0.2)
        assert call(g, provider.token()).status_code == 200
    finally:
        provider.down = False
        g.close()


def test_audience_list_and_multi_tenant_issuer(sim, dead_port, provider):
    """An issuer with {tenantid}, and two tenants allowed."""
    auth = f"""auth:
  mode: jwt
  jwt:
    issuers:
      - {{ issuer: "https://login.microsoftonline.com/{{tenantid}}/v2.0", jwks_url: "{provider.jwks_url}", ca_file: "{provider.ca_file}" }}
    audiences: ["{AUDIENCE}", "second-audience"]
    tenants: ["{TENANT}", "{OTHER_TENANT}"]
"""
    g = Gateway(with_identity(gateway_config(sim, dead_port=dead_port), auth=auth),
                name="gateway-jwt-multi")
    try:
        other = provider.token(tid=OTHER_TENANT,
                               iss=f"https://login.microsoftonline.com/{OTHER_TENANT}/v2.0",
                               aud=["second-audience"])
        assert call(g, other).status_code == 200
        third = "00000000-0000-0000-0000-000000000003"
        r = call(g, provider.token(tid=third, iss=f"https://login.microsoftonline.com/{third}/v2.0"))
        assert "tenant is not allowed" in assert_challenge(r)
    finally:
        g.close()
