"""Audit events end to end: for a mix of calls, exactly one request and one response event per
call, paired by the x-request-id the client saw, every event valid against the JSON Schema,
usage equal to what the simulator reported (streams included, without changing the stream the
client asked for), and the same calls in the SQLite store. Also masking, bodies off, secrets,
and the APIM compatibility format."""

from __future__ import annotations

import json
import math
import re

import httpx

from audit_support import (  # noqa: F401  (audit_env is a fixture)
    assert_paired, audit_env, by_message, chat_text_from_stream, file_contains_any,
    jsonl_events, jsonl_lines, normalized_usage, sim_usage, sqlite_calls, sqlite_query, sse_data,
    usage_of)
from conftest import (API_VERSION, AZURE_BACKEND_KEY, CLIENT_KEY, OPENAI_BACKEND_KEY,
                      assert_openai_error)

AZ = f"?api-version={API_VERSION}"
SLOW = {"x-sim-token-delay-ms": "50", "x-sim-tokens": "200"}  # a 10 s stream
TOOLS = [{"type": "function", "function": {
    "name": "get_weather", "description": "Weather for a city",
    "parameters": {"type": "object",
                   "properties": {"city": {"type": "string"}, "days": {"type": "integer"}},
                   "required": ["city", "days"]}}}]


def msgs(text: str) -> list[dict]:
    return [{"role": "user", "content": text}]


def sinks_in(env, *extra: dict) -> dict:
    out = env.root / "out"
    return {"spool": str(env.root / "spool"),
            "sinks": [{"type": "jsonl", "path": str(out / "events.jsonl")},
                      {"type": "sqlite", "path": str(out / "audit.db")}, *extra]}


class Expect:
    """What one call's events must say."""

    def __init__(self, name, message_id, *, status, outcome, operation, stream,
                 usage=None, source=None, check=None):
        self.name, self.message_id = name, message_id
        self.status, self.outcome, self.operation, self.stream = status, outcome, operation, stream
        self.usage, self.source, self.check = usage, source, check


def stream_call(client: httpx.Client, path: str, body: dict, headers=None):
    with client.stream("POST", path, json=body, headers=headers) as r:
        raw = r.read().decode("utf-8")
        return r.status_code, r.headers["x-request-id"], raw


def broken_stream_call(base_url: str, path: str, body: dict, headers=None):
    """A stream the gateway aborts: what arrived before the connection broke."""
    raw, mid, status = b"", None, None
    with httpx.Client(base_url=base_url, timeout=30) as client:
        try:
            with client.stream("POST", path, json=body, headers=headers) as r:
                mid, status = r.headers["x-request-id"], r.status_code
                for piece in r.iter_raw():
                    raw += piece
        except httpx.HTTPError:
            pass
    return status, mid, raw.decode("utf-8", "replace")


def estimate_tokens(text_bytes: int) -> int:
    return math.ceil(text_bytes / 4)


def test_mixed_calls_paired_schema_valid_exact_usage(audit_env, sim):
    env = audit_env
    g = env.start(sinks_in(env))
    made: list[Expect] = []
    c = httpx.Client(base_url=g.url, timeout=30)

    # 1. Chat, OpenAI style and Azure style, without a stream.
    for name, path, body in [
        ("chat-openai", "/v1/chat/completions",
         {"model": "gpt-4o-mini", "messages": msgs("Hello there"), "user": "end-user-1"}),
        ("chat-azure", f"/openai/deployments/gpt-4o/chat/completions{AZ}",
         {"messages": [{"role": "system", "content": "Be brief."},
                       {"role": "user", "content": "What is audit?"}]}),
    ]:
        r = c.post(path, json=body)
        assert r.status_code == 200, r.text
        client_usage = normalized_usage(r.json()["usage"])
        assert client_usage == sim_usage(sim, "chat/completions", {"model": "x", **body})
        text = r.json()["choices"][0]["message"]["content"]

        def check(req, resp, text=text, body=body):
            assert req["request"]["body"] == body
            assert resp["response"]["body"]["choices"][0]["message"]["content"] == text
            assert resp["response"]["chunks"] is None
        made.append(Expect(name, r.headers["x-request-id"], status=200, outcome="ok",
                           operation="chat.completions", stream=False, usage=client_usage,
                           source="upstream", check=check))

    # 2. Streamed chat where the client did not ask for usage: the gateway asks the upstream,
    # records the usage, and the client's stream carries none of it.
    for name, path, body in [
        ("chat-stream-openai", "/v1/chat/completions",
         {"model": "gpt-4o-mini", "messages": msgs("Stream me a story"), "stream": True}),
        ("chat-stream-azure", f"/openai/deployments/gpt-4o/chat/completions{AZ}",
         {"messages": msgs("Stream via Azure"), "stream": True}),
    ]:
        status, mid, raw = stream_call(c, path, body)
        assert status == 200, raw
        assert '"usage"' not in raw, f"{name}: the client got usage it did not ask for:\n{raw}"
        data = sse_data(raw)
        assert data[-1] == "[DONE]"
        assert all(json.loads(d)["choices"] for d in data[:-1]), "a chunk without choices"
        text = chat_text_from_stream(raw)

        def check(req, resp, text=text, n_events=len(data) - 1):
            rb = resp["response"]["body"]
            assert rb["object"] == "chat.completion"
            assert rb["choices"][0]["message"]["content"] == text
            assert rb["choices"][0]["finish_reason"] == "stop"
            # the gateway saw the hidden usage chunk as well
            assert resp["response"]["chunks"] == n_events + 1
            assert resp["response"]["time_to_first_token_ms"] is not None
        made.append(Expect(name, mid, status=200, outcome="ok", operation="chat.completions",
                           stream=True, usage=sim_usage(sim, "chat/completions",
                                                        {"model": "x", **body}),
                           source="upstream", check=check))

    # 3. Streamed chat where the client asked for usage: it gets its usage chunk.
    body = {"model": "gpt-4o-mini", "messages": msgs("Count my tokens"), "stream": True,
            "stream_options": {"include_usage": True}}
    status, mid, raw = stream_call(c, "/v1/chat/completions", body)
    assert status == 200
    usage_chunks = [json.loads(d) for d in sse_data(raw)
                    if d != "[DONE]" and json.loads(d).get("usage")]
    assert len(usage_chunks) == 1 and usage_chunks[0]["choices"] == []
    client_usage = normalized_usage(usage_chunks[0]["usage"])
    assert client_usage == sim_usage(sim, "chat/completions", body)
    made.append(Expect("chat-stream-client-usage", mid, status=200, outcome="ok",
                       operation="chat.completions", stream=True, usage=client_usage,
                       source="upstream"))

    # 4. A streamed call to an Azure api-version too old for stream_options: the request goes
    # up unchanged, no usage arrives, and the event carries a marked estimate.
    body = {"messages": msgs("Old api version"), "stream": True}
    status, mid, raw = stream_call(
        c, "/openai/deployments/gpt-4-turbo/chat/completions?api-version=2024-06-01", body)
    assert status == 200 and '"usage"' not in raw
    text = chat_text_from_stream(raw)

    def check_old(req, resp, text=text):
        assert resp["response"]["body"]["choices"][0]["message"]["content"] == text
        u = resp["usage"]
        # docs/usage.md: ceil(text bytes / 4), plus 3 per message and 3 for the reply
        assert u["prompt_tokens"] == estimate_tokens(len("Old api version")) + 3 + 3, u
        assert u["completion_tokens"] == estimate_tokens(len(text.encode())), u
        assert u["total_tokens"] == u["prompt_tokens"] + u["completion_tokens"]
    made.append(Expect("chat-stream-old-api-version", mid, status=200, outcome="ok",
                       operation="chat.completions", stream=True, source="estimated",
                       check=check_old))

    # 5. Tool calls, without and with a stream: the stream's event has the whole arguments.
    body = {"model": "gpt-4o-mini", "messages": msgs("echo:Paris"), "tools": TOOLS}
    r = c.post("/v1/chat/completions", json=body)
    assert r.status_code == 200, r.text
    tool_call = r.json()["choices"][0]["message"]["tool_calls"][0]
    assert json.loads(tool_call["function"]["arguments"])["city"] == "Paris"
    made.append(Expect("tools", r.headers["x-request-id"], status=200, outcome="ok",
                       operation="chat.completions", stream=False,
                       usage=normalized_usage(r.json()["usage"]), source="upstream"))
    sbody = {**body, "stream": True}
    status, mid, raw = stream_call(c, "/v1/chat/completions", sbody)
    assert status == 200 and '"usage"' not in raw

    def check_tools(req, resp, tool_call=tool_call):
        choice = resp["response"]["body"]["choices"][0]
        assert choice["finish_reason"] == "tool_calls"
        calls = choice["message"]["tool_calls"]
        assert len(calls) == 1
        assert calls[0]["id"] == tool_call["id"]
        assert calls[0]["function"] == tool_call["function"]  # name and complete arguments
    made.append(Expect("tools-stream", mid, status=200, outcome="ok",
                       operation="chat.completions", stream=True,
                       usage=sim_usage(sim, "chat/completions", sbody), source="upstream",
                       check=check_tools))

    # 6. Embeddings.
    body = {"model": "text-embedding-3-small", "input": ["first text", "second, longer text"]}
    r = c.post("/v1/embeddings", json=body)
    assert r.status_code == 200, r.text
    made.append(Expect("embeddings", r.headers["x-request-id"], status=200, outcome="ok",
                       operation="embeddings", stream=False,
                       usage=normalized_usage(r.json()["usage"], embeddings=True),
                       source="upstream"))
    assert made[-1].usage == sim_usage(sim, "embeddings", body)

    # 7. Legacy completions, without and with a stream.
    body = {"model": "gpt-3.5-turbo-instruct", "prompt": "Say something"}
    r = c.post("/v1/completions", json=body)
    assert r.status_code == 200, r.text
    made.append(Expect("completions", r.headers["x-request-id"], status=200, outcome="ok",
                       operation="completions", stream=False,
                       usage=normalized_usage(r.json()["usage"]), source="upstream"))
    sbody = {**body, "stream": True}
    status, mid, raw = stream_call(c, "/v1/completions", sbody)
    assert status == 200 and '"usage"' not in raw, raw
    text = "".join(json.loads(d)["choices"][0]["text"] for d in sse_data(raw) if d != "[DONE]")

    def check_completions(req, resp, text=text):
        rb = resp["response"]["body"]
        assert rb["object"] == "text_completion"
        assert rb["choices"][0]["text"] == text
    made.append(Expect("completions-stream", mid, status=200, outcome="ok",
                       operation="completions", stream=True,
                       usage=sim_usage(sim, "completions", sbody), source="upstream",
                       check=check_completions))

    # 8. Responses API, without and with a stream (usage from response.completed).
    body = {"model": "gpt-4o-mini", "input": "Tell me about the Responses API",
            "instructions": "Answer briefly."}
    r = c.post("/v1/responses", json=body)
    assert r.status_code == 200, r.text
    made.append(Expect("responses", r.headers["x-request-id"], status=200, outcome="ok",
                       operation="responses", stream=False,
                       usage=normalized_usage(r.json()["usage"]), source="upstream"))
    sbody = {**body, "stream": True}
    status, mid, raw = stream_call(c, "/v1/responses", sbody)
    assert status == 200
    completed = [json.loads(d) for d in sse_data(raw)
                 if json.loads(d).get("type") == "response.completed"]
    assert len(completed) == 1

    def check_responses(req, resp, final=completed[0]["response"]):
        assert resp["response"]["body"] == final
    made.append(Expect("responses-stream", mid, status=200, outcome="ok",
                       operation="responses", stream=True,
                       usage=sim_usage(sim, "responses", sbody), source="upstream",
                       check=check_responses))

    # 9. Refusals and upstream errors: no usage.
    r = c.post("/v1/chat/completions", json={"model": "no-such-model", "messages": msgs("x")})
    assert_openai_error(r, 404)
    made.append(Expect("unknown-model", r.headers["x-request-id"], status=404,
                       outcome="gateway_error", operation="chat.completions", stream=False))
    malformed = '{"model": "gpt-4o", "messages": ['
    r = c.post("/v1/chat/completions", content=malformed,
               headers={"content-type": "application/json"})
    assert_openai_error(r, 400)

    def check_malformed(req, resp):
        assert req["request"]["body"] == malformed
        assert req["request"]["bytes"] == len(malformed)
    made.append(Expect("malformed-json", r.headers["x-request-id"], status=400,
                       outcome="gateway_error", operation="chat.completions", stream=False,
                       check=check_malformed))
    r = c.post("/v1/chat/completions", json={"model": "gpt-4o-mini", "messages": msgs("x")},
               headers={"x-sim-status": "429"})
    assert r.status_code == 429, r.text
    upstream_error = r.json()

    def check_429(req, resp):
        assert resp["response"]["body"] == upstream_error
        assert resp["routing"]["attempts"][-1]["status"] == 429
    made.append(Expect("upstream-429", r.headers["x-request-id"], status=429, outcome="ok",
                       operation="chat.completions", stream=False, check=check_429))

    # An unreachable backend, and one that does not answer in time (before and mid-stream).
    r = c.post("/v1/chat/completions", json={"model": "dead-model", "messages": msgs("x")})
    assert_openai_error(r, 502)
    made.append(Expect("backend-unreachable", r.headers["x-request-id"], status=502,
                       outcome="upstream_error", operation="chat.completions", stream=False))
    r = c.post("/v1/chat/completions", json={"model": "slow-model", "messages": msgs("x")},
               headers={"x-sim-delay-ms": "1500"})
    assert_openai_error(r, 504)
    made.append(Expect("backend-timeout", r.headers["x-request-id"], status=504,
                       outcome="timeout", operation="chat.completions", stream=False))
    status, mid, raw = broken_stream_call(
        g.url, "/v1/chat/completions",
        {"model": "slow-model", "messages": msgs("Idle stream"), "stream": True},
        headers={"x-sim-token-delay-ms": "1500", "x-sim-tokens": "3"})
    assert status == 200 and "upstream_stream_broken" in raw

    def check_idle(req, resp):
        assert resp["response"]["body"]["choices"][0]["message"]["content"]
        assert resp["response"]["error"]
    made.append(Expect("stream-idle-timeout", mid, status=200, outcome="timeout",
                       operation="chat.completions", stream=True, source="estimated",
                       check=check_idle))

    # 10. A client that leaves mid-stream.
    body = {"model": "gpt-4o-mini", "messages": msgs("A long story please"), "stream": True}
    with httpx.Client(base_url=g.url, timeout=30) as ac:
        with ac.stream("POST", "/v1/chat/completions", json=body, headers=SLOW) as r:
            assert r.status_code == 200
            mid = r.headers["x-request-id"]
            content_events = 0
            for line in r.iter_lines():
                if line.startswith("data: {") and '"content":"' in line:
                    content_events += 1
                    if content_events >= 3:
                        break

    def check_abort(req, resp, body=body):
        u = resp["usage"]
        assert u["prompt_tokens"] == estimate_tokens(len("A long story please")) + 3 + 3, u
        assert u["total_tokens"] == u["prompt_tokens"] + u["completion_tokens"], u
        assert u["completion_tokens"] >= 1, u
    made.append(Expect("client-abort", mid, status=200, outcome="client_aborted",
                       operation="chat.completions", stream=True, source="estimated",
                       check=check_abort))

    # 11. An upstream that resets the connection after 3 content events.
    body = {"model": "gpt-4o-mini", "messages": msgs("Reset me"), "stream": True}
    status, mid, raw = broken_stream_call(g.url, "/v1/chat/completions", body,
                                          headers={"x-sim-reset-after": "3"})
    assert status == 200 and "upstream_stream_broken" in raw
    full = httpx.post(f"{sim.url}/v1/chat/completions",
                      json={k: v for k, v in body.items() if k != "stream"}).json()
    full_text = full["choices"][0]["message"]["content"]

    def check_reset(req, resp, full_text=full_text):
        content = resp["response"]["body"]["choices"][0]["message"]["content"]
        assert content and full_text.startswith(content), (content, full_text)
        assert content == " ".join(full_text.split(" ")[:3])
        assert resp["response"]["error"]
        u = resp["usage"]
        assert u["completion_tokens"] == estimate_tokens(len(content.encode())), u
    made.append(Expect("upstream-reset", mid, status=200, outcome="upstream_error",
                       operation="chat.completions", stream=True, source="estimated",
                       check=check_reset))

    c.close()
    env.stop(g)  # SIGTERM: drains the sinks

    # JSONL: exactly N request and N response events, paired by the client's x-request-id,
    # each valid against the schema.
    ids = [m.message_id for m in made]
    assert len(set(ids)) == len(ids)
    events = jsonl_events(env.root / "out" / "events.jsonl")
    assert_paired(events, ids)
    pairs = by_message(events)
    order = {e["event_id"]: i for i, e in enumerate(events)}
    failures = []
    for m in made:
        req, resp = pairs[m.message_id]["request"], pairs[m.message_id]["response"]
        try:
            assert order[req["event_id"]] < order[resp["event_id"]]
            assert req["time"] <= resp["time"]
            for e in (req, resp):
                assert e["call"]["operation"] == m.operation
                assert e["call"]["stream"] == m.stream
            assert resp["response"]["status"] == m.status
            assert resp["response"]["outcome"] == m.outcome
            assert resp["usage"]["source"] == m.source
            if m.usage is not None:
                assert usage_of(resp) == m.usage
            if m.check:
                m.check(req, resp)
        except AssertionError as e:
            failures.append(f"{m.name} ({m.message_id}): {e!r}\n  response event: "
                            f"{json.dumps(resp)[:1500]}")
    assert not failures, "\n".join(failures)

    # SQLite: one row per call, with the same usage and outcome; the raw events too.
    db = env.root / "out" / "audit.db"
    calls = sqlite_calls(db)
    assert set(calls) == set(ids)
    for m in made:
        row, resp = calls[m.message_id], pairs[m.message_id]["response"]
        req = pairs[m.message_id]["request"]
        assert row["request_time"] == req["time"] and row["response_time"] == resp["time"]
        assert row["status"] == m.status and row["outcome"] == m.outcome
        assert row["operation"] == m.operation and row["stream"] == int(m.stream)
        assert {k: row[k] for k in usage_of(resp)} == usage_of(resp), m.name
        assert row["usage_source"] == m.source
        assert row["request_bytes"] == req["request"]["bytes"]
        assert row["response_bytes"] == resp["response"]["bytes"]
        assert row["attempts"] == len(resp["routing"]["attempts"])
    stored = sqlite_query(db, "SELECT event_id, message_id, event_type, part, body FROM events")
    assert len(stored) == 2 * len(made)
    by_id = {e["event_id"]: e for e in events}
    for event_id, message_id, event_type, part, body in stored:
        assert part == 0
        assert json.loads(body) == by_id[event_id]
        assert (message_id, event_type) == (by_id[event_id]["message_id"],
                                            by_id[event_id]["event_type"])


EMAIL = "alice.smith@example.com"
CARD = "4111 1111 1111 1111"
COOKIE_SECRET = "cookie-secret-5b7e"
API_KEY_SECRET = "client-api-key-secret-0d4f"


def test_masking_and_no_secrets(audit_env, sim):
    env = audit_env
    audit = sinks_in(env)
    # the rules docs/events.md gives as its example
    audit["mask"] = [
        {"pattern": r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}", "replacement": "[email]"},
        {"pattern": r"\b(?:\d[ -]?){13,16}\b", "replacement": "[card]"},
    ]
    g = env.start(audit)
    secrets = {"authorization": f"Bearer {CLIENT_KEY}", "api-key": API_KEY_SECRET,
               "cookie": f"session={COOKIE_SECRET}"}
    prompt = f"echo:write to {EMAIL} and charge {CARD} today"
    answer = prompt[len("echo:"):]
    masked_answer = answer
    for rule in audit["mask"]:  # these patterns mean the same in Python and ECMAScript
        masked_answer = re.sub(rule["pattern"], rule["replacement"], masked_answer)
    assert masked_answer == "write to [email] and charge [card]today"  # the rule eats a space
    ids = {}
    with httpx.Client(base_url=g.url, timeout=30, headers=secrets) as c:
        # the OpenAI-kind backend (key in Authorization) and the Azure one (key in api-key)
        for name, path, body in [
            ("openai", "/v1/chat/completions", {"model": "gpt-4o-mini", "messages": msgs(prompt)}),
            ("azure", f"/openai/deployments/gpt-4o/chat/completions{AZ}",
             {"messages": msgs(prompt)}),
        ]:
            r = c.post(path, json=body)
            assert r.status_code == 200, r.text
            # masking is for the record only: the client gets the answer as it is
            assert r.json()["choices"][0]["message"]["content"] == answer
            ids[name] = r.headers["x-request-id"]
        status, mid, raw = stream_call(
            c, "/v1/chat/completions",
            {"model": "gpt-4o-mini", "messages": msgs(prompt), "stream": True})
        assert status == 200 and chat_text_from_stream(raw) == answer
        ids["stream"] = mid
        r = c.post("/v1/responses", json={"model": "gpt-4o-mini", "input": prompt})
        assert r.status_code == 200, r.text
        ids["responses"] = r.headers["x-request-id"]
    stderr = g.stderr_text()
    env.stop(g)
    logged = [s for s in (EMAIL, CLIENT_KEY, API_KEY_SECRET, COOKIE_SECRET, AZURE_BACKEND_KEY,
                          OPENAI_BACKEND_KEY) if s in stderr]
    assert not logged, f"the gateway's log shows {logged}"

    events = jsonl_events(env.root / "out" / "events.jsonl")
    assert_paired(events, list(ids.values()))
    pairs = by_message(events)
    for name in ("openai", "azure", "stream"):
        req, resp = pairs[ids[name]]["request"], pairs[ids[name]]["response"]
        assert req["request"]["body"]["messages"][0]["content"] == "echo:" + masked_answer, name
        assert resp["response"]["body"]["choices"][0]["message"]["content"] == masked_answer, name
    req, resp = pairs[ids["responses"]]["request"], pairs[ids["responses"]]["response"]
    assert req["request"]["body"]["input"] == "echo:" + masked_answer
    assert resp["response"]["body"]["output"][0]["content"][0]["text"] == masked_answer

    # Neither the masked text nor any credential is anywhere on disk: JSONL, SQLite (with its
    # WAL) and the spool itself.
    leaks = file_contains_any(env.root, [
        EMAIL, CARD, CLIENT_KEY, API_KEY_SECRET, COOKIE_SECRET, AZURE_BACKEND_KEY,
        OPENAI_BACKEND_KEY])
    assert not leaks, f"found on disk: {leaks}"
    # The sim did get the backend keys, so the check above is not vacuous.
    sent = [r["headers"] for r in sim.requests()]
    assert any(h.get("api-key") == AZURE_BACKEND_KEY for h in sent)
    assert any(h.get("authorization") == f"Bearer {OPENAI_BACKEND_KEY}" for h in sent)


def test_bodies_off_records_no_bodies(audit_env, sim):
    env = audit_env
    audit = sinks_in(env)
    audit["bodies"] = False
    g = env.start(audit)
    marker = "zebra-marker-text-7731"
    ids = []
    with httpx.Client(base_url=g.url, timeout=30) as c:
        r = c.post("/v1/chat/completions",
                   json={"model": "gpt-4o-mini", "messages": msgs(f"echo:{marker}")})
        assert r.status_code == 200
        ids.append(r.headers["x-request-id"])
        status, mid, raw = stream_call(
            c, "/v1/chat/completions",
            {"model": "gpt-4o-mini", "messages": msgs(f"echo:{marker}"), "stream": True})
        assert status == 200 and marker in chat_text_from_stream(raw)
        ids.append(mid)
        r = c.post("/v1/embeddings", json={"model": "text-embedding-3-small", "input": marker})
        assert r.status_code == 200
        ids.append(r.headers["x-request-id"])
        r = c.post("/v1/chat/completions", content='{"model": "' + marker,
                   headers={"content-type": "application/json"})
        assert r.status_code == 400
        ids.append(r.headers["x-request-id"])
    env.stop(g)

    events = jsonl_events(env.root / "out" / "events.jsonl")
    assert_paired(events, ids)
    for e in events:
        if e["event_type"] == "request":
            assert e["request"]["body"] is None, e
            assert e["request"]["bytes"] > 0
        else:
            assert e["response"]["body"] is None, e
    pairs = by_message(events)
    for mid in ids[:3]:  # sizes and usage stay
        resp = pairs[mid]["response"]
        assert resp["usage"]["source"] == "upstream" and resp["usage"]["prompt_tokens"] > 0
        assert resp["response"]["bytes"] > 0
    assert not file_contains_any(env.root, [marker])


def test_apim_format(audit_env, sim):
    env = audit_env
    out = env.root / "out"
    g = env.start({"spool": str(env.root / "spool"), "sinks": [
        {"type": "jsonl", "name": "typed", "path": str(out / "typed.jsonl"),
         "max_event_bytes": 16 << 20},
        {"type": "jsonl", "name": "apim", "path": str(out / "apim.jsonl"), "format": "apim",
         "max_event_bytes": 16 << 20},
        {"type": "jsonl", "name": "apim-trunc", "path": str(out / "apim-trunc.jsonl"),
         "format": "apim"},
        {"type": "jsonl", "name": "apim-split", "path": str(out / "apim-split.jsonl"),
         "format": "apim", "oversize": "split"},
    ]})
    ids = {}
    with httpx.Client(base_url=g.url, timeout=30) as c:
        body = {"model": "gpt-4o-mini", "messages": msgs("Hello APIM")}
        r = c.post("/v1/chat/completions", json=body)
        assert r.status_code == 200
        ids["chat"] = (r.headers["x-request-id"], "ChatCompletions_Create")
        status, mid, raw = stream_call(c, f"/openai/deployments/gpt-4o/chat/completions{AZ}",
                                       {"messages": msgs("Stream APIM"), "stream": True})
        assert status == 200
        ids["stream"] = (mid, "ChatCompletions_Create")
        r = c.post("/v1/completions", json={"model": "gpt-3.5-turbo-instruct", "prompt": "Hi"})
        assert r.status_code == 200
        ids["completions"] = (r.headers["x-request-id"], "Completions_Create")
        r = c.post("/v1/embeddings", json={"model": "text-embedding-3-small", "input": "Hi"})
        assert r.status_code == 200
        ids["embeddings"] = (r.headers["x-request-id"], "embeddings_create")
        r = c.post("/v1/responses", json={"model": "gpt-4o-mini", "input": "Hi"})
        assert r.status_code == 200
        ids["responses"] = (r.headers["x-request-id"], "Responses_Create")
        # past the default 1 MiB both ways (the reference cuts at 200 KB)
        big_prompt = "echo:" + "lorem ipsum dolor sit amet, " * 80_000
        r = c.post("/v1/chat/completions",
                   json={"model": "gpt-4o-mini", "messages": msgs(big_prompt)})
        assert r.status_code == 200
        ids["big"] = (r.headers["x-request-id"], "ChatCompletions_Create")
    env.stop(g)

    typed = by_message(jsonl_events(out / "typed.jsonl"))
    apim_events = jsonl_events(out / "apim.jsonl", validate=False)
    assert len(apim_events) == 2 * len(ids)
    apim: dict[tuple, dict] = {}
    for e in apim_events:
        key = (e["message-id"], e["event-type"])
        assert key not in apim
        apim[key] = e
    expected_keys_common = {"event-type", "event-time", "backend", "message-id", "operation",
                            "model", "appid", "apiId", "productId"}
    for name, (mid, operation) in ids.items():
        t_req, t_resp = typed[mid]["request"], typed[mid]["response"]
        req, resp = apim[(mid, "Request")], apim[(mid, "Response")]
        for a, t in ((req, t_req), (resp, t_resp)):
            assert expected_keys_common <= set(a), (name, sorted(a))
            assert a["event-time"] == t["time"]
            assert a["backend"] == t["routing"]["backend_host"] == "127.0.0.1"
            assert a["operation"] == operation, name
            assert a["appid"] == "" and a["apiId"] == "tollgate" and a["productId"] == ""
        body = t_req["request"]["body"]
        assert req["model"] == body.get("model", t_req["call"]["model"]), name
        assert req["messages"] == body.get("messages"), name
        assert req["prompt"] == body.get("prompt"), name
        assert resp["model"] == t_resp["call"]["served_model"], name
        assert resp["choices"] == t_resp["response"]["body"].get("choices"), name
        for key in ("prompt_tokens", "completion_tokens", "total_tokens"):
            assert isinstance(resp[key], str), (name, key, resp[key])
            assert resp[key] == str(t_resp["usage"][key]), (name, key)
        assert isinstance(resp["modeltime"], str)
        assert int(resp["modeltime"]) == int(t_resp["timing"]["model_time_ms"])
    # the stream's choices are the reassembled ones
    assert apim[(ids["stream"][0], "Response")]["choices"][0]["message"]["content"]

    # Size rules apply to the APIM shape too: the big call is whole in the sink with a raised
    # limit, shortened and marked in one with the default limit, in parts in another.
    big_id = ids["big"][0]
    whole_lines = {(json.loads(line)["message-id"], json.loads(line)["event-type"]): line
                   for line in jsonl_lines(out / "apim.jsonl")}
    assert apim[(big_id, "Request")]["messages"][0]["content"] == big_prompt
    assert "truncated" not in apim[(big_id, "Request")]
    trunc_lines = jsonl_lines(out / "apim-trunc.jsonl")
    assert len(trunc_lines) == 2 * len(ids)
    for line in trunc_lines:
        assert len(line.encode()) <= 1 << 20
        e = json.loads(line)
        big = e["message-id"] == big_id
        assert e.get("truncated", False) is big, (e["event-type"], e["message-id"])
        if big and e["event-type"] == "Request":
            kept = e["messages"][0]["content"]
            assert 0 < len(kept) < len(big_prompt) and big_prompt.startswith(kept)
        elif big:
            kept = e["choices"][0]["message"]["content"]
            assert 0 < len(kept) and big_prompt[len("echo:"):].startswith(kept)
            assert e["total_tokens"] == apim[(big_id, "Response")]["total_tokens"]
        else:
            assert line == whole_lines[(e["message-id"], e["event-type"])]
    parts: dict[tuple, list[dict]] = {}
    for line in jsonl_lines(out / "apim-split.jsonl"):
        assert len(line.encode()) <= 1 << 20
        e = json.loads(line)
        key = (e["message-id"], e["event-type"])
        if "part" in e:
            parts.setdefault(key, []).append(e)
        else:
            assert line == whole_lines[key]
    assert set(parts) == {(big_id, "Request"), (big_id, "Response")}
    for key, ps in parts.items():
        assert [p["part"] for p in ps] == list(range(1, len(ps) + 1))
        assert {p["parts"] for p in ps} == {len(ps)}
        assert "".join(p["data"] for p in ps) == whole_lines[key]


def test_deeply_nested_body_is_served_and_recorded(audit_env):
    """simdjson admits bodies nested far deeper than Boost.JSON's default limit of 32; the audit
    record must take them too (a parse failure there once dropped the connection)."""
    env = audit_env
    g = env.start(sinks_in(env))
    nested: object = "leaf"
    for _ in range(200):
        nested = {"n": nested}
    with httpx.Client(base_url=g.url, timeout=30) as c:
        r = c.post("/v1/chat/completions", json={
            "model": "gpt-4o-mini", "messages": msgs("echo:deep"), "metadata_deep": nested})
        assert r.status_code == 200, r.text
        message_id = r.headers["x-request-id"]
    env.stop(g)
    events = jsonl_events(env.root / "out" / "events.jsonl")
    assert_paired(events, [message_id])
    request = next(e for e in events if e["event_type"] == "request")
    depth, node = 0, request["request"]["body"]["metadata_deep"]
    while isinstance(node, dict):
        node, depth = node["n"], depth + 1
    assert depth == 200 and node == "leaf"
