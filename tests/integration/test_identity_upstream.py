"""Upstream credentials (issue: identity): the gateway proves itself to each backend as its
`credential` says — a static bearer, Entra ID client credentials, a managed identity (IMDS or
App Service's IDENTITY_ENDPOINT), or the caller's own token (passthrough) — fetching tokens
from loopback fixtures, caching them, and renewing them before they expire."""

from __future__ import annotations

import time

import pytest

from conftest import AZURE_BACKEND_KEY, API_VERSION, Gateway, assert_openai_error, gateway_config
from identity_support import (CLIENT_ID, CLIENT_SECRET, IDENTITY_HEADER, TENANT, IdentityProvider,
                              jwt_auth, with_identity)


@pytest.fixture
def provider(tmp_path):
    p = IdentityProvider(tmp_path)
    yield p
    p.close()


def backend(sim, name: str, credential: str) -> str:
    return (f"  {name}: {{ kind: azure, url: \"http://127.0.0.1:{sim.port}\", "
            f"api_version: {API_VERSION}, credential: {credential} }}\n")


def gateway_with(sim, dead_port, backends: str, models: str, *, auth: str = "auth:\n  mode: none\n",
                 env: dict | None = None, name: str = "gateway-upstream") -> Gateway:
    base = gateway_config(sim, dead_port=dead_port, extra_models=models)
    return Gateway(with_identity(base, auth=auth, backends=backends), name=name, env=env)


def chat(g: Gateway, model: str, test_id: str, headers: dict | None = None):
    return g.http.post("/v1/chat/completions",
                       json={"model": model, "messages": [{"role": "user", "content": "hi"}]},
                       headers={"x-test-id": test_id, **(headers or {})})


def upstream_auth(sim, test_id: str) -> dict:
    headers = sim.find_request(test_id)["headers"]
    return {k: v for k, v in headers.items() if k in ("authorization", "api-key")}


def wait_until(predicate, timeout: float = 15.0):
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "condition never held"
        time.sleep(0.05)


def test_static_bearer(sim, dead_port, test_id):
    g = gateway_with(sim, dead_port, backend(sim, "bearer", "{ type: bearer, token: static-tok }"),
                     "  bearer-model: [ { backend: bearer, deployment: d } ]\n")
    try:
        assert chat(g, "bearer-model", test_id, {"api-key": "client-key"}).status_code == 200
        assert upstream_auth(sim, test_id) == {"authorization": "Bearer static-tok"}
    finally:
        g.close()


def test_client_credentials_fetched_cached_and_renewed(sim, dead_port, provider):
    provider.token_lifetime_s = 4  # renewed after 2 s, handed out until 0.4 s before expiry
    credential = (f'{{ type: entra_client_credentials, tenant: "{TENANT}", client_id: {CLIENT_ID},'
                  f' client_secret: "${{CC_SECRET}}", token_url: "{provider.token_url}",'
                  f' ca_file: "{provider.ca_file}" }}')
    g = gateway_with(sim, dead_port, backend(sim, "cc", credential),
                     "  cc-model: [ { backend: cc, deployment: d } ]\n",
                     env={"CC_SECRET": CLIENT_SECRET})
    token_path = f"/{TENANT}/oauth2/v2.0/token"
    try:
        # Fetched at start, then reused by every call.
        wait_until(lambda: provider.count(token_path) == 1)
        seen = set()
        for _ in range(5):
            test_id = f"cc-{time.monotonic_ns()}"
            assert chat(g, "cc-model", test_id).status_code == 200
            seen.add(upstream_auth(sim, test_id)["authorization"])
        assert seen == {"Bearer cc-token-1"}
        assert provider.count(token_path) == 1
        # Past half its life, a call still gets the old token and starts a renewal.
        time.sleep(2.3)
        test_id = f"cc-{time.monotonic_ns()}"
        assert chat(g, "cc-model", test_id).status_code == 200
        assert upstream_auth(sim, test_id) == {"authorization": "Bearer cc-token-1"}
        wait_until(lambda: provider.count(token_path) == 2)

        # The endpoint counts the request when it arrives; the gateway stores the new token a
        # moment later. Calls get the new token from then on, and no further fetch is made.
        def token_of_a_call() -> str:
            test_id = f"cc-{time.monotonic_ns()}"
            assert chat(g, "cc-model", test_id).status_code == 200
            return upstream_auth(sim, test_id)["authorization"]

        wait_until(lambda: token_of_a_call() == "Bearer cc-token-2")
        assert token_of_a_call() == "Bearer cc-token-2"
        assert provider.count(token_path) == 2
        assert CLIENT_SECRET not in g.stderr_text()
    finally:
        g.close()


def test_token_endpoint_refusal_is_a_clear_502(sim, dead_port, provider, test_id):
    credential = (f'{{ type: entra_client_credentials, tenant: "{TENANT}", client_id: {CLIENT_ID},'
                  f' client_secret: wrong-secret, token_url: "{provider.token_url}",'
                  f' ca_file: "{provider.ca_file}" }}')
    g = gateway_with(sim, dead_port, backend(sim, "cc", credential),
                     "  cc-model: [ { backend: cc, deployment: d } ]\n")
    try:
        r = chat(g, "cc-model", test_id)
        err = assert_openai_error(r, 502)
        assert "could not obtain an access token for the backend 'cc'" in err["message"]
        assert "HTTP 401" in err["message"]
        assert not [q for q in sim.requests() if q["headers"].get("x-test-id") == test_id]
        assert "wrong-secret" not in g.stderr_text()
        g.assert_serving()
    finally:
        g.close()


def test_managed_identity_through_imds(sim, dead_port, provider, test_id):
    g = gateway_with(sim, dead_port,
                     backend(sim, "mi", f'{{ type: managed_identity, token_url: "{provider.imds_url}" }}'),
                     "  mi-model: [ { backend: mi, deployment: d } ]\n")
    try:
        assert chat(g, "mi-model", test_id).status_code == 200
        assert upstream_auth(sim, test_id) == {"authorization": "Bearer imds-token-1"}
        assert provider.count("/metadata/identity/oauth2/token") == 1
    finally:
        g.close()


def test_managed_identity_through_app_service_environment(sim, dead_port, provider, test_id):
    g = gateway_with(sim, dead_port, backend(sim, "mi", "{ type: managed_identity }"),
                     "  mi-model: [ { backend: mi, deployment: d } ]\n",
                     env={"IDENTITY_ENDPOINT": provider.app_service_url,
                          "IDENTITY_HEADER": IDENTITY_HEADER})
    try:
        assert chat(g, "mi-model", test_id).status_code == 200
        assert upstream_auth(sim, test_id) == {"authorization": "Bearer appservice-token-1"}
        assert IDENTITY_HEADER not in g.stderr_text()
    finally:
        g.close()


def test_passthrough_forwards_the_callers_token(sim, dead_port, provider, test_id):
    g = gateway_with(sim, dead_port, backend(sim, "pass", "{ type: passthrough }"),
                     "  pass-model: [ { backend: pass, deployment: d } ]\n",
                     auth=jwt_auth(provider))
    try:
        token = provider.token()
        r = chat(g, "pass-model", test_id, {"authorization": f"Bearer {token}"})
        assert r.status_code == 200, r.text
        assert upstream_auth(sim, test_id) == {"authorization": f"Bearer {token}"}
        # Other backends never see the caller's token.
        other = f"{test_id}-other"
        assert chat(g, "gpt-4o", other, {"authorization": f"Bearer {token}"}).status_code == 200
        assert upstream_auth(sim, other) == {"api-key": AZURE_BACKEND_KEY}
    finally:
        g.close()


def test_passthrough_needs_a_token(sim, dead_port, test_id):
    g = gateway_with(sim, dead_port, backend(sim, "pass", "{ type: passthrough }"),
                     "  pass-model: [ { backend: pass, deployment: d } ]\n")
    try:
        r = chat(g, "pass-model", test_id, {"api-key": "some-key"})
        err = assert_openai_error(r, 401)
        assert "caller's own Entra ID token" in err["message"]
    finally:
        g.close()


def test_a_backend_without_its_credential_is_skipped_by_failover(sim, dead_port, provider,
                                                                  test_id):
    """The primary's token endpoint refuses the gateway: the call goes to the secondary, and the
    audit's attempts say why the primary was skipped; the primary's breaker is not blamed."""
    refused = (f'{{ type: entra_client_credentials, tenant: "{TENANT}", client_id: {CLIENT_ID},'
               f' client_secret: wrong, token_url: "{provider.token_url}",'
               f' ca_file: "{provider.ca_file}" }}')
    backends = (backend(sim, "no-token", refused) +
                backend(sim, "static", "{ type: bearer, token: second-tok }"))
    models = ("  pooled:\n"
              "    - { backend: no-token, deployment: d, priority: 1 }\n"
              "    - { backend: static, deployment: d, priority: 2 }\n")
    g = gateway_with(sim, dead_port, backends, models)
    try:
        for i in range(3):
            r = chat(g, "pooled", f"{test_id}-{i}")
            assert r.status_code == 200, r.text
            assert r.headers["x-tollgate-backend"] == "static"
            assert upstream_auth(sim, f"{test_id}-{i}") == {"authorization": "Bearer second-tok"}
        state = g.http.get("/admin/backends").json()
        text = str(state)
        assert "no-token" in text and "wrong" not in text
    finally:
        g.close()
