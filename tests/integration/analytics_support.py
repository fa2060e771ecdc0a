"""Helpers for the analytics tests (test_postgres*, test_kafka*, test_ingest*): traffic made with
the real openai SDK through a gateway, readers for what lands in PostgreSQL and Kafka, and
`tollgate ingest` processes.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
from confluent_kafka import Consumer, TopicPartition
from openai import OpenAI

from conftest import CLIENT_KEY, tollgate_bin

USAGE = ("prompt_tokens", "completion_tokens", "total_tokens")


@dataclass
class Traffic:
    """Calls made through a gateway: their message ids, and the usage the client was told."""
    message_ids: list[str] = field(default_factory=list)
    usage: dict[str, dict] = field(default_factory=dict)  # message id -> prompt/completion/total

    def totals(self) -> dict[str, int]:
        return {k: sum(u[k] for u in self.usage.values()) for k in USAGE}

    def extend(self, other: "Traffic"):
        self.message_ids += other.message_ids
        self.usage.update(other.usage)


def make_traffic(base_url: str, calls: int, *, tag: str = "") -> Traffic:
    """`calls` calls with the openai SDK, cycling through chat, a stream with usage, and
    embeddings; each call's usage as the client received it."""
    client = OpenAI(base_url=f"{base_url}/v1", api_key=CLIENT_KEY, max_retries=0, timeout=60)
    out = Traffic()
    for i in range(calls):
        text = f"{tag} call {i} " + "word " * (i % 7)
        kind = i % 3
        if kind == 0:
            raw = client.chat.completions.with_raw_response.create(
                model="gpt-4o-mini", messages=[{"role": "user", "content": text}])
            usage = raw.parse().usage
        elif kind == 1:
            raw = client.chat.completions.with_raw_response.create(
                model="gpt-4o", messages=[{"role": "user", "content": text}], stream=True,
                stream_options={"include_usage": True})
            usage = None
            for chunk in raw.parse():
                if chunk.usage:
                    usage = chunk.usage
        else:
            raw = client.embeddings.with_raw_response.create(
                model="text-embedding-3-small", input=text)
            usage = raw.parse().usage
        mid = raw.headers["x-request-id"]
        out.message_ids.append(mid)
        out.usage[mid] = {"prompt_tokens": usage.prompt_tokens,
                          "completion_tokens": getattr(usage, "completion_tokens", 0) or 0,
                          "total_tokens": usage.total_tokens}
    client.close()
    return out


# ---------------------------------------------------------------------------------------------
# PostgreSQL


def pg_rows(dsn: str, sql: str, args: tuple = ()) -> list[tuple]:
    with psycopg.connect(dsn, autocommit=True) as con:
        return con.execute(sql, args).fetchall()


def pg_calls(dsn: str) -> dict[str, dict]:
    with psycopg.connect(dsn, autocommit=True) as con:
        cur = con.execute("SELECT * FROM calls")
        names = [d.name for d in cur.description]
        return {row[0]: dict(zip(names, row)) for row in cur.fetchall()}


def pg_count(dsn: str, sql: str) -> int:
    try:
        return pg_rows(dsn, sql)[0][0]
    except psycopg.errors.UndefinedTable:
        return -1  # the schema is not there yet


def wait_pg(dsn: str, sql: str, want: int, timeout: float = 90.0) -> int:
    """Polls (bounded) until `sql` (a count) reaches `want`; returns the last count."""
    deadline = time.monotonic() + timeout
    while True:
        n = pg_count(dsn, sql)
        if n >= want or time.monotonic() > deadline:
            return n
        time.sleep(0.1)


def assert_pg_matches(dsn: str, traffic: Traffic):
    """Every call once in `calls`, complete and with the client's usage; two events per call,
    none twice; the token sums equal the client's."""
    calls = pg_calls(dsn)
    assert set(calls) == set(traffic.message_ids), (
        f"missing {set(traffic.message_ids) - set(calls)}, extra {set(calls) - set(traffic.message_ids)}")
    for mid in traffic.message_ids:
        row = calls[mid]
        assert row["request_time"] is not None and row["response_time"] is not None, row
        assert row["status"] == 200 and row["outcome"] == "ok", row
        assert {k: row[k] for k in USAGE} == traffic.usage[mid], (mid, row)
    events = pg_rows(dsn, "SELECT message_id, event_type, count(*) FROM events "
                          "WHERE part = 0 GROUP BY 1, 2")
    per_call = {(m, t): n for m, t, n in events}
    for mid in traffic.message_ids:
        assert per_call.get((mid, "request")) == 1 and per_call.get((mid, "response")) == 1, mid
    assert len(per_call) == 2 * len(traffic.message_ids)
    sums = pg_rows(dsn, "SELECT sum(prompt_tokens), sum(completion_tokens), sum(total_tokens) "
                        "FROM calls")[0]
    assert dict(zip(USAGE, sums)) == traffic.totals()


# ---------------------------------------------------------------------------------------------
# Kafka


def consume_all(bootstrap: str, topic: str, want: int, timeout: float = 90.0) -> list:
    """Every message of `topic` from the start, once at least `want` have arrived (bounded)."""
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": "reader-" + uuid.uuid4().hex,
                         "auto.offset.reset": "earliest", "enable.auto.commit": False,
                         "log_level": 0})
    out = []
    try:
        consumer.subscribe([topic])
        deadline = time.monotonic() + timeout
        while len(out) < want and time.monotonic() < deadline:
            for msg in consumer.consume(500, 0.5):
                if msg.error() is None:
                    out.append(msg)
    finally:
        consumer.close()
    return out


def end_offsets(bootstrap: str, topic: str, partitions: int) -> int:
    """How many messages the topic holds (the sum of its partitions' high watermarks)."""
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": "w-" + uuid.uuid4().hex,
                         "log_level": 0})
    try:
        return sum(consumer.get_watermark_offsets(TopicPartition(topic, p), timeout=30)[1]
                   for p in range(partitions))
    finally:
        consumer.close()


def kafka_sink(bootstrap: str, topic: str, **extra) -> dict:
    return {"type": "kafka", "brokers": bootstrap, "topic": topic, **extra}


# ---------------------------------------------------------------------------------------------
# tollgate ingest


class Ingest:
    """A `tollgate ingest` process with its own configuration file."""

    def __init__(self, config: dict, *, name: str = "ingest"):
        fd, self.config_path = tempfile.mkstemp(prefix="tollgate-ingest-", suffix=".yaml")
        with os.fdopen(fd, "w") as f:
            f.write("log: { level: info }\ningest: " + json.dumps(config) + "\n")
        self.log_path = Path(tempfile.mkstemp(prefix=f"tollgate-{name}-", suffix=".log")[1])
        self._log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(
            [tollgate_bin(), "ingest", "--config", self.config_path],
            stdout=self._log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)

    def log(self) -> str:
        return self.log_path.read_text("utf-8", "replace")

    def alive(self) -> bool:
        return self.proc.poll() is None

    def kill(self):
        self.proc.kill()
        self.proc.wait(30)

    def stop(self, timeout: float = 60) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(timeout)
        return self.proc.returncode

    def stop_and_check(self):
        code = self.stop()
        text = self.log()
        assert code == 0, f"ingest exited with {code}:\n{text[-4000:]}"
        for marker in ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:"):
            assert marker not in text, f"sanitizer report:\n{text[-4000:]}"
        self.close()

    def close(self):
        if self.proc.poll() is None:
            self.kill()
        self._log.close()
        for p in (self.config_path, self.log_path):
            try:
                os.unlink(p)
            except OSError:
                pass


def ingest_config(bootstrap: str, topic: str, dsn: str, group: str, **from_extra) -> dict:
    return {"from": {"type": "kafka", "brokers": bootstrap, "topic": topic, "group_id": group,
                     **from_extra},
            "to": {"type": "postgres", "dsn": dsn}}
