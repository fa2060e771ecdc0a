"""Prices and cost: each response event carries the cost of its call, from the usage the
upstream reported and the model's price in effect when the call came in (README `prices:`);
null when the model has no price or the call has no usage. The SQLite store's calls carry the
same cost."""

from __future__ import annotations

import math
import os
import subprocess

import httpx
from openai import OpenAI

from audit_support import (  # noqa: F401  (audit_env is a fixture)
    audit_env, by_message, jsonl_events, sim_usage, sqlite_calls)
from conftest import API_VERSION, CLIENT_KEY, OPENAI_BACKEND_KEY, Gateway, tollgate_bin

# gpt-4o-mini's price changed twice; the one in effect now is the middle one, the last one
# takes effect in the far future.
PRICES = """\
prices:
  gpt-4o-mini:
    - { input: 0.15, cached_input: 0.075, output: 0.60, currency: USD, effective_from: 2021-01-01 }
    - { input: 1.00, output: 2.00, currency: USD, effective_from: 2020-01-01 }
    - { input: 100, output: 100, currency: USD, effective_from: "2199-01-01T00:00:00Z" }
  gpt-4o:
    - { input: 2.30, cached_input: 1.15, output: 9.20, currency: EUR }
  text-embedding-3-small:
    - { input: 0.02, output: 0, currency: USD }
"""
CURRENT = {"gpt-4o-mini": (0.15, 0.075, 0.60, "USD"), "gpt-4o": (2.30, 1.15, 9.20, "EUR"),
           "text-embedding-3-small": (0.02, 0.02, 0.0, "USD")}


def priced_gateway(env, audit: dict) -> Gateway:
    text = env.config(audit)
    cut = text.rindex("\naudit: ")
    g = Gateway(text[:cut] + "\n" + PRICES + text[cut:], name="gateway-priced")
    env.started.append(g)
    return g


def expected_cost(model: str, usage: dict) -> float:
    inp, cached_price, out, _ = CURRENT[model]
    cached = usage["cached_tokens"] or 0
    return ((usage["prompt_tokens"] - cached) * inp + cached * cached_price
            + usage["completion_tokens"] * out) / 1e6


def test_response_events_carry_the_cost_of_priced_calls(audit_env, sim):
    env = audit_env
    out = env.root / "out"
    g = priced_gateway(env, {"spool": str(env.root / "spool"), "sinks": [
        {"type": "jsonl", "path": str(out / "events.jsonl")},
        {"type": "sqlite", "path": str(out / "audit.db")}]})
    client = OpenAI(base_url=g.v1, api_key=CLIENT_KEY, max_retries=0, timeout=60)
    expected: dict[str, tuple[str | None, dict | None]] = {}  # message id -> (model, usage)

    def chat(model: str, text: str, **extra):
        body = {"model": model, "messages": [{"role": "user", "content": text}]}
        raw = client.chat.completions.with_raw_response.create(**body, **extra)
        raw.parse()
        expected[raw.headers["x-request-id"]] = (model, sim_usage(sim, "chat/completions", body))

    chat("gpt-4o-mini", "What does a toll gate do?")
    chat("gpt-4o-mini", "Tell me a long story", max_tokens=40)
    chat("gpt-4o", "In euros, please")
    # A stream without include_usage: the gateway gets the exact usage anyway.
    body = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Stream it"}]}
    with client.chat.completions.with_streaming_response.create(**body, stream=True) as r:
        mid = r.headers["x-request-id"]
        for _ in r.iter_lines():
            pass
    expected[mid] = ("gpt-4o-mini", sim_usage(sim, "chat/completions", body))
    raw = client.embeddings.with_raw_response.create(model="text-embedding-3-small",
                                                     input=["one", "two three"])
    raw.parse()
    expected[raw.headers["x-request-id"]] = (
        "text-embedding-3-small",
        sim_usage(sim, "embeddings", {"model": "x", "input": ["one", "two three"]}))
    # No price for the model: no cost.
    r = httpx.post(f"{g.url}/openai/deployments/gpt-4-turbo/chat/completions",
                   params={"api-version": API_VERSION},
                   json={"messages": [{"role": "user", "content": "unpriced"}]}, timeout=30)
    assert r.status_code == 200
    expected[r.headers["x-request-id"]] = (None, None)
    # A priced model whose call failed upstream: no usage, no cost.
    r = httpx.post(f"{g.v1}/chat/completions", headers={"x-sim-status": "500"},
                   json={"model": "gpt-4o", "messages": [{"role": "user", "content": "fail"}]},
                   timeout=30)
    assert r.status_code == 500
    expected[r.headers["x-request-id"]] = (None, None)

    env.stop(g)
    events = by_message(jsonl_events(out / "events.jsonl"))
    rows = sqlite_calls(out / "audit.db")
    assert set(events) == set(expected) == set(rows)
    for mid, (model, usage) in expected.items():
        request, response = events[mid]["request"], events[mid]["response"]
        assert "cost" not in request
        cost = response["cost"]
        row = rows[mid]
        if model is None:
            assert cost == {"amount": None, "currency": None}, mid
            assert row["cost_amount"] is None and row["cost_currency"] is None
            continue
        assert {k: response["usage"][k] for k in usage} == usage
        want = expected_cost(model, usage)
        assert want > 0
        assert math.isclose(cost["amount"], want, rel_tol=1e-12), (model, usage, cost)
        assert cost["currency"] == CURRENT[model][3]
        assert math.isclose(row["cost_amount"], want, rel_tol=1e-12)
        assert row["cost_currency"] == CURRENT[model][3]


def test_check_refuses_prices_for_unknown_models(audit_env, tmp_path):
    text = audit_env.config({"spool": str(tmp_path / "spool"), "sinks": []})
    cut = text.rindex("\naudit: ")
    path = tmp_path / "bad.yaml"
    path.write_text(text[:cut] + "\nprices:\n  gpt-5:\n    - { input: 1, output: 2, currency: USD }"
                    + text[cut:])
    r = subprocess.run([tollgate_bin(), "check", "--config", str(path)], capture_output=True,
                       text=True, timeout=30,
                       env={**os.environ, "TOLLGATE_TEST_OPENAI_KEY": OPENAI_BACKEND_KEY})
    assert r.returncode == 1
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, r.stderr
    assert lines[0].startswith(f"{path}:")
    assert lines[0].endswith("prices.gpt-5: 'gpt-5' names no model defined under models")
