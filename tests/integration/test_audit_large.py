"""Large bodies: nothing is cut silently. A 5 MiB prompt (echoed back, so the answer is 5 MiB
too) is logged whole by a sink with a raised limit, truncated (valid JSON, marked, original
size kept) by a sink with the default limit, and split into parts that join back into the
whole event by another; the SQLite sink joins the parts itself."""

from __future__ import annotations

import json

import httpx

from audit_support import (  # noqa: F401  (audit_env is a fixture)
    assert_paired, assert_schema_valid, audit_env, by_message, jsonl_lines, parse_lines,
    sqlite_calls, sqlite_query)

MIB = 1024 * 1024
DEFAULT_LIMIT = MIB


def big_text(size: int) -> str:
    # Multi-byte UTF-8, quotes, backslashes and control characters: truncation must stay on a
    # character boundary and splitting must survive JSON escaping.
    unit = 'Zoë said "hi" — 漢字 \\ tab\there; line\nend. 🙂 '
    return unit * (size // len(unit.encode()) + 1)


def test_five_mib_prompt_whole_truncated_and_split(audit_env):
    env = audit_env
    out = env.root / "out"
    g = env.start({"spool": str(env.root / "spool"), "sinks": [
        {"type": "jsonl", "name": "whole", "path": str(out / "whole.jsonl"),
         "max_event_bytes": 16 * MIB},
        {"type": "jsonl", "name": "trunc", "path": str(out / "trunc.jsonl")},
        {"type": "jsonl", "name": "split", "path": str(out / "split.jsonl"), "oversize": "split"},
        {"type": "sqlite", "name": "db", "path": str(out / "audit.db"), "oversize": "split"},
    ]})
    prompt = "echo:" + big_text(5 * MIB)
    body = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": prompt}]}
    raw_body = json.dumps(body).encode()
    assert len(raw_body) > 5 * MIB
    with httpx.Client(base_url=g.url, timeout=60) as c:
        r = c.post("/v1/chat/completions", content=raw_body,
                   headers={"content-type": "application/json"})
        assert r.status_code == 200, r.text[:500]
        answer = r.json()["choices"][0]["message"]["content"]
        assert answer == prompt[len("echo:"):]
        big_id = r.headers["x-request-id"]
        response_bytes = len(r.content)
        r = c.post("/v1/chat/completions",
                   json={"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}]})
        assert r.status_code == 200
        small_id = r.headers["x-request-id"]
    env.stop(g)

    # The raised limit: both events whole.
    whole_lines = jsonl_lines(out / "whole.jsonl")
    whole_events = parse_lines(whole_lines, "whole.jsonl")
    for e in whole_events:
        assert_schema_valid(e, "whole.jsonl")
    assert_paired(whole_events, [big_id, small_id])
    whole = by_message(whole_events)[big_id]
    assert whole["request"]["request"]["body"] == body
    assert whole["request"]["request"]["bytes"] == len(raw_body)
    assert whole["request"]["request"]["truncated"] is False
    assert whole["response"]["response"]["body"]["choices"][0]["message"]["content"] == answer
    assert whole["response"]["response"]["bytes"] == response_bytes
    assert whole["response"]["response"]["truncated"] is False
    whole_text = {e["event_id"]: line for e, line in zip(whole_events, whole_lines)}

    # The default limit, truncate: one valid, schema-valid event each, within the limit,
    # marked, with the original size, the structure kept and the text a prefix of the original.
    trunc_lines = jsonl_lines(out / "trunc.jsonl")
    trunc_events = parse_lines(trunc_lines, "trunc.jsonl")
    for e, line in zip(trunc_events, trunc_lines):
        assert_schema_valid(e, "trunc.jsonl")
        assert len(line.encode()) <= DEFAULT_LIMIT, len(line.encode())
    assert_paired(trunc_events, [big_id, small_id])
    trunc = by_message(trunc_events)[big_id]
    req = trunc["request"]["request"]
    assert req["truncated"] is True
    assert req["bytes"] == len(raw_body)
    assert req["body"]["model"] == "gpt-4o-mini"
    assert req["body"]["messages"][0]["role"] == "user"
    kept = req["body"]["messages"][0]["content"]
    assert 0 < len(kept) < len(prompt) and prompt.startswith(kept)
    resp = trunc["response"]["response"]
    assert resp["truncated"] is True
    assert resp["bytes"] == response_bytes
    kept = resp["body"]["choices"][0]["message"]["content"]
    assert 0 < len(kept) < len(answer) and answer.startswith(kept)
    assert trunc["response"]["usage"] == whole["response"]["usage"]
    small = by_message(trunc_events)[small_id]
    assert not small["request"]["request"]["truncated"]
    assert not small["response"]["response"]["truncated"]

    # The default limit, split: ordered parts within the limit, same event id, which join back
    # into the whole event byte for byte.
    split_lines = jsonl_lines(out / "split.jsonl")
    split_events = parse_lines(split_lines, "split.jsonl")
    parts_of: dict[str, list[dict]] = {}
    whole_in_split = []
    for e, line in zip(split_events, split_lines):
        assert_schema_valid(e, "split.jsonl")
        assert len(line.encode()) <= DEFAULT_LIMIT, len(line.encode())
        if "part" in e:
            parts_of.setdefault(e["event_id"], []).append(e)
        else:
            whole_in_split.append(e)
    big_events = {whole["request"]["event_id"], whole["response"]["event_id"]}
    assert set(parts_of) == big_events
    for event_id, parts in parts_of.items():
        n = len(parts)
        assert n >= 5, n
        assert [p["part"] for p in parts] == list(range(1, n + 1))
        assert {p["parts"] for p in parts} == {n}
        assert {(p["message_id"], p["event_type"], p["schema"]) for p in parts} == {
            (big_id, parts[0]["event_type"], "tollgate.audit.v1")}
        joined = "".join(p["data"] for p in parts)
        assert joined == whole_text[event_id]
        assert json.loads(joined)["event_type"] == parts[0]["event_type"]
    assert {e["message_id"] for e in whole_in_split} == {small_id}
    assert len(whole_in_split) == 2

    # SQLite with split: the parts are stored, joined back, and the call row is complete.
    db = out / "audit.db"
    for event_id in big_events:
        (joined,), = sqlite_query(
            db, "SELECT group_concat(body, '') FROM "
                "(SELECT body FROM events WHERE event_id = ? ORDER BY part)", (event_id,))
        assert joined == whole_text[event_id]
    calls = sqlite_calls(db)
    assert set(calls) == {big_id, small_id}
    row = calls[big_id]
    assert row["request_bytes"] == len(raw_body)
    assert row["response_bytes"] == response_bytes
    assert row["outcome"] == "ok" and row["status"] == 200
    assert row["total_tokens"] == whole["response"]["usage"]["total_tokens"]
    assert row["request_time"] and row["response_time"]


def test_embedding_vectors_past_the_limit(audit_env):
    """A body with little text to shorten (embedding vectors) is kept as the start of its JSON
    text, as a string (docs/events.md); split parts join back whole."""
    env = audit_env
    out = env.root / "out"
    g = env.start({"spool": str(env.root / "spool"), "sinks": [
        {"type": "jsonl", "name": "whole", "path": str(out / "whole.jsonl"),
         "max_event_bytes": 16 * MIB},
        {"type": "jsonl", "name": "trunc", "path": str(out / "trunc.jsonl")},
        {"type": "jsonl", "name": "split", "path": str(out / "split.jsonl"), "oversize": "split"},
    ]})
    body = {"model": "text-embedding-3-small", "input": [f"text number {i}" for i in range(100)]}
    with httpx.Client(base_url=g.url, timeout=60) as c:
        r = c.post("/v1/embeddings", json=body)
        assert r.status_code == 200
        assert len(r.content) > 1.5 * MIB
        mid = r.headers["x-request-id"]
        response_bytes = len(r.content)
    env.stop(g)

    whole_lines = jsonl_lines(out / "whole.jsonl")
    whole = by_message(parse_lines(whole_lines, "whole.jsonl"))[mid]
    whole_line = {json.loads(line)["event_type"]: line for line in whole_lines}["response"]
    assert whole["response"]["response"]["body"]["data"][99]["index"] == 99

    trunc_lines = jsonl_lines(out / "trunc.jsonl")
    trunc_events = parse_lines(trunc_lines, "trunc.jsonl")
    for e in trunc_events:
        assert_schema_valid(e, "trunc.jsonl")
    assert_paired(trunc_events, [mid])
    resp = by_message(trunc_events)[mid]["response"]
    assert resp["response"]["truncated"] is True
    assert resp["response"]["bytes"] == response_bytes
    assert resp["usage"] == whole["response"]["usage"]
    kept = resp["response"]["body"]
    assert isinstance(kept, str) and len(kept) > 100_000
    problems = []
    sizes = [len(line.encode()) for line in trunc_lines]
    if max(sizes) > DEFAULT_LIMIT:
        problems.append(f"a truncated event is {max(sizes)} bytes, over max_event_bytes "
                        f"{DEFAULT_LIMIT}")
    # "the start of its JSON text": the same bytes the whole event has, not altered ones
    original = whole_line[whole_line.index('"body":{"object"') + len('"body":'):]
    if kept not in whole_line:
        problems.append("the truncated body is not the start of the body's JSON text; it "
                        f"begins {kept[:100]!r}, the body's JSON text begins "
                        f"{original[:100]!r}")

    split_lines = jsonl_lines(out / "split.jsonl")
    assert all(len(line.encode()) <= DEFAULT_LIMIT for line in split_lines)
    parts = [e for e in parse_lines(split_lines, "split.jsonl") if "part" in e]
    assert parts
    assert "".join(p["data"] for p in parts if p["event_type"] == "response") == whole_line
    assert not problems, "\n".join(problems)
