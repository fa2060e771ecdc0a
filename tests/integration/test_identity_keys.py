"""API keys (issue: identity): `tollgate key new` makes a key and the config entry holding its
hash; the key works as `api-key` (Azure SDKs) and as `Authorization: Bearer` (OpenAI SDKs);
wrong and expired keys get a 401; the key's application lands in the audit events; keys and
JWTs work side by side; no key is ever logged."""

from __future__ import annotations

import hashlib
import re
import subprocess

import openai
import pytest

from audit_support import jsonl_events, wait_for_lines
from conftest import API_VERSION, Gateway, assert_openai_error, gateway_config, tollgate_bin
from identity_support import IdentityProvider, assert_challenge, jwt_auth, with_identity

CHAT = {"model": "gpt-4o", "messages": [{"role": "user", "content": "echo:keyed"}]}


def new_key(name: str, app: str, *extra: str) -> tuple[str, str]:
    """Runs `tollgate key new`; returns the key and the config entry it printed."""
    out = subprocess.run([tollgate_bin(), "key", "new", "--name", name, "--app", app, *extra],
                         check=True, capture_output=True, text=True).stdout
    key = re.search(r"^\s+(tg-[A-Za-z0-9_-]{43})$", out, re.M).group(1)
    entry = re.search(r"^\s+(- \{ name: .* \})$", out, re.M).group(1)
    return key, entry


def test_key_new_bills_to_its_name_unless_told():
    out = subprocess.run([tollgate_bin(), "key", "new", "--name", "solo"], check=True,
                         capture_output=True, text=True).stdout
    assert "name: solo, app_id: solo," in out


def test_key_new_prints_the_key_and_its_hash():
    key, entry = new_key("batch-2027", "billing", "--expires", "2030-01-31")
    assert f"sha256: {hashlib.sha256(key.encode()).hexdigest()}" in entry
    assert "name: batch-2027" in entry and "app_id: billing" in entry
    assert "expires: 2030-01-31" in entry
    assert key not in entry


@pytest.fixture(scope="module")
def keys():
    return {"good": new_key("billing-key", "billing"), "other": new_key("hr-key", "hr-bot"),
            "expired": new_key("old-key", "legacy", "--expires", "2020-01-01")}


def keys_auth(keys, mode: str = "api_key") -> str:
    entries = "\n".join(f"    {entry}" for _, entry in keys.values())
    return f"""auth:
  mode: {mode}
  api_keys:
{entries}
  applications: {{ billing: "Billing batch" }}
"""


@pytest.fixture(scope="module")
def key_events(tmp_path_factory):
    return tmp_path_factory.mktemp("keys") / "events.jsonl"


@pytest.fixture(scope="module")
def key_gateway(sim, dead_port, keys, key_events):
    g = Gateway(with_identity(gateway_config(sim, dead_port=dead_port), auth=keys_auth(keys),
                              audit_jsonl=key_events), name="gateway-keys")
    yield g
    g.close()


def test_key_as_api_key_header_with_the_azure_sdk(key_gateway, keys):
    from openai import AzureOpenAI
    client = AzureOpenAI(azure_endpoint=key_gateway.url, api_key=keys["good"][0],
                         api_version=API_VERSION, max_retries=0)
    assert client.chat.completions.create(**CHAT).choices[0].message.content == "keyed"


def test_key_as_bearer_with_the_openai_sdk(key_gateway, keys):
    from openai import OpenAI
    client = OpenAI(base_url=key_gateway.v1, api_key=keys["other"][0], max_retries=0)
    assert client.chat.completions.create(**CHAT).choices[0].message.content == "keyed"


@pytest.mark.parametrize("case,reason", [
    ("wrong", "the API key is not valid"),
    ("expired", "the API key 'old-key' has expired"),
    ("none", "no credentials"),
])
def test_bad_keys_are_refused(key_gateway, keys, case, reason):
    headers = {}
    if case == "wrong":
        headers["api-key"] = keys["good"][0][:-1] + ("A" if keys["good"][0][-1] != "A" else "B")
    elif case == "expired":
        headers["api-key"] = keys["expired"][0]
    r = key_gateway.http.post("/v1/chat/completions", json=CHAT, headers=headers)
    assert reason in assert_challenge(r)
    assert_openai_error(r, 401)
    from openai import OpenAI
    if case != "none":
        with pytest.raises(openai.AuthenticationError):
            OpenAI(base_url=key_gateway.v1, api_key=headers["api-key"], max_retries=0) \
                .chat.completions.create(**CHAT)


def test_key_identity_in_audit_events_and_keys_never_logged(key_gateway, keys, key_events):
    r = key_gateway.http.post("/v1/chat/completions", json=CHAT,
                              headers={"api-key": keys["good"][0]})
    assert r.status_code == 200
    message_id = r.headers["x-request-id"]
    wait_for_lines(key_events, 2)
    import time
    deadline = time.monotonic() + 10
    while True:
        events = [e for e in jsonl_events(key_events) if e["message_id"] == message_id]
        if len(events) == 2 or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert len(events) == 2
    for e in events:
        assert e["identity"] == {"auth_method": "api_key", "app_id": "billing",
                                 "object_id": None, "tenant_id": None, "subject": "billing-key",
                                 "name": "Billing batch", "roles": []}
    for key, _ in keys.values():
        assert key not in key_events.read_text()
        assert key not in key_gateway.stderr_text()


def test_keys_and_tokens_side_by_side(sim, dead_port, keys, tmp_path):
    provider = IdentityProvider(tmp_path)
    try:
        auth = jwt_auth(provider, mode="[jwt, api_key]", tail="\n".join(
            ["  api_keys:"] + [f"    {entry}" for _, entry in keys.values()]) + "\n")
        g = Gateway(with_identity(gateway_config(sim, dead_port=dead_port), auth=auth),
                    name="gateway-mixed")
        try:
            ok = lambda headers: g.http.post("/v1/chat/completions", json=CHAT,
                                             headers=headers).status_code
            assert ok({"authorization": f"Bearer {provider.token()}"}) == 200
            assert ok({"authorization": f"Bearer {keys['good'][0]}"}) == 200
            assert ok({"api-key": keys["other"][0]}) == 200
            assert ok({"authorization": "Bearer not-a-key"}) == 401
            assert ok({}) == 401
        finally:
            g.close()
    finally:
        provider.close()


def test_config_check_reports_key_mistakes(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("""auth:
  mode: api_key
  api_keys:
    - { name: k, sha256: "not-a-hash", app_id: a }
backends: { a: { kind: openai, url: "http://127.0.0.1:1" } }
models: { m: [ { backend: a } ] }
""")
    r = subprocess.run([tollgate_bin(), "check", "--config", str(bad)], capture_output=True,
                       text=True)
    assert r.returncode == 1
    assert "bad.yaml:4:" in r.stderr and "must be 64 hexadecimal digits" in r.stderr
