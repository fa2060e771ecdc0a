"""Helpers for the audit tests (test_audit*.py): gateways with an `audit:` section whose spool
and sinks live in the test's own directory, and readers for what they leave on disk (JSONL
files, the SQLite store, spool segments), plus the JSON Schema check every event goes through.

The session's sim (conftest.py) is the upstream; each test starts its own gateways.
"""

from __future__ import annotations

import json
import re
import sqlite3
import struct
import time
from collections import Counter
from functools import lru_cache
from pathlib import Path

import httpx
import pytest
from jsonschema import Draft202012Validator

from conftest import REPO, Gateway, gateway_config

SCHEMA_PATH = REPO / "schema" / "audit-event.schema.json"
USAGE_KEYS = ("prompt_tokens", "completion_tokens", "total_tokens", "cached_tokens",
              "reasoning_tokens")


# ---------------------------------------------------------------------------------------------
# Gateways with an audit section


class AuditGateways:
    """Starts gateways whose audit spool and sinks live under `root`; stops them at the end."""

    def __init__(self, sim, dead_port: int, root: Path):
        self.sim = sim
        self.dead_port = dead_port
        self.root = root
        self.started: list[Gateway] = []

    def config(self, audit: dict, server: str = "") -> str:
        base = gateway_config(self.sim, dead_port=self.dead_port, server=server)
        # conftest's configuration ends with a placeholder audit section; ours replaces it.
        cut = base.rindex("\naudit:\n")
        # JSON is YAML: the audit section is written as one flow mapping.
        return base[:cut] + "\naudit: " + json.dumps(audit) + "\n"

    def start(self, audit: dict, *, name: str = "gateway-audit", server: str = "") -> Gateway:
        g = Gateway(self.config(audit, server), name=name)
        self.started.append(g)
        return g

    def stop(self, g: Gateway):
        """SIGTERM (the gateway drains its sinks), expecting exit code 0."""
        g.http.close()
        g.stop_and_check()

    def kill(self, g: Gateway):
        """SIGKILL: a crash, as far as the spool and the sinks can tell."""
        g.kill()
        g.http.close()
        g._log.close()
        g.cleanup()

    def close(self):
        for g in self.started:
            if g.proc.poll() is None:
                g.http.close()
                g.stop_and_check()
            else:
                g.http.close()  # its stderr log is kept when it exited on its own


@pytest.fixture
def audit_env(sim, dead_port, tmp_path):
    env = AuditGateways(sim, dead_port, tmp_path)
    yield env
    env.close()


# ---------------------------------------------------------------------------------------------
# Schema


@lru_cache(maxsize=1)
def validator() -> Draft202012Validator:
    schema = json.loads(SCHEMA_PATH.read_text("utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def schema_problems(event) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path)) or '(top)'}: {e.message}"
            for e in validator().iter_errors(event)]


def assert_schema_valid(event, where: str = ""):
    problems = schema_problems(event)
    assert not problems, (f"{where}: event does not validate against {SCHEMA_PATH.name}:\n"
                          + "\n".join(problems[:10]) + f"\nevent: {json.dumps(event)[:3000]}")


# ---------------------------------------------------------------------------------------------
# What the sinks and the spool leave on disk


ROTATED_RE = re.compile(r"\.(\d{8}T\d{6}Z)(?:\.(\d+))?$")


def jsonl_files(path: Path) -> list[Path]:
    """The sink's file and its rotated predecessors, in the order they were written:
    `<path>.<UTC stamp>`, then `.1`, `.2`, ... for more rotations in the same second
    (docs/sinks.md), compared as numbers."""
    rotated = []
    for p in path.parent.glob(path.name + ".*"):
        m = ROTATED_RE.fullmatch(p.name[len(path.name):])
        if m and p.is_file():
            rotated.append(((m.group(1), int(m.group(2) or 0)), p))
    return [p for _, p in sorted(rotated)] + ([path] if path.exists() else [])


def jsonl_lines(path: Path) -> list[str]:
    """Every line the jsonl sink wrote, in order; each must be whole (end with a newline)."""
    lines: list[str] = []
    for f in jsonl_files(path):
        data = f.read_bytes()
        if data:
            assert data.endswith(b"\n"), f"{f}: the last line is not terminated"
            lines.extend(data.decode("utf-8").split("\n")[:-1])
    return lines


def parse_lines(lines: list[str], where: str) -> list[dict]:
    events = []
    for i, line in enumerate(lines):
        try:
            events.append(json.loads(line))
        except ValueError as e:
            raise AssertionError(f"{where}: line {i + 1} is not JSON ({e}): {line[:300]!r}")
    return events


def jsonl_events(path: Path, *, validate: bool = True) -> list[dict]:
    events = parse_lines(jsonl_lines(path), str(path))
    if validate:
        for i, e in enumerate(events):
            assert_schema_valid(e, f"{path.name} line {i + 1}")
    return events


def wait_for_lines(path: Path, count: int, timeout: float = 20.0) -> int:
    """Polls (bounded) until the jsonl sink wrote at least `count` lines; returns the count."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            n = len(jsonl_lines(path))
        except (OSError, AssertionError, UnicodeDecodeError):
            n = -1  # mid-write or mid-outage
        if n >= count or time.monotonic() > deadline:
            return n
        time.sleep(0.05)


def sqlite_query(db: Path, sql: str, args: tuple = ()) -> list[tuple]:
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return con.execute(sql, args).fetchall()
    finally:
        con.close()


def sqlite_calls(db: Path) -> dict[str, dict]:
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    con.row_factory = sqlite3.Row
    try:
        rows = con.execute("SELECT * FROM calls").fetchall()
    finally:
        con.close()
    out = {}
    for row in rows:
        assert row["message_id"] not in out
        out[row["message_id"]] = dict(row)
    return out


# CRC32C (Castagnoli), reflected, as the spool uses it; masked as in LevelDB.
def _crc32c_table() -> list[int]:
    table = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
        table.append(c)
    return table


_CRC_TABLE = _crc32c_table()


def crc32c(data: bytes) -> int:
    c = 0xFFFFFFFF
    table = _CRC_TABLE
    for b in data:
        c = table[(c ^ b) & 0xFF] ^ (c >> 8)
    return c ^ 0xFFFFFFFF


def masked_crc(data: bytes) -> int:
    c = crc32c(data)
    return ((((c >> 15) | (c << 17)) & 0xFFFFFFFF) + 0xA282EAD8) & 0xFFFFFFFF


def segment_files(spool: Path) -> list[Path]:
    return sorted(p for p in spool.iterdir() if re.fullmatch(r"\d{20}\.seg", p.name))


def spool_bytes(spool: Path) -> int:
    return sum(p.stat().st_size for p in segment_files(spool))


def spool_records(spool: Path, *, check_crc: bool = True) -> list[bytes]:
    """Every record's payload in the spool's segments, in spool order. Asserts that the
    records tile each segment exactly and (optionally) that every checksum matches."""
    payloads = []
    for seg in segment_files(spool):
        data = seg.read_bytes()
        at = 0
        while at < len(data):
            assert len(data) - at >= 8, f"{seg.name}: torn header at {at}"
            stored, length = struct.unpack_from("<II", data, at)
            assert at + 8 + length <= len(data), f"{seg.name}: record at {at} runs past the end"
            payload = data[at + 8: at + 8 + length]
            if check_crc:
                assert stored == masked_crc(data[at + 4: at + 8] + payload), (
                    f"{seg.name}: checksum mismatch at {at}")
            payloads.append(payload)
            at += 8 + length
    return payloads


def all_files_bytes(root: Path) -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in root.rglob("*") if p.is_file()}


# ---------------------------------------------------------------------------------------------
# Events


def by_message(events: list[dict]) -> dict[str, dict[str, dict]]:
    """{message_id: {"request": event, "response": event}}, asserting there is at most one of
    each type per message."""
    out: dict[str, dict[str, dict]] = {}
    for e in events:
        slot = out.setdefault(e["message_id"], {})
        assert e["event_type"] not in slot, (
            f"two {e['event_type']} events for message {e['message_id']}")
        slot[e["event_type"]] = e
    return out


def assert_paired(events: list[dict], message_ids: list[str]):
    """Exactly one request and one response event for each message id, and nothing else."""
    kinds = Counter((e["message_id"], e["event_type"]) for e in events)
    problems = []
    for mid in message_ids:
        for t in ("request", "response"):
            if kinds[(mid, t)] != 1:
                problems.append(f"{mid}: {kinds[(mid, t)]} {t} events")
    extra = {m for m, _ in kinds} - set(message_ids)
    if extra:
        problems.append(f"events for calls nobody made: {sorted(extra)}")
    assert not problems, "\n".join(problems)
    assert len(events) == 2 * len(message_ids)
    ids = [e["event_id"] for e in events]
    assert len(set(ids)) == len(ids), "event ids repeat"


def usage_of(event: dict) -> dict:
    return {k: event["usage"][k] for k in USAGE_KEYS}


def normalized_usage(usage: dict, *, embeddings: bool = False) -> dict:
    """A usage object as an upstream sends it, in the event's terms (docs/usage.md)."""
    if "input_tokens" in usage:  # Responses API
        return {
            "prompt_tokens": usage.get("input_tokens"),
            "completion_tokens": usage.get("output_tokens"),
            "total_tokens": usage.get("total_tokens"),
            "cached_tokens": (usage.get("input_tokens_details") or {}).get("cached_tokens"),
            "reasoning_tokens": (usage.get("output_tokens_details") or {}).get(
                "reasoning_tokens"),
        }
    completion = usage.get("completion_tokens")
    if completion is None and embeddings:
        completion = 0
    return {
        "prompt_tokens": usage.get("prompt_tokens"),
        "completion_tokens": completion,
        "total_tokens": usage.get("total_tokens"),
        "cached_tokens": (usage.get("prompt_tokens_details") or {}).get("cached_tokens"),
        "reasoning_tokens": (usage.get("completion_tokens_details") or {}).get(
            "reasoning_tokens"),
    }


def sim_usage(sim, operation: str, body: dict) -> dict:
    """The usage the simulator reports for `body` (asked directly, without a stream)."""
    plain = {k: v for k, v in body.items() if k not in ("stream", "stream_options")}
    r = httpx.post(f"{sim.url}/v1/{operation}", json=plain, timeout=10)
    assert r.status_code == 200, r.text[:500]
    return normalized_usage(r.json()["usage"], embeddings=operation == "embeddings")


# ---------------------------------------------------------------------------------------------
# Streams as the client sees them


def sse_data(raw: str) -> list[str]:
    """The data of each SSE event in a raw event stream."""
    out = []
    for block in re.split(r"\r?\n\r?\n", raw):
        data = [line[5:].lstrip(" ") for line in re.split(r"\r?\n", block)
                if line.startswith("data:")]
        if data:
            out.append("\n".join(data))
    return out


def chat_text_from_stream(raw: str) -> str:
    text = []
    for data in sse_data(raw):
        if data == "[DONE]":
            continue
        chunk = json.loads(data)
        for choice in chunk.get("choices", []):
            text.append(choice.get("delta", {}).get("content") or "")
    return "".join(text)


def file_contains_any(root: Path, needles: list[str]) -> list[str]:
    """'file: needle' for each needle found in any file under root (raw bytes)."""
    found = []
    for path, data in all_files_bytes(root).items():
        for needle in needles:
            if needle.encode() in data:
                found.append(f"{path.relative_to(root)}: {needle!r}")
    return found

