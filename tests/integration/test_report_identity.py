"""Chargeback by who called (issues: identity + analytics): calls authenticated with API keys of
two applications are recorded with their identity, and `tollgate report --by app,user` gives each
application and key exactly the calls, tokens and cost the test computes from the simulator's
usage numbers and the price table."""

from __future__ import annotations

from collections import defaultdict

from openai import OpenAI

from audit_support import audit_env, sim_usage  # noqa: F401  (audit_env is a fixture)
from conftest import Gateway
from test_identity_keys import new_key
from test_report import report_json

PRICE = (0.15, 0.075, 0.60)  # gpt-4o-mini: input, cached input, output per million tokens


def test_report_by_application_and_key(audit_env, sim, tmp_path):
    keys = {"billing-key": new_key("billing-key", "billing"),
            "hr-key": new_key("hr-key", "hr-bot"),
            "hr-key-2": new_key("hr-key-2", "hr-bot")}
    entries = "\n".join(f"    {entry}" for _, entry in keys.values())
    db = tmp_path / "audit.db"
    text = audit_env.config({"spool": str(tmp_path / "spool"), "fsync_interval_ms": 0,
                             "sinks": [{"type": "sqlite", "path": str(db)}]})
    text = text.replace("auth:\n  mode: none\n", f"auth:\n  mode: api_key\n  api_keys:\n{entries}\n")
    cut = text.rindex("\naudit: ")
    text = (text[:cut] + "\nprices:\n  gpt-4o-mini:\n    - { input: 0.15, cached_input: 0.075,"
            " output: 0.60, currency: USD }" + text[cut:])
    g = Gateway(text, name="gateway-chargeback")
    audit_env.started.append(g)

    expected = defaultdict(lambda: {"calls": 0, "prompt_tokens": 0, "completion_tokens": 0,
                                    "cost": 0.0})
    plan = [("billing-key", 4), ("hr-key", 2), ("hr-key-2", 3)]
    for key_name, calls in plan:
        client = OpenAI(base_url=g.v1, api_key=keys[key_name][0], max_retries=0)
        app = "billing" if key_name == "billing-key" else "hr-bot"
        for i in range(calls):
            body = {"model": "gpt-4o-mini",
                    "messages": [{"role": "user", "content": f"{key_name} asks {i} " * (i + 1)}]}
            client.chat.completions.create(**body)
            usage = sim_usage(sim, "chat/completions", body)
            row = expected[(app, key_name)]
            row["calls"] += 1
            row["prompt_tokens"] += usage["prompt_tokens"]
            row["completion_tokens"] += usage["completion_tokens"]
            row["cost"] += (usage["prompt_tokens"] * PRICE[0] +
                            usage["completion_tokens"] * PRICE[2]) / 1e6
    audit_env.stop(g)  # drains the sink

    rows = report_json("--sqlite", str(db), "--by", "app,user")["rows"]
    actual = {(r["app"], r["user"]): r for r in rows}
    assert set(actual) == set(expected), rows
    for group, want in expected.items():
        got = actual[group]
        assert got["calls"] == want["calls"]
        assert got["errors"] == 0
        assert got["prompt_tokens"] == want["prompt_tokens"]
        assert got["completion_tokens"] == want["completion_tokens"]
        assert abs(got["cost"] - want["cost"]) < 1e-9 and got["currency"] == "USD"
    by_app = {r["app"]: r for r in report_json("--sqlite", str(db), "--by", "app")["rows"]}
    assert by_app["hr-bot"]["calls"] == 5 and by_app["billing"]["calls"] == 4
