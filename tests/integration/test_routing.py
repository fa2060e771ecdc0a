"""What reaches the upstream: paths, api-version, model, credentials, passthrough bodies."""

from __future__ import annotations

import hashlib
import json

import httpx
import pytest
from openai import AzureOpenAI, OpenAI

from conftest import (API_VERSION, AZURE_BACKEND_KEY, CLIENT_KEY, CONFIGURED_MODELS,
                      OPENAI_BACKEND_KEY)


def msgs(text: str) -> list[dict]:
    return [{"role": "user", "content": text}]


def split_target(target: str) -> tuple[str, dict[str, str]]:
    path, _, query = target.partition("?")
    params = dict(p.split("=", 1) if "=" in p else (p, "") for p in query.split("&") if p)
    return path, params


# --- credentials --------------------------------------------------------------------------------

def test_client_credentials_never_reach_upstream(gateway, sim, test_id):
    oc = OpenAI(base_url=gateway.v1, api_key=CLIENT_KEY, max_retries=0,
                default_headers={"x-test-id": test_id + "-oa"})
    ac = AzureOpenAI(azure_endpoint=gateway.url, api_key=CLIENT_KEY, api_version=API_VERSION,
                     max_retries=0, default_headers={"x-test-id": test_id + "-az"})
    cases = [
        (oc, "gpt-4o", "-oa", "azure"), (ac, "gpt-4o", "-az", "azure"),
    ]
    for client, model, suffix, kind in cases:
        client.chat.completions.create(model=model, messages=msgs("echo:k"))
        seen = sim.find_request(test_id + suffix)
        h = seen["headers"]
        assert h.get("api-key") == AZURE_BACKEND_KEY
        assert "authorization" not in h
        assert CLIENT_KEY not in json.dumps(seen)

    oc2 = OpenAI(base_url=gateway.v1, api_key=CLIENT_KEY, max_retries=0,
                 default_headers={"x-test-id": test_id + "-oa2", "api-key": CLIENT_KEY})
    ac2 = AzureOpenAI(azure_endpoint=gateway.url, api_key=CLIENT_KEY, api_version=API_VERSION,
                      max_retries=0, default_headers={"x-test-id": test_id + "-az2",
                                                      "authorization": f"Bearer {CLIENT_KEY}"})
    for client, suffix in ((oc2, "-oa2"), (ac2, "-az2")):
        client.chat.completions.create(model="gpt-4o-mini", messages=msgs("echo:k"))
        seen = sim.find_request(test_id + suffix)
        h = seen["headers"]
        assert h.get("authorization") == f"Bearer {OPENAI_BACKEND_KEY}"
        assert "api-key" not in h
        assert CLIENT_KEY not in json.dumps(seen)


# --- models, health -----------------------------------------------------------------------------

def test_models_list(gateway, openai_client):
    r = gateway.http.get("/v1/models")
    assert r.status_code == 200
    body = r.json()
    assert body["object"] == "list"
    assert {m["id"] for m in body["data"]} == CONFIGURED_MODELS
    assert all(m["object"] == "model" for m in body["data"])
    assert {m.id for m in openai_client.models.list()} == CONFIGURED_MODELS


def test_health_and_ready(gateway):
    r = gateway.http.get("/healthz")
    assert r.status_code == 200
    assert r.json() == {"status": "ok"}
    r = gateway.http.get("/readyz")
    assert r.status_code == 200


# --- rewriting ----------------------------------------------------------------------------------

def test_openai_client_to_azure_backend(openai_client, sim, test_id):
    r = openai_client.chat.completions.create(model="gpt-4o", messages=msgs("echo:x"),
                                              extra_headers={"x-test-id": test_id})
    assert r.choices[0].message.content == "x"
    path, params = split_target(sim.find_request(test_id)["target"])
    assert path == "/openai/deployments/gpt-4o-dep/chat/completions"
    assert params.get("api-version") == API_VERSION


def test_azure_client_to_openai_backend(azure_client, sim, test_id):
    r = azure_client.with_options(api_version="2024-06-01").chat.completions.create(
        model="gpt-4o-mini", messages=msgs("echo:x"), extra_headers={"x-test-id": test_id})
    assert r.choices[0].message.content == "x"
    seen = sim.find_request(test_id)
    assert seen["target"] == "/v1/chat/completions", "no api-version for an openai backend"
    # The body's model was rewritten to the deployment (the sim reports the model it was asked for).
    assert r.model == "gpt-4o-mini-2024-07-18"


def test_azure_client_api_version_pinned_or_kept(azure_client, sim, test_id):
    c = azure_client.with_options(api_version="2024-06-01")
    c.chat.completions.create(model="gpt-4o", messages=msgs("echo:x"),
                              extra_headers={"x-test-id": test_id + "-pinned"})
    path, params = split_target(sim.find_request(test_id + "-pinned")["target"])
    assert path == "/openai/deployments/gpt-4o-dep/chat/completions"
    assert params["api-version"] == API_VERSION, "the backend's api_version wins"

    c.chat.completions.create(model="gpt-4-turbo", messages=msgs("echo:x"),
                              extra_headers={"x-test-id": test_id + "-kept"})
    path, params = split_target(sim.find_request(test_id + "-kept")["target"])
    assert path == "/openai/deployments/gpt-4-turbo-dep/chat/completions"
    assert params["api-version"] == "2024-06-01", "no backend api_version: the client's is kept"


def test_openai_client_to_openai_backend_model_rewritten(openai_client, sim, test_id):
    r = openai_client.chat.completions.create(model="gpt-4o-mini", messages=msgs("echo:x"),
                                              extra_headers={"x-test-id": test_id})
    seen = sim.find_request(test_id)
    assert seen["target"] == "/v1/chat/completions"
    assert r.model == "gpt-4o-mini-2024-07-18"


def test_body_forwarded_byte_for_byte_when_no_rewrite(gateway, sim, test_id):
    """Azure style to an azure backend: the body needs no change and goes through as sent."""
    body = b'{ "messages" : [ {"role":"user","content":"echo:spacing \\u00e9 kept"} ] ,"x":1 }'
    r = gateway.http.post("/openai/deployments/gpt-4o/chat/completions",
                          params={"api-version": API_VERSION}, content=body,
                          headers={"content-type": "application/json", "x-test-id": test_id})
    assert r.status_code == 200, r.text
    assert r.json()["choices"][0]["message"]["content"] == "spacing é kept"
    seen = sim.find_request(test_id)
    assert seen["body_bytes"] == len(body)
    assert seen["body_sha256"] == hashlib.sha256(body).hexdigest()


def test_query_parameters_other_than_api_version_kept(gateway, sim, test_id):
    r = gateway.http.post("/openai/deployments/gpt-4o/chat/completions?api-version=2024-06-01"
                          "&foo=bar%20baz", json={"messages": msgs("echo:q")},
                          headers={"x-test-id": test_id})
    assert r.status_code == 200, r.text
    path, params = split_target(sim.find_request(test_id)["target"])
    assert params.get("foo") == "bar%20baz"
    assert params.get("api-version") == API_VERSION


# --- passthrough --------------------------------------------------------------------------------

AUDIO = bytes(range(256)) * 300 + b"RIFF\x00\x00WAVEfmt \r\n--not-a-boundary\r\n"


def _multipart(url: str, params: dict | None, test_id: str, model: str | None):
    files = {"file": ("speech.wav", AUDIO, "audio/wav")}
    data = {"model": model} if model else {}
    req = httpx.Request("POST", url, params=params, files=files, data=data,
                        headers={"x-test-id": test_id, "api-key": CLIENT_KEY})
    body = req.read()
    return req, body


@pytest.mark.parametrize("style", ["openai", "azure"])
def test_multipart_passthrough_byte_for_byte(gateway, sim, test_id, style):
    if style == "openai":
        req, body = _multipart(f"{gateway.v1}/audio/transcriptions", None, test_id, "whisper-1")
        want_path = "/v1/audio/transcriptions"
        backend = "sim-openai"
    else:
        req, body = _multipart(f"{gateway.url}/openai/deployments/whisper/audio/transcriptions",
                               {"api-version": API_VERSION}, test_id, None)
        want_path = "/openai/deployments/whisper-dep/audio/transcriptions"
        backend = "sim-azure"
    with httpx.Client(timeout=30) as c:
        r = c.send(req)
    assert r.status_code == 200, r.text
    assert r.headers["x-tollgate-backend"] == backend
    echo = r.json()
    assert echo["object"] == "sim.echo"
    assert echo["method"] == "POST"
    assert echo["content_type"].startswith("multipart/form-data; boundary=")
    assert echo["body_bytes"] == len(body)
    assert echo["body_sha256"] == hashlib.sha256(body).hexdigest()
    seen = sim.find_request(test_id)
    assert split_target(seen["target"])[0] == want_path
    assert seen["body_sha256"] == hashlib.sha256(body).hexdigest()
    assert seen["headers"]["content-type"] == req.headers["content-type"]


def test_multipart_via_sdk(openai_client, azure_client):
    for client in (openai_client, azure_client):
        model = "whisper-1" if client is openai_client else "whisper"
        raw = client.audio.transcriptions.with_raw_response.create(
            model=model, file=("a.wav", AUDIO, "audio/wav"))
        echo = json.loads(raw.text)
        assert echo["object"] == "sim.echo"
        assert echo["target"].split("?")[0].endswith("/audio/transcriptions")
        assert raw.headers.get("x-request-id")


def test_json_passthrough_other_operation(gateway, sim, test_id):
    body = {"model": "gpt-4o", "prompt": "a lighthouse", "n": 1}
    r = gateway.http.post("/openai/deployments/gpt-4o/images/generations",
                          params={"api-version": API_VERSION}, json=body,
                          headers={"x-test-id": test_id})
    assert r.status_code == 200, r.text
    assert r.json()["object"] == "sim.echo"
    path, params = split_target(sim.find_request(test_id)["target"])
    assert path == "/openai/deployments/gpt-4o-dep/images/generations"
    assert params["api-version"] == API_VERSION


# --- headers on the way up ----------------------------------------------------------------------

def test_hop_by_hop_headers_not_forwarded(gateway, sim, test_id):
    r = gateway.http.post(
        "/v1/chat/completions", json={"model": "gpt-4o-mini", "messages": msgs("echo:hop")},
        headers={"x-test-id": test_id, "connection": "keep-alive, x-hop-private",
                 "x-hop-private": "secret", "keep-alive": "timeout=5",
                 "proxy-authorization": "Basic Zm9vOmJhcg==", "te": "trailers",
                 "x-end-to-end": "kept"})
    assert r.status_code == 200, r.text
    h = sim.find_request(test_id)["headers"]
    for name in ("x-hop-private", "keep-alive", "proxy-authorization", "te"):
        assert name not in h, f"hop-by-hop header {name} was forwarded"
    assert h.get("x-end-to-end") == "kept"
    assert h.get("host") == f"127.0.0.1:{sim.port}"
    # And on the way down, the response carries no hop-by-hop header of the upstream's.
    assert "keep-alive" not in r.headers


def test_access_log_line_per_call(gateway):
    import time
    r = gateway.http.post("/v1/chat/completions",
                          json={"model": "gpt-4o", "messages": msgs("echo:logged")})
    rid = r.headers["x-request-id"]
    deadline = time.monotonic() + 5
    while rid not in gateway.stderr_text():
        assert time.monotonic() < deadline, "no access log line with the call's x-request-id"
        time.sleep(0.05)
    lines = [ln for ln in gateway.stderr_text().splitlines() if rid in ln]
    assert len(lines) == 1, lines
    assert "/v1/chat/completions" in lines[0] and "200" in lines[0]
    assert CLIENT_KEY not in gateway.stderr_text()
