"""`tollgate report` over known traffic: calls made through the gateway with the real OpenAI SDK
(priced and unpriced models, end users, streams, embeddings, failures) are recorded by the
sqlite sink and by the postgres sink (a real PostgreSQL 15 server); over either store, the
report's groups, sums, costs, error rates and percentiles equal what the test computes on its
own from the simulator's usage numbers and the events file."""

from __future__ import annotations

import csv
import io
import json
import math
import os
import subprocess
import time
from collections import defaultdict

import httpx
import openai
import pytest
from openai import OpenAI

from audit_support import (  # noqa: F401  (audit_env is a fixture)
    audit_env, by_message, jsonl_events, sim_usage)
from conftest import CLIENT_KEY, OPENAI_BACKEND_KEY, Gateway, tollgate_bin

PRICES = """\
prices:
  gpt-4o-mini:
    - { input: 0.15, cached_input: 0.075, output: 0.60, currency: USD }
  gpt-4o:
    - { input: 2.50, cached_input: 1.25, output: 10.00, currency: USD, effective_from: 2024-05-13 }
  text-embedding-3-small:
    - { input: 0.02, output: 0, currency: USD }
"""
PRICE = {"gpt-4o-mini": (0.15, 0.075, 0.60), "gpt-4o": (2.50, 1.25, 10.00),
         "text-embedding-3-small": (0.02, 0.02, 0.0)}
METRICS = ("calls", "errors", "error_rate", "prompt_tokens", "completion_tokens", "cached_tokens",
           "reasoning_tokens", "total_tokens", "cost", "currency", "unpriced_calls", "p50_ms",
           "p95_ms")


def priced_config(env, audit: dict) -> str:
    text = env.config(audit)
    cut = text.rindex("\naudit: ")
    return text[:cut] + "\n" + PRICES + text[cut:]


def report(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([tollgate_bin(), "report", *args], capture_output=True, text=True,
                          timeout=60, env={**os.environ, "TOLLGATE_TEST_OPENAI_KEY":
                                           OPENAI_BACKEND_KEY})


def report_json(*args: str) -> dict:
    r = report(*args, "--format", "json")
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def drive_traffic(g: Gateway, sim) -> dict[str, dict]:
    """Known calls through the gateway; returns {message id: the usage the sim reports for it
    (None for failed calls)}."""
    client = OpenAI(base_url=g.v1, api_key=CLIENT_KEY, max_retries=0, timeout=60)
    usage: dict[str, dict | None] = {}

    def chat(model, text, user=None, **extra):
        body = {"model": model, "messages": [{"role": "user", "content": text}]}
        if user:
            body["user"] = user
        raw = client.chat.completions.with_raw_response.create(**body, **extra)
        raw.parse()
        usage[raw.headers["x-request-id"]] = sim_usage(sim, "chat/completions", body)

    for i in range(5):
        chat("gpt-4o-mini", f"Question number {i} " + "about tolls " * i, user="alice")
    chat("gpt-4o-mini", "A longer answer, please", user="bob", max_tokens=64)
    chat("gpt-4o", "Summarise the audit trail", user="alice")
    chat("gpt-4o", "echo:exactly these words")
    chat("gpt-4-turbo", "Nobody priced me", user="bob")
    # A stream: the gateway records exact usage even though the client did not ask for it.
    body = {"model": "gpt-4o", "messages": [{"role": "user", "content": "Stream a story"}],
            "user": "bob"}
    with client.chat.completions.with_streaming_response.create(**body, stream=True) as r:
        mid = r.headers["x-request-id"]
        for _ in r.iter_lines():
            pass
    usage[mid] = sim_usage(sim, "chat/completions", body)
    raw = client.embeddings.with_raw_response.create(
        model="text-embedding-3-small", input=["tolls", "gates and bridges"], user="alice")
    raw.parse()
    usage[raw.headers["x-request-id"]] = sim_usage(
        sim, "embeddings", {"model": "x", "input": ["tolls", "gates and bridges"]})
    # Failures: rate limited and a server error, both errors in the report, without usage.
    for status in ("429", "500"):
        with pytest.raises(openai.APIStatusError) as failed:
            client.chat.completions.create(
                model="gpt-4o-mini", messages=[{"role": "user", "content": "fail"}], user="alice",
                extra_headers={"x-sim-status": status})
        usage[failed.value.response.headers["x-request-id"]] = None
    return usage


def nearest_rank(values: list[float], p: int) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[math.ceil(p * len(ordered) / 100) - 1]


def expected_rows(events: dict[str, dict], usage: dict[str, dict | None], key) -> dict:
    """The report's rows, computed here: tokens from the sim's usage numbers, costs from the
    price table, durations and outcomes from the response events. `key(request, response)`
    gives a call's group."""
    groups: dict[tuple, list[str]] = defaultdict(list)
    for mid, pair in events.items():
        groups[key(pair["request"], pair["response"])].append(mid)
    rows = {}
    for group, mids in groups.items():
        row = dict.fromkeys(METRICS[:-2], 0)
        costs, durations = [], []
        row["calls"] = len(mids)
        for mid in mids:
            req, resp = events[mid]["request"], events[mid]["response"]
            model = req["call"]["model"]
            if resp["response"]["outcome"] != "ok" or resp["response"]["status"] >= 400:
                row["errors"] += 1
            durations.append(resp["timing"]["duration_ms"])
            u = usage[mid]
            if u is None:
                continue
            for k in ("prompt_tokens", "completion_tokens", "cached_tokens", "reasoning_tokens",
                      "total_tokens"):
                row[k] += u[k] or 0
            if model in PRICE:
                inp, cached_price, out = PRICE[model]
                cached = u["cached_tokens"] or 0
                costs.append(((u["prompt_tokens"] - cached) * inp + cached * cached_price
                              + u["completion_tokens"] * out) / 1e6)
            else:
                row["unpriced_calls"] += 1
        row["error_rate"] = row["errors"] / row["calls"]
        row["cost"] = sum(costs) if costs else None
        row["currency"] = "USD" if costs else None
        row["p50_ms"] = nearest_rank(durations, 50)
        row["p95_ms"] = nearest_rank(durations, 95)
        rows[group] = row
    return rows


def assert_report_equals(actual: dict, by: list[str], expected: dict):
    assert actual["by"] == by
    got = {tuple(r[d] for d in by): r for r in actual["rows"]}
    assert set(got) == set(expected), (sorted(got, key=str), sorted(expected, key=str))
    # Rows come sorted by their keys, null first.
    keys = [tuple(r[d] for d in by) for r in actual["rows"]]
    assert keys == sorted(keys, key=lambda k: [(v is not None, v or "") for v in k])
    for group, want in expected.items():
        row = got[group]
        for metric in METRICS:
            if isinstance(want[metric], float):
                assert math.isclose(row[metric], want[metric], rel_tol=1e-9), (group, metric,
                                                                                row, want)
            else:
                assert row[metric] == want[metric], (group, metric, row, want)


@pytest.fixture
def recorded(audit_env, sim, postgres_server):
    """A gateway's known traffic, recorded to JSONL, SQLite and PostgreSQL; the gateway is
    stopped (its sinks drained) before the test reads them. "sources" are the report's
    options for each store."""
    env = audit_env
    out = env.root / "out"
    dsn = postgres_server.new_database()
    audit = {"spool": str(env.root / "spool"),
             "sinks": [{"type": "jsonl", "path": str(out / "events.jsonl")},
                       {"type": "sqlite", "name": "store", "path": str(out / "audit.db")},
                       {"type": "postgres", "name": "pg", "dsn": dsn}]}
    config = priced_config(env, audit)
    g = Gateway(config, name="gateway-report")
    env.started.append(g)
    usage = drive_traffic(g, sim)
    env.stop(g)
    config_path = env.root / "gateway.yaml"
    config_path.write_text(config)
    events = by_message(jsonl_events(out / "events.jsonl"))
    assert set(events) == set(usage)
    return {"db": out / "audit.db", "dsn": dsn, "config": config_path, "events": events,
            "usage": usage,
            "sources": {"sqlite": ["--sqlite", str(out / "audit.db")],
                        "postgres": ["--postgres", dsn]}}


def test_report_by_model_and_end_user_equals_independent_sums(recorded):
    by = ["model", "end_user"]
    expected = expected_rows(recorded["events"], recorded["usage"],
                             lambda req, resp: (req["call"]["model"], req["client"]["user"]))
    for engine, source in recorded["sources"].items():
        actual = report_json(*source, "--by", ",".join(by))
        assert_report_equals(actual, by, expected)
    # The whole traffic, without dimensions, from the configuration's sinks: the first store
    # (sqlite), or the one --sink names.
    whole = expected_rows(recorded["events"], recorded["usage"], lambda req, resp: ())
    assert_report_equals(report_json("--config", str(recorded["config"])), [], whole)
    assert_report_equals(report_json("--config", str(recorded["config"]), "--sink", "pg"), [],
                         whole)


def test_report_by_app_deployment_backend_day_and_period(recorded):
    by = ["app", "user", "deployment", "backend", "day"]
    expected = expected_rows(
        recorded["events"], recorded["usage"],
        lambda req, resp: (None, None, req["call"]["deployment"], resp["routing"]["backend"],
                           req["time"][:10]))
    # The period: from the first call's request time (inclusive) to the last's (exclusive).
    times = sorted(pair["request"]["time"] for pair in recorded["events"].values())
    inside = {mid: pair for mid, pair in recorded["events"].items()
              if times[0] <= pair["request"]["time"] < times[-1]}
    assert len(inside) == len(times) - 1
    for sink in ("store", "pg"):
        actual = report_json("--config", str(recorded["config"]), "--sink", sink,
                             "--by", ",".join(by))
        assert_report_equals(actual, by, expected)
    for engine, source in recorded["sources"].items():
        actual = report_json(*source, "--by", "month", "--since", times[0], "--until", times[-1])
        assert_report_equals(actual, ["month"], expected_rows(
            inside, recorded["usage"], lambda req, resp: (req["time"][:7],)))
        assert report_json(*source, "--since", "2199-01-01")["rows"] == []


def test_report_csv_and_table(recorded):
    r = report("--sqlite", str(recorded["db"]), "--by", "model", "--format", "csv")
    assert r.returncode == 0, r.stderr
    rows = list(csv.DictReader(io.StringIO(r.stdout, newline="")))
    assert [row["model"] for row in rows] == sorted(
        {p["request"]["call"]["model"] for p in recorded["events"].values()})
    as_json = {row["model"]: row for row in
               report_json("--sqlite", str(recorded["db"]), "--by", "model")["rows"]}
    for row in rows:
        want = as_json[row["model"]]
        assert int(row["calls"]) == want["calls"]
        assert int(row["total_tokens"]) == want["total_tokens"]
        assert (row["cost"] == "") == (want["cost"] is None)
        if want["cost"] is not None:
            assert math.isclose(float(row["cost"]), want["cost"], rel_tol=1e-12)
    r = report("--sqlite", str(recorded["db"]), "--by", "model,end_user")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0].split() == ["model", "end_user", *METRICS]
    assert any(line.startswith("gpt-4o ") and "(none)" in line for line in lines[1:])


def test_report_mistakes_are_explained(recorded, tmp_path):
    db = str(recorded["db"])
    for args, message in [
        (["--sqlite", db, "--by", "model,region"], "--by: 'region' is not a dimension"),
        (["--sqlite", db, "--since", "last week"], "--since: 'last week' is neither a date"),
        (["--sqlite", db, "--since", "2026-02-01", "--until", "2026-01-01"],
         "--until must be later than --since"),
        (["--sqlite", db, "--format", "xml"], "--format: 'xml' is not table, csv or json"),
        ([], "name one source"),
        (["--sqlite", db, "--config", str(recorded["config"])], "name one source"),
        (["--sqlite", str(tmp_path / "nothing.db")], "no such database"),
        (["--config", str(recorded["config"]), "--sink", "jsonl"],
         "sink 'jsonl' is a jsonl sink"),
        (["--postgres", "host=127.0.0.1 port=1 password=hunter2 connect_timeout=5"],
         "127.0.0.1:1"),
        (["--config", str(recorded["config"]), "--sink", "nope"], "no audit sink is named 'nope'"),
    ]:
        r = report(*args)
        assert r.returncode == 1, (args, r.stdout, r.stderr)
        assert r.stdout == ""
        assert message in r.stderr, (args, r.stderr)
        assert "hunter2" not in r.stderr


def test_report_help():
    r = subprocess.run([tollgate_bin(), "report", "--help"], capture_output=True, text=True,
                       timeout=30)
    assert r.returncode == 0
    for option in ("--sqlite", "--postgres", "--config", "--sink", "--by", "--since", "--until",
                   "--format"):
        assert option in r.stdout


def test_report_reads_while_the_gateway_writes(audit_env, sim):
    """The store is in WAL mode: a report runs while the gateway is recording, unblocked."""
    env = audit_env
    db = env.root / "out" / "audit.db"
    g = Gateway(priced_config(env, {"spool": str(env.root / "spool"),
                                    "sinks": [{"type": "sqlite", "path": str(db)}]}),
                name="gateway-report-live")
    env.started.append(g)
    mids = []
    for i in range(3):
        r = httpx.post(f"{g.v1}/chat/completions", timeout=30, json={
            "model": "gpt-4o-mini", "messages": [{"role": "user", "content": f"live {i}"}]})
        assert r.status_code == 200
        mids.append(r.headers["x-request-id"])
    # Poll (bounded) until the sink stored the three calls whole.
    deadline = time.monotonic() + 20
    while True:
        rows = report_json("--sqlite", str(db))["rows"] if db.exists() else []
        if rows and rows[0]["calls"] == 3 and rows[0]["p50_ms"] is not None and \
                rows[0]["unpriced_calls"] == 0 and rows[0]["cost"] is not None:
            break
        assert time.monotonic() < deadline, rows
        time.sleep(0.1)
    assert g.alive()
