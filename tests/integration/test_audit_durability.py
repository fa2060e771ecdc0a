"""Audit durability against the real gateway: kill -9 under load, a sink whose directory goes
away for a while, and a spool that fills up under the reject policy."""

from __future__ import annotations

import json
import os
import struct
import threading
import time
from collections import Counter
from pathlib import Path

import httpx

from audit_support import (  # noqa: F401  (audit_env is a fixture)
    assert_paired, assert_schema_valid, audit_env, by_message, jsonl_files, jsonl_events,
    jsonl_lines, masked_crc, parse_lines, segment_files, spool_bytes, spool_records,
    sqlite_query, wait_for_lines)
from conftest import assert_openai_error


def msgs(text: str) -> list[dict]:
    return [{"role": "user", "content": text}]


class Result:
    __slots__ = ("message_id", "status", "complete", "kind")

    def __init__(self, kind):
        self.kind, self.message_id, self.status, self.complete = kind, None, None, False


def one_call(client: httpx.Client, i: int, marker: str = "load") -> Result:
    """One of three kinds of call; complete only if the client got the whole answer."""
    kind = ("chat", "stream", "embeddings")[i % 3]
    res = Result(kind)
    try:
        if kind == "chat":
            r = client.post("/v1/chat/completions",
                            json={"model": "gpt-4o-mini", "messages": msgs(f"{marker} {i}")})
            res.message_id, res.status = r.headers.get("x-request-id"), r.status_code
            res.complete = r.status_code == 200 and bool(r.json()["choices"])
        elif kind == "stream":
            with client.stream("POST", "/openai/deployments/gpt-4o/chat/completions"
                               "?api-version=2024-10-21",
                               json={"messages": msgs(f"{marker} {i}"), "stream": True}) as r:
                res.message_id, res.status = r.headers.get("x-request-id"), r.status_code
                raw = r.read()
            res.complete = r.status_code == 200 and raw.rstrip().endswith(b"data: [DONE]")
        else:
            r = client.post("/v1/embeddings",
                            json={"model": "text-embedding-3-small", "input": f"{marker} {i}"})
            res.message_id, res.status = r.headers.get("x-request-id"), r.status_code
            res.complete = r.status_code == 200 and bool(r.json()["data"])
    except (httpx.HTTPError, ValueError):
        res.complete = False
    return res


class Load:
    """`threads` clients calling in a loop until stopped (or `per_thread` calls each)."""

    def __init__(self, url: str, threads: int, per_thread: int = 100_000, marker: str = "load"):
        self.url, self.per_thread, self.marker = url, per_thread, marker
        self.results: list[Result] = []
        self.stop_event = threading.Event()
        self._lock = threading.Lock()
        self._threads = [threading.Thread(target=self._run, args=(t, threads), daemon=True)
                         for t in range(threads)]

    def _run(self, t: int, threads: int):
        with httpx.Client(base_url=self.url, timeout=20) as client:
            for n in range(self.per_thread):
                if self.stop_event.is_set():
                    return
                res = one_call(client, n * threads + t, self.marker)
                with self._lock:
                    self.results.append(res)
                if res.status is None:
                    time.sleep(0.02)  # the gateway is gone; do not spin

    def start(self) -> "Load":
        for th in self._threads:
            th.start()
        return self

    def completed(self) -> int:
        with self._lock:
            return sum(r.complete for r in self.results)

    def wait_completed(self, n: int, timeout: float = 30.0):
        deadline = time.monotonic() + timeout
        while self.completed() < n and time.monotonic() < deadline:
            time.sleep(0.02)

    def join(self, stop: bool = True):
        if stop:
            self.stop_event.set()
        for th in self._threads:
            th.join(60)
            assert not th.is_alive(), "a load thread did not finish"


def test_kill_9_under_load_then_restart(audit_env):
    env = audit_env
    out = env.root / "out"
    db = out / "audit.db"
    audit = {"spool": str(env.root / "spool"), "sinks": [
        {"type": "sqlite", "path": str(db)},
        {"type": "jsonl", "path": str(out / "events.jsonl")}]}
    g1 = env.start(audit, name="gateway-crash-1")
    load = Load(g1.url, threads=8).start()
    load.wait_completed(400)  # a few seconds of load, counted in calls rather than time
    env.kill(g1)  # SIGKILL, mid-load
    load.join()
    # What a crash in the middle of a write leaves: a torn record at the spool's tail (a
    # whole header, half a payload) and a torn last line in the JSONL file. The restart must
    # cut both off and deliver nothing corrupt.
    last_segment = segment_files(env.root / "spool")[-1]
    torn_payload = b'{"schema":"tollgate.audit.v1","event_id":"torn'
    with open(last_segment, "ab") as f:
        f.write(struct.pack("<II", masked_crc(struct.pack("<I", 4096) + torn_payload), 4096))
        f.write(torn_payload)
    with open(out / "events.jsonl", "ab") as f:
        f.write(b'{"schema":"tollgate.audit.v1","event_id":"torn-line')
    results = load.results
    complete = [r for r in results if r.complete]
    assert len(complete) >= 100, f"only {len(complete)} calls completed before the kill"
    assert any(not r.complete for r in results), "the kill did not interrupt any call"

    g2 = env.start(audit, name="gateway-crash-2")
    after = Load(g2.url, threads=2, per_thread=6, marker="after").start()
    after.join(stop=False)
    assert all(r.complete for r in after.results)
    env.stop(g2)  # drains: everything in the spool reaches both sinks
    complete += after.results

    # SQLite: every call the client received in full has both events, exactly once, and a
    # calls row built from both.
    rows = sqlite_query(db, "SELECT event_id, message_id, event_type, part, parts, body "
                            "FROM events")
    counts = Counter((m, t) for _, m, t, part, _, _ in rows if part == 0)
    calls = {r[0]: r for r in sqlite_query(
        db, "SELECT message_id, request_time, response_time, status, outcome, usage_source, "
            "prompt_tokens, total_tokens FROM calls")}
    problems = []
    for r in complete:
        for t in ("request", "response"):
            if counts[(r.message_id, t)] != 1:
                problems.append(f"{r.kind} {r.message_id}: {counts[(r.message_id, t)]} {t} "
                                f"events in SQLite")
        row = calls.get(r.message_id)
        if row is None:
            problems.append(f"{r.kind} {r.message_id}: no calls row")
        elif (row[1] is None or row[2] is None or row[3] != 200 or row[4] != "ok"
              or row[5] != "upstream" or not row[6] or not row[7]):
            problems.append(f"{r.kind} {r.message_id}: incomplete calls row {row}")
    assert not problems, f"{len(problems)} problems, first ones:\n" + "\n".join(problems[:20])
    # No stored event is corrupt: each parses and validates.
    for event_id, message_id, event_type, part, parts, body in rows:
        assert part == 0 and parts is None
        event = json.loads(body)
        assert_schema_valid(event, f"sqlite event {event_id}")
        assert (event["event_id"], event["message_id"], event["event_type"]) == (
            event_id, message_id, event_type)
    # A response event never exists without its request event.
    for (m, t), n in counts.items():
        assert t != "response" or counts[(m, "request")] == 1, m

    # JSONL: delivery is at least once, so a batch may repeat after the crash, but every line
    # is a whole, valid event, a repeated event is the same text, and every complete call is
    # there.
    lines = jsonl_lines(out / "events.jsonl")
    events = parse_lines(lines, "events.jsonl")
    text_of: dict[str, str] = {}
    for line, e in zip(lines, events):
        assert_schema_valid(e, "events.jsonl")
        assert text_of.setdefault(e["event_id"], line) == line
    seen = {(e["message_id"], e["event_type"]) for e in events}
    missing = [r.message_id for r in complete
               if (r.message_id, "request") not in seen or (r.message_id, "response") not in seen]
    assert not missing, f"{len(missing)} complete calls missing from the JSONL: {missing[:5]}"
    assert "torn" not in "".join(e["event_id"] for e in events)
    # The spool itself: every record intact (the torn tail was cut at restart).
    for payload in spool_records(env.root / "spool"):
        json.loads(payload)


def break_directory(directory: Path) -> Path:
    """Makes `directory` unusable even for root: moves it away and puts a regular file at its
    path. Returns where it went."""
    away = directory.with_name(directory.name + ".away")
    os.rename(directory, away)
    directory.write_bytes(b"not a directory\n")
    return away


def restore_directory(directory: Path, away: Path):
    directory.unlink()
    os.rename(away, directory)


def test_sink_outage_spool_holds_then_delivers_in_order_once(audit_env):
    env = audit_env
    sink_dir = env.root / "sink"
    jsonl = sink_dir / "events.jsonl"
    reference = env.root / "reference" / "events.jsonl"  # a sink that never fails
    spool = env.root / "spool"
    # Small segments, so the outage spans several, and delivery crosses segment boundaries.
    g = env.start({"spool": str(spool), "spool_segment_bytes": 16384, "sinks": [
        {"type": "jsonl", "name": "outage", "path": str(jsonl)},
        {"type": "jsonl", "name": "reference", "path": str(reference)}]})
    ids: list[str] = []

    before = Load(g.url, threads=1, per_thread=6, marker="before").start()
    before.join(stop=False)
    assert wait_for_lines(jsonl, 12) == 12
    ids += [r.message_id for r in before.results]

    segments_at_start = segment_files(spool)
    bytes_at_start = spool_bytes(spool)
    away = break_directory(sink_dir)
    try:
        during = Load(g.url, threads=4, per_thread=15, marker="outage-prompt").start()
        during.join(stop=False)
        # The hot path does not wait on the sink: every call succeeded.
        assert all(r.complete for r in during.results), [
            (r.kind, r.status) for r in during.results if not r.complete]
        ids += [r.message_id for r in during.results]
        # The spool holds the outage's events: it grew, by several segments; the other sink
        # got them; the broken sink's file got none.
        assert wait_for_lines(reference, 2 * len(ids)) == 2 * len(ids)
        assert spool_bytes(spool) > bytes_at_start + 60 * 1000
        segments = segment_files(spool)
        assert len(segments) >= len(segments_at_start) + 3, (segments_at_start, segments)
        held = [p.decode("utf-8") for p in spool_records(spool)]
        assert len(jsonl_lines(away / "events.jsonl")) == 12
        assert g.alive() and g.http.get("/healthz").status_code == 200
    finally:
        restore_directory(sink_dir, away)

    after = Load(g.url, threads=1, per_thread=6, marker="after").start()
    after.join(stop=False)
    assert all(r.complete for r in after.results)
    ids += [r.message_id for r in after.results]
    # Delivered without a restart, once the directory is back (the retry backoff is bounded).
    assert wait_for_lines(jsonl, 2 * len(ids), timeout=30) == 2 * len(ids)
    stderr = g.stderr_text()
    env.stop(g)
    assert "events.jsonl" in stderr  # the failure was logged, naming the file ...
    assert "outage-prompt" not in stderr  # ... but no event text

    # Every event arrived exactly once, in the spool's order, byte for byte: the same lines
    # as the sink that never failed, with what the spool held during the outage in one run.
    lines = jsonl_lines(jsonl)
    assert len(lines) == 2 * len(ids)
    assert lines == jsonl_lines(reference)
    at = lines.index(held[0])
    assert lines[at:at + len(held)] == held
    events = parse_lines(lines, "events.jsonl")
    for e in events:
        assert_schema_valid(e, "events.jsonl")
    assert_paired(events, ids)
    outage_ids = {r.message_id for r in during.results}
    assert outage_ids <= {json.loads(h)["message_id"] for h in held}
    # Once every sink is past them, sealed segments are deleted: only the active one is left.
    assert len(segment_files(spool)) == 1, segment_files(spool)


def test_spool_full_rejects_with_503_then_recovers(audit_env):
    env = audit_env
    sink_dir = env.root / "sink"
    jsonl = sink_dir / "events.jsonl"
    g = env.start({"spool": str(env.root / "spool"), "spool_max_bytes": 65536,
                   "when_full": "reject", "sinks": [{"type": "jsonl", "path": str(jsonl)}]})
    client = httpx.Client(base_url=g.url, timeout=20)
    results: list[Result] = [one_call(client, 0)]
    assert results[0].complete
    assert wait_for_lines(jsonl, 2) == 2

    away = break_directory(sink_dir)
    try:
        refused = []
        for i in range(1, 300):  # 64 KiB holds a few dozen calls' events
            kind_index = i if not refused else 1  # once full, try a stream as well
            r = one_call(client, kind_index)
            results.append(r)
            if r.status == 503:
                refused.append(r)
                if len(refused) >= 3:
                    break
            else:
                assert r.complete, (r.kind, r.status)
        assert len(refused) >= 3, "the spool never filled up"
        assert sum(r.complete for r in results) >= 3
        # The refusal is OpenAI-shaped, for a plain call and for a stream alike.
        for path, body in [
            ("/v1/chat/completions", {"model": "gpt-4o-mini", "messages": msgs("full?")}),
            ("/v1/chat/completions", {"model": "gpt-4o-mini", "messages": msgs("full?"),
                                      "stream": True}),
        ]:
            resp = client.post(path, json=body)
            err = assert_openai_error(resp, 503)
            assert "spool" in err["message"]
            res = Result("probe")
            res.message_id, res.status = resp.headers["x-request-id"], 503
            refused.append(res)
            results.append(res)
        # The gateway stays up.
        assert g.alive()
        assert client.get("/healthz").status_code == 200
    finally:
        restore_directory(sink_dir, away)

    # Recovers once the sink drains the spool: bounded wait for the first success.
    deadline = time.monotonic() + 30
    recovered = False
    i = 1000
    while time.monotonic() < deadline:
        r = one_call(client, i)
        i += 1
        results.append(r)
        if r.complete:
            recovered = True
            break
        assert r.status == 503, (r.kind, r.status)
        time.sleep(0.2)
    assert recovered, "calls still refused 30 s after the sink came back"
    for _ in range(6):
        r = one_call(client, i)
        i += 1
        results.append(r)
        assert r.complete, (r.kind, r.status)
    client.close()
    env.stop(g)

    events = jsonl_events(jsonl)
    pairs = by_message(events)
    # Every call the client was served has both events; no call is recorded by halves (a
    # call whose request event the spool took also has its response event; a refused call
    # has neither).
    position = {r.message_id: n for n, r in enumerate(results)}
    problems = []
    for r in results:
        have = sorted(pairs.get(r.message_id, {}))
        if r.complete and have != ["request", "response"]:
            problems.append(f"call #{position[r.message_id]} ({r.kind}) got {r.status} in full "
                            f"but has events {have}")
        elif not r.complete and have not in ([], ["request", "response"]):
            problems.append(f"call #{position[r.message_id]} ({r.kind}) got {r.status} and "
                            f"has events {have}")
    unknown = set(pairs) - set(position)
    assert not unknown, f"events for calls nobody made: {unknown}"
    first_refusal = min(position[r.message_id] for r in refused)
    assert not problems, (f"{len(problems)} calls recorded by halves (first refusal: call "
                          f"#{first_refusal}):\n" + "\n".join(problems))


def test_jsonl_rotation_keeps_every_event_and_names_sort_in_write_order(audit_env):
    env = audit_env
    jsonl = env.root / "out" / "events.jsonl"
    spool = env.root / "spool"
    # fsync_interval_ms 0 publishes every event at once, so the sink's batches (and so the files)
    # stay small however fast the calls are; with group commits a fast machine fits all 180
    # events in two or three batches.
    g = env.start({"spool": str(spool), "fsync_interval_ms": 0, "sinks": [
        {"type": "jsonl", "path": str(jsonl), "rotate_bytes": 4096}]})
    load = Load(g.url, threads=1, per_thread=90, marker="rotate").start()
    load.join(stop=False)
    assert all(r.complete for r in load.results)
    env.stop(g)

    files = jsonl_files(jsonl)  # ordered by stamp, then by the numeric suffix
    assert len(files) > 12, f"only {len(files)} files: the test did not rotate enough"
    # Read in that order, the files hold every event once, in spool order.
    lines = jsonl_lines(jsonl)
    assert lines == [p.decode() for p in spool_records(spool)]
    assert_paired(parse_lines(lines, "events.jsonl"), [r.message_id for r in load.results])
    for f in files[:-1]:  # a file is rotated before a batch would take it past rotate_bytes
        assert 0 < f.stat().st_size
    # docs/sinks.md: "Names sort in the order the files were written" -- as plain names, the
    # way `ls`, `sort` and log shippers order them.
    by_name = sorted(f.name for f in files[:-1]) + [files[-1].name]
    written = [f.name[len(jsonl.name):] for f in files]
    sorted_names = [n[len(jsonl.name):] for n in by_name]
    assert sorted_names == written, (
        f"rotated names do not sort in write order ({len(files)} files):\n"
        f"  written: {' '.join(written[:12])} ...\n"
        f"  sorted:  {' '.join(sorted_names[:12])} ...")
