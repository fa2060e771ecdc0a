#!/usr/bin/env python3
"""Failover latency: how much time a failover adds to a call, and how it compares with a call
straight to a healthy backend (docs/benchmark.md, "Failover").

For each way a first backend can fail before answering — the connection refused (nothing
listens), a 500, a reset connection (the simulator's drop fault), a 429 — it sends CALLS
sequential plain chat calls through a gateway whose model has that failing backend as its
priority-1 member and a healthy one as its priority-2 member, with the breaker and cool-downs
off so that every call meets the failure first. From the client it times each call to its
response header (time to first byte); from the gateway's audit record it reads how long the
failing attempt took. Then:

  direct     TTFB of the same call to a model whose only backend is the healthy one
  failover   TTFB of a call that failed over
  first      the failing attempt, from the gateway sending it to the failure (audit)
  added      failover - first: from the first backend's failure to the client's first byte
  overhead   added - direct: what failing over costs beyond a plain call to the healthy one

Medians and 99th percentiles in milliseconds. Usage:
  .venv/bin/python bench/failover.py            # CALLS=400 by default
  CALLS=2000 TOLLGATE=build/tollgate .venv/bin/python bench/failover.py
Only loopback addresses and kernel-chosen ports; every process it starts is stopped on exit.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TOLLGATE = os.environ.get("TOLLGATE", str(REPO / "build" / "tollgate"))
CALLS = int(os.environ.get("CALLS", "400"))
PROXY_CPU = os.environ.get("PROXY_CPU", "0")
LOAD_CPU = os.environ.get("LOAD_CPU", "1")
FAULTS = {"refused": None, "500": ["--fault", "status=500"], "reset": ["--fault", "drop=1"],
          "429": ["--fault", "status=429"]}
LISTENING = re.compile(rb"^tollgate listening on http://([^:]+):(\d+)")

procs: list[subprocess.Popen] = []


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(args: list[str], cpu: str) -> int:
    """Starts a tollgate process pinned to `cpu`; returns the port it announced."""
    proc = subprocess.Popen(["taskset", "-c", cpu, TOLLGATE, *args], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL)
    procs.append(proc)
    line = proc.stdout.readline()
    m = LISTENING.match(line)
    if not m:
        raise SystemExit(f"{args[0]} did not start: {line!r}")
    return int(m.group(2))


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def ttfbs(port: int, model: str) -> list[tuple[float, str]]:
    """(ms to the response header, x-request-id) for CALLS sequential calls on one connection."""
    conn = http.client.HTTPConnection("127.0.0.1", port)
    body = json.dumps({"model": model,
                       "messages": [{"role": "user", "content": "echo:failover"}]}).encode()
    out = []
    for i in range(CALLS + 20):
        start = time.perf_counter()
        conn.request("POST", "/v1/chat/completions", body=body,
                     headers={"content-type": "application/json"})
        resp = conn.getresponse()
        elapsed = (time.perf_counter() - start) * 1000
        resp.read()
        if resp.status != 200:
            raise SystemExit(f"{model}: status {resp.status}")
        if i >= 20:  # the first calls warm up connections and caches
            out.append((elapsed, resp.getheader("x-request-id")))
    conn.close()
    return out


def main() -> None:
    os.sched_setaffinity(0, {int(LOAD_CPU)})
    tmp = Path(tempfile.mkdtemp(prefix="tollgate-failover-bench-"))
    healthy = start(["sim", "--listen", "127.0.0.1:0", "--threads", "1"], LOAD_CPU)
    backends = {"healthy": {"kind": "openai", "url": f"http://127.0.0.1:{healthy}/v1"}}
    models = {"direct": [{"backend": "healthy"}]}
    for name, fault in FAULTS.items():
        port = free_port() if fault is None else start(
            ["sim", "--listen", "127.0.0.1:0", "--threads", "1", *fault], LOAD_CPU)
        backends[name] = {"kind": "openai", "url": f"http://127.0.0.1:{port}/v1"}
        models[f"via-{name}"] = [{"backend": name, "priority": 1},
                                 {"backend": "healthy", "priority": 2}]
    events = tmp / "events.jsonl"
    config = tmp / "gateway.yaml"
    config.write_text("\n".join([
        "listen: 127.0.0.1:0",
        "server: {threads: 1}",
        "log: {level: error, access_log: false}",
        f"backends: {json.dumps(backends)}",
        f"models: {json.dumps(models)}",
        'routing: {"max_cooldown_ms": 0, "breaker": {"failures": 0, "ratio": 0}}',
        f'audit: {json.dumps({"spool": str(tmp / "spool"), "sinks": [{"type": "jsonl", "path": str(events)}]})}',
        ""]))
    gateway = start(["serve", "--config", str(config)], PROXY_CPU)

    direct = [t for t, _ in ttfbs(gateway, "direct")]
    runs = {name: ttfbs(gateway, f"via-{name}") for name in FAULTS}
    expected = 2 * (CALLS + 20) * (1 + len(FAULTS))
    deadline = time.monotonic() + 60
    while (not events.exists() or sum(1 for _ in events.open()) < expected) \
            and time.monotonic() < deadline:
        time.sleep(0.1)
    first_attempt = {}
    for line in events.open():
        event = json.loads(line)
        attempts = event["routing"]["attempts"]
        if event["event_type"] == "response" and len(attempts) == 2:
            first_attempt[event["message_id"]] = attempts[0]["duration_ms"]

    print(f"Failover latency, {CALLS} sequential calls each (ms; median / p99)\n")
    print("| first backend | direct | failover | first (failing attempt) | added | overhead |")
    print("|---|---|---|---|---|---|")
    d50, d99 = statistics.median(direct), percentile(direct, 0.99)
    for name, run in runs.items():
        failover = [t for t, _ in run]
        first = [first_attempt[mid] for _, mid in run]
        added = [t - first_attempt[mid] for t, mid in run]
        print(f"| {name} | {d50:.3f} / {d99:.3f} | {statistics.median(failover):.3f} / "
              f"{percentile(failover, 0.99):.3f} | {statistics.median(first):.3f} / "
              f"{percentile(first, 0.99):.3f} | {statistics.median(added):.3f} / "
              f"{percentile(added, 0.99):.3f} | {statistics.median(added) - d50:+.3f} |")


if __name__ == "__main__":
    try:
        main()
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()
