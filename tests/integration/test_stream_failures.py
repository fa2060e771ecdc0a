"""Streams that end badly: the client leaves (the upstream call is cancelled) or the upstream
breaks (the client is told, and never gets a truncated answer that looks whole)."""

from __future__ import annotations

import json

import httpx
import openai
import pytest

from conftest import assert_openai_error

SLOW = {"x-sim-token-delay-ms": "50", "x-sim-tokens": "200"}  # a 10 s stream


def msgs(text: str) -> list[dict]:
    return [{"role": "user", "content": text}]


def test_client_disconnect_cancels_upstream_raw(gateway, sim):
    before = sim.stats()
    with httpx.Client(timeout=30) as c:
        with c.stream("POST", f"{gateway.v1}/chat/completions", headers=SLOW,
                      json={"model": "gpt-4o-mini", "messages": msgs("Tell me a long story"),
                            "stream": True}) as r:
            assert r.status_code == 200
            content_events = 0
            for line in r.iter_lines():
                if line.startswith("data: {") and '"content":"' in line.replace(" ", ""):
                    content_events += 1
                if content_events >= 3:
                    break
        # Leaving the block closes the connection mid-stream.
    aborted = sim.wait_stat("streams_aborted", lambda v: v > before["streams_aborted"], timeout=5)
    assert aborted > before["streams_aborted"], "the gateway must close the upstream stream"
    gateway.assert_serving()


def test_client_disconnect_cancels_upstream_sdk(azure_client, gateway, sim):
    before = sim.stats()["streams_aborted"]
    stream = azure_client.chat.completions.create(model="gpt-4o", messages=msgs("Another story"),
                                                  stream=True, extra_headers=SLOW)
    got = 0
    for chunk in stream:
        if chunk.choices and chunk.choices[0].delta.content:
            got += 1
            if got == 2:
                break
    stream.close()
    aborted = sim.wait_stat("streams_aborted", lambda v: v > before, timeout=5)
    assert aborted > before, "the gateway must close the upstream stream"
    gateway.assert_serving()


@pytest.mark.parametrize("model", ["gpt-4o", "gpt-4o-mini"])
def test_upstream_reset_mid_stream_sdk_raises(openai_client, gateway, model):
    hdrs = {"x-sim-tokens": "20", "x-sim-token-delay-ms": "20"}
    full = openai_client.chat.completions.create(
        model=model, messages=msgs("Explain TCP resets"), extra_headers=hdrs
    ).choices[0].message.content
    assert len(full.split(" ")) == 20

    partial = ""
    with pytest.raises((openai.APIError, httpx.HTTPError)):
        stream = openai_client.chat.completions.create(
            model=model, messages=msgs("Explain TCP resets"), stream=True,
            extra_headers={**hdrs, "x-sim-reset-after": "5"})
        for chunk in stream:
            if chunk.choices:
                partial += chunk.choices[0].delta.content or ""
    assert partial, "some text arrived before the reset"
    assert full.startswith(partial), (partial, full)
    assert partial != full
    gateway.assert_serving()


def test_upstream_reset_mid_stream_raw(gateway):
    """On the wire: an SSE error event, then the chunked body is cut (no final chunk, no [DONE])."""
    lines: list[str] = []
    with pytest.raises(httpx.HTTPError):
        with httpx.Client(timeout=30) as c:
            with c.stream("POST", f"{gateway.v1}/chat/completions",
                          headers={"x-sim-tokens": "20", "x-sim-token-delay-ms": "20",
                                   "x-sim-reset-after": "5"},
                          json={"model": "gpt-4o", "messages": msgs("Explain TCP resets"),
                                "stream": True}) as r:
                assert r.status_code == 200
                for line in r.iter_lines():
                    lines.append(line)
    data = [ln[len("data: "):] for ln in lines if ln.startswith("data: ")]
    assert "[DONE]" not in data
    errors = [json.loads(d) for d in data if d.startswith("{") and '"error"' in d]
    assert errors, f"no SSE error event in {lines!r}"
    err = errors[-1]["error"]
    assert isinstance(err, dict) and err.get("message")
    assert data[-1].startswith("{") and "error" in json.loads(data[-1])
    gateway.assert_serving()


def test_upstream_reset_non_stream_is_502(gateway):
    r = gateway.http.post("/v1/chat/completions", headers={"x-sim-reset-after": "0"},
                          json={"model": "gpt-4o", "messages": msgs("hi")})
    assert_openai_error(r, 502)
    gateway.assert_serving()
