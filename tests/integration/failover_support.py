"""Helpers for the failover tests (test_failover*.py): simulated regions whose faults are
switched at runtime (PUT /sim/faults), gateways with a pool of them, the gateway's
/admin/backends view, and concurrent load through the real SDK and httpx.

Counts of what each region received always come from the simulator's side (/sim/stats).
"""

from __future__ import annotations

import json
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import httpx
import openai
import pytest

from audit_support import jsonl_events, wait_for_lines
from conftest import CLIENT_KEY, Gateway, Sim, free_port

REGIONS = ("eastus", "westus", "northeurope", "swedencentral", "japaneast")


class Region:
    """A simulated region: one `tollgate sim` whose default faults tests switch at runtime."""

    def __init__(self, name: str):
        self.name = name
        self.sim = Sim(region=name)
        self.url = f"{self.sim.url}/v1"

    def faults(self, **faults):
        """Replaces the region's faults; names as in docs/simulator.md, `_` for `-`."""
        body = {k.replace("_", "-"): v for k, v in faults.items()}
        r = self.sim.http.put("/sim/faults", json=body)
        assert r.status_code == 200, r.text

    def calls(self) -> int:
        """Requests the region received (outside /sim/)."""
        return self.sim.stats()["requests"]

    def reset(self):
        self.faults()
        self.sim.http.post("/sim/reset").raise_for_status()

    def close(self):
        self.sim.close()


class DownRegion:
    """A region that is down: nothing listens on its port."""

    def __init__(self, name: str = "down"):
        self.name = name
        self.url = f"http://127.0.0.1:{free_port()}/v1"

    def calls(self) -> int:
        return 0


@pytest.fixture(scope="module")
def regions():
    made = {name: Region(name) for name in REGIONS}
    yield made
    for region in made.values():
        region.close()


@pytest.fixture(autouse=True)
def _healthy_regions(request):
    """Every test starts with healthy regions and zeroed counters."""
    if "regions" in request.fixturenames:
        for region in request.getfixturevalue("regions").values():
            region.reset()
    yield


def backend(region, *, first_byte_timeout_ms: int = 10_000, **extra) -> dict:
    return {"kind": "openai", "url": region.url, "api_key": f"key-{region.name}",
            "connect_timeout_ms": 1000, "first_byte_timeout_ms": first_byte_timeout_ms,
            "idle_timeout_ms": 10_000, **extra}


def tiers(*names: str) -> list[dict]:
    """Targets in priority order: the first backend is the primary, the next its spillover..."""
    return [{"backend": name, "priority": n} for n, name in enumerate(names, 1)]


def ha_config(backends: dict, targets: list[dict], routing: dict, audit_dir: Path | None = None,
              model: str = "gpt-4o") -> str:
    """A gateway with one model served by `targets` (JSON flow mappings are YAML)."""
    audit = {"spool": str(audit_dir / "spool"),
             "sinks": [{"type": "jsonl", "path": str(audit_dir / "events.jsonl")}]} \
        if audit_dir else {"sinks": []}
    return "\n".join([
        "# Written by tests/integration/failover_support.py",
        "listen: 127.0.0.1:0",
        "server: {threads: 2}",
        "log: {level: info, access_log: false}",
        f"backends: {json.dumps(backends)}",
        f"models: {json.dumps({model: targets})}",
        f"routing: {json.dumps(routing)}",
        f"audit: {json.dumps(audit)}",
        "",
    ])


def targets_state(g: Gateway) -> dict[str, dict]:
    """/admin/backends, keyed by backend name."""
    r = g.http.get("/admin/backends")
    assert r.status_code == 200, r.text
    return {t["backend"]: t for t in r.json()["targets"]}


def wait_state(g: Gateway, backend_name: str, predicate: Callable[[dict], bool],
               timeout: float = 30.0) -> dict:
    """Polls /admin/backends (bounded) until `predicate` holds for the backend's entry."""
    deadline = time.monotonic() + timeout
    while True:
        state = targets_state(g)[backend_name]
        if predicate(state):
            return state
        assert time.monotonic() < deadline, f"{backend_name} never got there: {state}"
        time.sleep(0.05)


def messages(text: str) -> list[dict]:
    return [{"role": "user", "content": text}]


@dataclass
class CallResult:
    kind: str
    ok: bool
    backend: str | None = None
    request_id: str | None = None
    error: str | None = None
    text: str = ""


def sdk(g: Gateway) -> openai.OpenAI:
    # The SDK's own retries would hide what the gateway does.
    return openai.OpenAI(base_url=g.v1, api_key=CLIENT_KEY, max_retries=0, timeout=60)


def one_call(client: openai.OpenAI, http: httpx.Client, i: int) -> CallResult:
    """One of three kinds of call, each checked for the complete, exact answer."""
    kind = ("sdk", "sdk-stream", "httpx")[i % 3]
    text = f"call {i}"
    try:
        if kind == "sdk":
            raw = client.chat.completions.with_raw_response.create(
                model="gpt-4o", messages=messages(f"echo:{text}"))
            answer = raw.parse().choices[0].message.content
            return CallResult(kind, answer == text, raw.headers.get("x-tollgate-backend"),
                              raw.headers.get("x-request-id"), text=answer or "")
        if kind == "sdk-stream":
            with client.chat.completions.with_streaming_response.create(
                    model="gpt-4o", messages=messages(f"echo:{text}"), stream=True) as raw:
                answer = "".join(chunk.choices[0].delta.content or ""
                                 for chunk in raw.parse() if chunk.choices)
                return CallResult(kind, answer == text, raw.headers.get("x-tollgate-backend"),
                                  raw.headers.get("x-request-id"), text=answer)
        r = http.post("/v1/chat/completions",
                      json={"model": "gpt-4o", "messages": messages(f"echo:{text}")})
        answer = r.json()["choices"][0]["message"]["content"] if r.status_code == 200 else ""
        return CallResult(kind, r.status_code == 200 and answer == text,
                          r.headers.get("x-tollgate-backend"), r.headers.get("x-request-id"),
                          error=None if r.status_code == 200 else r.text, text=answer)
    except (openai.APIError, httpx.HTTPError) as e:
        return CallResult(kind, False, error=f"{type(e).__name__}: {e}")


def load(g: Gateway, calls: int, threads: int = 8) -> list[CallResult]:
    """`calls` calls from `threads` concurrent clients, all finished when it returns."""
    client = sdk(g)
    with httpx.Client(base_url=g.url, timeout=60) as http, \
            ThreadPoolExecutor(threads) as pool:
        results = list(pool.map(lambda i: one_call(client, http, i), range(calls)))
    client.close()
    return results


def assert_all_ok(results: list[CallResult], served_by: set[str] | None = None):
    failed = [r for r in results if not r.ok]
    assert not failed, f"{len(failed)} of {len(results)} calls failed: {failed[:5]}"
    if served_by is not None:
        backends = {r.backend for r in results}
        assert backends <= served_by, backends


def audit_responses(audit_dir: Path, calls: int) -> dict[str, dict]:
    """The response events of `calls` calls, by message id, once the sink has written them."""
    path = audit_dir / "events.jsonl"
    wait_for_lines(path, 2 * calls)
    return {e["message_id"]: e for e in jsonl_events(path) if e["event_type"] == "response"}
