"""Upstream errors pass through unchanged; the gateway's own errors are OpenAI-shaped; bad input
never wedges the server."""

from __future__ import annotations

import socket

import httpx
import openai
import pytest

from conftest import assert_openai_error

CHAT = {"model": "gpt-4o", "messages": [{"role": "user", "content": "echo:hi"}]}


# --- upstream errors ----------------------------------------------------------------------------

@pytest.mark.parametrize("model, backend", [("gpt-4o", "sim-azure"), ("gpt-4o-mini", "sim-openai")])
def test_upstream_429_reaches_client_with_headers(openai_client, azure_client, model, backend):
    for client in (openai_client, azure_client):
        with pytest.raises(openai.RateLimitError) as exc:
            client.with_options(max_retries=0).chat.completions.create(
                model=model, messages=CHAT["messages"],
                extra_headers={"x-sim-status": "429", "x-sim-retry-after": "7",
                               "x-sim-retry-after-ms": "6500"})
        e = exc.value
        assert e.status_code == 429
        h = e.response.headers
        assert h["retry-after"] == "7"
        assert h["retry-after-ms"] == "6500"
        assert h["x-ms-retry-after-ms"] == "6500"
        assert h["x-tollgate-backend"] == backend
        assert h.get("x-request-id")
        assert isinstance(e.body, dict) and e.body.get("message"), e.body
        # The SDK would honour the header when retrying.
        assert "x-ratelimit-remaining-requests" in h


def test_upstream_429_on_stream(openai_client):
    with pytest.raises(openai.RateLimitError) as exc:
        openai_client.chat.completions.create(
            model="gpt-4o", messages=CHAT["messages"], stream=True,
            extra_headers={"x-sim-status": "429", "x-sim-retry-after": "3"})
    assert exc.value.response.headers["retry-after"] == "3"


@pytest.mark.parametrize("status, exc_type", [(500, openai.InternalServerError),
                                              (503, openai.InternalServerError),
                                              (400, openai.BadRequestError)])
def test_upstream_errors_pass_through(gateway, sim, openai_client, status, exc_type):
    direct = httpx.post(f"{sim.url}/v1/chat/completions", json=CHAT,
                        headers={"x-sim-status": str(status)}, timeout=10)
    via = gateway.http.post("/v1/chat/completions", json=CHAT,
                            headers={"x-sim-status": str(status)})
    assert via.status_code == status
    assert via.json() == direct.json(), "upstream error bodies pass through unchanged"
    with pytest.raises(exc_type):
        openai_client.chat.completions.create(model="gpt-4o", messages=CHAT["messages"],
                                              extra_headers={"x-sim-status": str(status)})


# --- gateway errors -----------------------------------------------------------------------------

def test_400_malformed_json(gateway):
    for body in (b"{not json", b"", b'{"model": "gpt-4o", "messages": [', b"\xff\xfe\x00"):
        r = gateway.http.post("/v1/chat/completions", content=body,
                              headers={"content-type": "application/json"})
        assert_openai_error(r, 400)
    r = gateway.http.post("/openai/v1/embeddings", content=b"[1,2",
                          headers={"content-type": "application/json"})
    assert_openai_error(r, 400)
    gateway.assert_serving()


def test_400_missing_model(gateway):
    r = gateway.http.post("/v1/chat/completions",
                          json={"messages": [{"role": "user", "content": "hi"}]})
    err = assert_openai_error(r, 400)
    assert err["param"] == "model"
    r = gateway.http.post("/v1/embeddings", json={"input": "hi"})
    assert_openai_error(r, 400)
    gateway.assert_serving()


def test_404_unknown_model(gateway, openai_client, azure_client):
    r = gateway.http.post("/v1/chat/completions", json={**CHAT, "model": "no-such-model"})
    err = assert_openai_error(r, 404)
    assert "no-such-model" in err["message"]
    r = gateway.http.post("/openai/deployments/no-such-dep/chat/completions",
                          params={"api-version": "2024-10-21"}, json=CHAT)
    assert_openai_error(r, 404)
    with pytest.raises(openai.NotFoundError):
        openai_client.chat.completions.create(model="no-such-model", messages=CHAT["messages"])
    with pytest.raises(openai.NotFoundError):
        azure_client.chat.completions.create(model="no-such-dep", messages=CHAT["messages"])
    gateway.assert_serving()


@pytest.mark.parametrize("method, path", [("GET", "/"), ("GET", "/nope"), ("POST", "/v2/chat"),
                                          ("GET", "/openai"), ("POST", "/openai/deployments/"),
                                          ("GET", "/favicon.ico")])
def test_404_unknown_route(gateway, method, path):
    r = gateway.http.request(method, path, json={} if method == "POST" else None)
    assert_openai_error(r, 404)


def test_405_wrong_method(gateway):
    for path in ("/v1/chat/completions", "/v1/embeddings", "/v1/completions",
                 "/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21"):
        r = gateway.http.get(path)
        assert_openai_error(r, 405)
    r = gateway.http.delete("/v1/chat/completions")
    assert_openai_error(r, 405)
    gateway.assert_serving()


@pytest.fixture(scope="module")
def small_gateway(sim, dead_port):
    """A gateway with small body and header limits."""
    from conftest import Gateway, gateway_config
    g = Gateway(gateway_config(sim, dead_port=dead_port,
                               server="  max_body_bytes: 2048\n  max_header_bytes: 4096"),
                name="gateway-small")
    yield g
    g.close()


def test_413_body_too_large(small_gateway):
    big = {**CHAT, "messages": [{"role": "user", "content": "echo:" + "x" * 4096}]}
    r = small_gateway.http.post("/v1/chat/completions", json=big)
    assert_openai_error(r, 413)
    small_gateway.assert_serving()

    # Chunked, no content-length: the limit still holds.
    def chunks():
        for _ in range(8):
            yield b"x" * 1024
    r = small_gateway.http.post("/v1/chat/completions", content=chunks(),
                                headers={"content-type": "application/json"})
    assert_openai_error(r, 413)
    small_gateway.assert_serving()

    # Far over the limit: refused without reading it all, and the client still gets the answer.
    r = small_gateway.http.post("/v1/chat/completions", content=b"x" * 300_000,
                                headers={"content-type": "application/json"})
    assert_openai_error(r, 413)
    small_gateway.assert_serving()

    # A body just under the limit is accepted.
    ok = {**CHAT, "messages": [{"role": "user", "content": "echo:" + "y" * 1500}]}
    r = small_gateway.http.post("/v1/chat/completions", json=ok)
    assert r.status_code == 200, r.text
    assert r.json()["choices"][0]["message"]["content"] == "y" * 1500


def test_413_default_limit_is_not_hit_by_normal_calls(gateway):
    r = gateway.http.post("/v1/chat/completions",
                          json={**CHAT, "messages": [{"role": "user", "content": "echo:" + "z" * 100_000}]})
    assert r.status_code == 200


def test_431_headers_too_large(small_gateway, gateway):
    r = small_gateway.http.post("/v1/chat/completions", json=CHAT,
                                headers={"x-big": "a" * 8000})
    assert_openai_error(r, 431)
    small_gateway.assert_serving()
    # Default limit 64 KiB.
    r = gateway.http.post("/v1/chat/completions", json=CHAT, headers={"x-big": "b" * 70_000})
    assert_openai_error(r, 431)
    r = gateway.http.post("/v1/chat/completions", json=CHAT, headers={"x-big": "b" * 300_000})
    assert_openai_error(r, 431)
    r = gateway.http.post("/v1/chat/completions", json=CHAT,
                          headers={f"x-many-{i}": "c" * 100 for i in range(800)})
    assert_openai_error(r, 431)
    gateway.assert_serving()


def test_502_upstream_unreachable(gateway, openai_client):
    r = gateway.http.post("/v1/chat/completions", json={**CHAT, "model": "dead-model"})
    assert_openai_error(r, 502)
    r = gateway.http.post("/v1/chat/completions", json={**CHAT, "model": "dead-model",
                                                        "stream": True})
    assert_openai_error(r, 502)
    with pytest.raises(openai.InternalServerError) as exc:
        openai_client.chat.completions.create(model="dead-model", messages=CHAT["messages"])
    assert exc.value.status_code == 502
    gateway.assert_serving()


@pytest.mark.parametrize("fault", [{"x-sim-delay-ms": "3000"}, {"x-sim-hang": "1"}],
                         ids=["delay", "hang"])
def test_504_upstream_timeout(gateway, sim, fault):
    before = sim.stats()["connections_open"]
    r = gateway.http.post("/v1/chat/completions", json={**CHAT, "model": "slow-model"},
                          headers=fault)
    # first_byte_timeout_ms is 400: the gateway gives up long before the sim's 3 s answer.
    assert_openai_error(r, 504)
    # The gateway gave up on the upstream connection too.
    after = sim.wait_stat("connections_open", lambda v: v <= before, timeout=5)
    assert after <= before
    gateway.assert_serving()


def test_504_on_stream_before_first_byte(gateway):
    r = gateway.http.post("/v1/chat/completions",
                          json={**CHAT, "model": "slow-model", "stream": True},
                          headers={"x-sim-hang": "1"})
    assert_openai_error(r, 504)
    gateway.assert_serving()


def test_garbage_and_half_requests_do_not_wedge(gateway):
    """Raw junk on sockets: the gateway answers or closes, and keeps serving."""
    host, port = gateway.host, gateway.port
    junk = [
        b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + b"\x00" * 64,  # a TLS ClientHello
        b"GARBAGE\r\n\r\n",
        b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{",
        b"GET / HTTP/1.1\r\n" + b"X: y\r\n" * 10,  # never finished
        b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
    ]
    socks = []
    for data in junk:
        s = socket.create_connection((host, port), timeout=5)
        s.sendall(data)
        socks.append(s)
    gateway.assert_serving()
    for s in socks:
        s.close()
    gateway.assert_serving()
