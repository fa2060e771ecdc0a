"""Failover between backend regions (docs/failover.md): calls keep flowing while one backend
that serves the model is healthy, retries happen only before the client got a byte, and the
audit records every attempt. Regions are `tollgate sim` processes with injected faults."""

from __future__ import annotations

import json

import httpx
import openai
import pytest

from conftest import assert_openai_error
from failover_support import (DownRegion, _healthy_regions, assert_all_ok,  # noqa: F401
                              audit_responses, backend, ha_config, load, messages, regions, sdk,
                              targets_state, tiers)

# A breaker that opens on the second failure and stays open for the whole test.
STICKY_BREAKER = {"failures": 2, "window_ms": 60_000, "open_ms": 60_000}


def test_concurrent_load_sees_no_error_while_one_backend_is_healthy(regions, start_gateway,
                                                                    tmp_path):
    east, west, north, sweden, japan = (regions[n] for n in
                                        ("eastus", "westus", "northeurope", "swedencentral",
                                         "japaneast"))
    down = DownRegion()
    east.faults(status=429, retry_after=2)   # rate-limited
    west.faults(status=500)                  # failing
    north.faults(drop=1)                     # resets every connection
    sweden.faults(hang=1)                    # accepts, never answers
    faulty = {"limited": east, "failing": west, "resetting": north, "hanging": sweden,
              "down": down}
    backends = {name: backend(r) for name, r in faulty.items()}
    backends["hanging"] = backend(sweden, first_byte_timeout_ms=1000)
    backends["healthy"] = backend(japan)
    targets = [{"backend": name, "deployment": "gpt-4o"} for name in backends]
    g = start_gateway(config=ha_config(backends, targets,
                                   {"max_attempts": 6, "breaker": STICKY_BREAKER}, tmp_path))

    results = load(g, 60)
    assert_all_ok(results, served_by={"healthy"})
    state = targets_state(g)
    for name in ("failing", "resetting", "hanging", "down"):
        assert state[name]["state"] == "open", state[name]
        assert state[name]["trips"] == 1 and state[name]["failures"] >= 2, state[name]
    assert state["limited"]["cooldowns"] >= 1, state["limited"]
    assert state["healthy"]["failures"] == 0

    # Every call's audit record lists its attempts and the backend and region that answered.
    events = audit_responses(tmp_path, len(results))
    assert set(events) == {r.request_id for r in results}
    tried = set()
    for event in events.values():
        routing = event["routing"]
        assert routing["backend"] == "healthy" and routing["region"] == "japaneast", routing
        assert event["response"]["status"] == 200 and event["response"]["outcome"] == "ok"
        *failed, answered = routing["attempts"]
        assert answered["backend"] == "healthy" and answered["status"] == 200, answered
        assert answered["error"] is None
        for attempt in failed:
            assert attempt["backend"] != "healthy"
            # An HTTP answer (429, 500) has its status; anything else an error and no status.
            assert (attempt["status"] in (429, 500)) != (attempt["error"] is not None), attempt
            assert attempt["duration_ms"] >= 0
            tried.add(attempt["backend"])
    assert tried == set(faulty), tried

    # While their breakers are open, the failing regions get no calls at all.
    before = {name: r.calls() for name, r in faulty.items() if name != "limited"}
    assert_all_ok(load(g, 30), served_by={"healthy"})
    assert {name: faulty[name].calls() for name in before} == before
    assert all(s["state"] == "open" for n, s in targets_state(g).items() if n in before)


@pytest.mark.parametrize("fault", ["status-500", "status-429", "drop", "hang", "down"])
def test_streams_fail_over_before_their_first_byte(regions, start_gateway, tmp_path, fault):
    primary, secondary = regions["eastus"], regions["westus"]
    if fault == "down":
        primary = DownRegion("eastus")
    elif fault == "status-429":
        primary.faults(status=429, retry_after_ms=60_000)
    elif fault.startswith("status-"):
        primary.faults(status=int(fault[len("status-"):]))
    else:
        primary.faults(**{fault: 1})
    backends = {"primary": backend(primary, first_byte_timeout_ms=1000),
                "secondary": backend(secondary)}
    targets = tiers("primary", "secondary")
    # No breaker and no cool-down: every call meets the failure first.
    routing = {"breaker": {"failures": 0, "ratio": 0}, "max_cooldown_ms": 0}
    g = start_gateway(config=ha_config(backends, targets, routing, tmp_path))
    client = sdk(g)
    ids = []
    for i in range(3):
        with client.chat.completions.with_streaming_response.create(
                model="gpt-4o", messages=messages(f"echo:stream {i} survives"),
                stream=True) as raw:
            text = "".join(c.choices[0].delta.content or "" for c in raw.parse() if c.choices)
            assert raw.headers["x-tollgate-backend"] == "secondary"
            ids.append(raw.headers["x-request-id"])
        assert text == f"stream {i} survives"
    assert primary.calls() == (0 if fault == "down" else 3) and secondary.calls() == 3
    events = audit_responses(tmp_path, 3)
    for mid in ids:
        attempts = events[mid]["routing"]["attempts"]
        assert [a["backend"] for a in attempts] == ["primary", "secondary"], attempts
        assert attempts[1]["status"] == 200
        assert events[mid]["response"]["chunks"] > 0


def test_failure_after_the_first_byte_is_never_retried_and_the_sdk_raises(
        regions, start_gateway, tmp_path):
    primary, secondary = regions["eastus"], regions["westus"]
    primary.faults(reset_after=2, token_delay_ms=20)
    backends = {"primary": backend(primary), "secondary": backend(secondary)}
    targets = tiers("primary", "secondary")
    g = start_gateway(config=ha_config(backends, targets, {}, tmp_path))
    client = sdk(g)
    received = []
    with pytest.raises(openai.APIError) as raised:
        with client.chat.completions.with_streaming_response.create(
                model="gpt-4o", messages=messages("tell me more"), stream=True) as raw:
            request_id = raw.headers["x-request-id"]
            for chunk in raw.parse():
                if chunk.choices:
                    received.append(chunk.choices[0].delta.content or "")
    assert "upstream_stream_broken" in str(raised.value.body) or "broke" in str(raised.value)
    assert received, "the client had bytes before the failure"
    # The client had bytes, so the call was not sent again anywhere.
    assert primary.calls() == 1 and secondary.calls() == 0

    # The raw stream ends with the error event and an aborted response, never with [DONE].
    lines = []
    with pytest.raises(httpx.RemoteProtocolError):
        with httpx.stream("POST", f"{g.url}/v1/chat/completions", timeout=30,
                          json={"model": "gpt-4o", "messages": messages("again"),
                                "stream": True}) as r:
            for line in r.iter_lines():
                if line.startswith("data: "):
                    lines.append(line)
    assert json.loads(lines[-1][len("data: "):])["error"]["code"] == "upstream_stream_broken"

    event = audit_responses(tmp_path, 2)[request_id]
    assert event["response"]["outcome"] == "upstream_error" and event["response"]["error"]
    assert [a["backend"] for a in event["routing"]["attempts"]] == ["primary"]


def test_when_every_backend_cools_down_the_429_comes_at_once(regions, start_gateway,
                                                            tmp_path):
    east, west = regions["eastus"], regions["westus"]
    east.faults(status=429, retry_after=30)
    west.faults(status=429, retry_after_ms=20_000)
    backends = {"east": backend(east), "west": backend(west)}
    targets = [{"backend": "east"}, {"backend": "west"}]
    g = start_gateway(config=ha_config(backends, targets, {}, tmp_path))

    # The first call meets both 429s and gets the last backend's answer, as it sent it.
    first = g.http.post("/v1/chat/completions",
                        json={"model": "gpt-4o", "messages": messages("hi")})
    assert first.status_code == 429
    assert first.json()["error"]["code"] == "rate_limit_exceeded"
    assert east.calls() + west.calls() == 2
    state = targets_state(g)
    assert {s["state"] for s in state.values()} == {"cooling"}

    # From then on, the gateway answers for them without a single call upstream.
    r = g.http.post("/v1/chat/completions", json={"model": "gpt-4o", "messages": messages("hi")})
    err = assert_openai_error(r, 429)
    assert err["code"] == "rate_limit_exceeded" and err["type"] == "requests"
    wait_ms = int(r.headers["retry-after-ms"])
    assert 0 < wait_ms <= 20_000  # the shorter of the two cool-downs
    assert int(r.headers["retry-after"]) == -(-wait_ms // 1000)  # whole seconds, rounded up
    with pytest.raises(openai.RateLimitError):
        sdk(g).chat.completions.create(model="gpt-4o", messages=messages("hi"), stream=True)
    assert east.calls() + west.calls() == 2

    events = audit_responses(tmp_path, 3)
    refused = events[r.headers["x-request-id"]]
    assert refused["response"]["status"] == 429
    assert refused["response"]["outcome"] == "gateway_error"
    assert refused["routing"]["attempts"] == []


def test_attempts_are_bounded_by_max_attempts(regions, start_gateway):
    names = ("eastus", "westus", "northeurope")
    for name in names:
        regions[name].faults(status=500)
    backends = {name: backend(regions[name]) for name in names}
    targets = [{"backend": name} for name in names]
    routing = {"max_attempts": 2, "breaker": {"failures": 0, "ratio": 0}}
    g = start_gateway(config=ha_config(backends, targets, routing))
    r = g.http.post("/v1/chat/completions", json={"model": "gpt-4o", "messages": messages("hi")})
    # The client gets the last backend's own answer.
    assert r.status_code == 500 and r.json()["error"]["type"] == "server_error"
    assert sum(regions[n].calls() for n in names) == 2


def test_the_call_deadline_bounds_the_attempts(regions, start_gateway, tmp_path):
    east, west = regions["eastus"], regions["westus"]
    east.faults(hang=1)
    west.faults(hang=1)
    backends = {"east": backend(east), "west": backend(west)}
    targets = [{"backend": "east"}, {"backend": "west"}]
    routing = {"timeout_ms": 800}  # far shorter than the backends' first-byte timeouts
    g = start_gateway(config=ha_config(backends, targets, routing, tmp_path))
    r = g.http.post("/v1/chat/completions", json={"model": "gpt-4o", "messages": messages("hi")})
    err = assert_openai_error(r, 504)
    assert "deadline" in err["message"]
    event = audit_responses(tmp_path, 1)[r.headers["x-request-id"]]
    assert event["response"]["outcome"] == "timeout"
    # The deadline says nothing about the backend: its breaker did not count it.
    attempts = event["routing"]["attempts"]
    assert len(attempts) == 1 and attempts[0]["error"]
    assert targets_state(g)[attempts[0]["backend"]]["failures"] == 0


def test_admin_backends_lists_every_target(regions, start_gateway):
    east, west = regions["eastus"], regions["westus"]
    backends = {"east": backend(east), "west": backend(west)}
    targets = [{"backend": "east", "deployment": "gpt-4o-ptu", "priority": 1},
               {"backend": "west", "deployment": "gpt-4o", "priority": 2}]
    g = start_gateway(config=ha_config(backends, targets, {}))
    r = g.http.get("/admin/backends")
    assert r.status_code == 200 and r.headers["content-type"] == "application/json"
    body = r.json()
    assert body["object"] == "tollgate.backends"
    by_key = {(t["backend"], t["deployment"]): t for t in body["targets"]}
    east_state = by_key[("east", "gpt-4o-ptu")]
    assert east_state["models"] == ["gpt-4o"]
    assert east_state["state"] == "closed" and east_state["available"] is True
    for key in ("cooldown_remaining_ms", "open_remaining_ms", "outstanding", "attempts",
                "failures", "cooldowns", "trips", "probes", "healthy", "reason", "last_error"):
        assert key in east_state, key
    # Model-less calls (files, batches) have their own target: the first model's primary.
    assert ("east", None) in by_key
    assert_openai_error(g.http.get("/admin/nothing"), 404)
    assert_openai_error(g.http.post("/admin/backends"), 405)
