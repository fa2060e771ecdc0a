"""Measures the sustained rate of the audit pipeline's Kafka leg and ingest leg.

1. Fill: a gateway (1 thread) under wrk load (chat completions, bodies recorded) appends
   events to its spool while its kafka sink points at a port where nothing listens, so the
   spool holds every event (the broker outage case).
2. Kafka sink: the gateway starts again on that spool with the sink pointing at the real
   broker; the rate is the number of events over the time until the topic holds them all
   (the broker's high watermarks).
3. Ingest: `tollgate ingest` (one process) loads the topic into an empty PostgreSQL database;
   the rate is the events over the time until the events table holds them all.

Both drain a backlog, so they measure what each leg sustains, not the gateway's load.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "integration"))

import psycopg  # noqa: E402
from confluent_kafka import Consumer, TopicPartition  # noqa: E402

import services  # noqa: E402

BIN = os.environ.get("TOLLGATE_BIN", str(ROOT / "build" / "tollgate"))
LOAD_SECONDS = int(sys.argv[1]) if len(sys.argv) > 1 else 20
PARTITIONS = 4


def start(args: list[str], log: Path) -> tuple[subprocess.Popen, str]:
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=open(log, "wb"))
    for line in proc.stdout:
        m = re.match(rb"tollgate listening on (http://\S+)", line)
        if m:
            return proc, m.group(1).decode()
    raise RuntimeError(f"{args[1]} did not start: {log.read_text()[-2000:]}")


def gateway_config(path: Path, sim_url: str, spool: Path, brokers: str, topic: str):
    path.write_text(f"""listen: 127.0.0.1:0
server: {{ threads: 1 }}
log: {{ level: warn, access_log: false }}
auth: {{ mode: none }}
backends:
  sim: {{ kind: openai, url: "{sim_url}/v1", api_key: bench-key }}
models:
  gpt-4o: [ {{ backend: sim, deployment: gpt-4o }} ]
audit:
  spool: {spool}
  spool_max_bytes: 4294967296
  sinks:
    - {{ type: kafka, name: kafka, brokers: "{brokers}", topic: {topic}, delivery_timeout_ms: 1000 }}
""")


def topic_size(brokers: str, topic: str) -> int:
    c = Consumer({"bootstrap.servers": brokers, "group.id": "bench-watch", "log_level": 0})
    try:
        return sum(c.get_watermark_offsets(TopicPartition(topic, p), timeout=30)[1]
                   for p in range(PARTITIONS))
    finally:
        c.close()


def wait_until(what, target: int, timeout: float = 600) -> float:
    t0 = time.monotonic()
    while what() < target:
        if time.monotonic() - t0 > timeout:
            raise RuntimeError(f"stalled at {what()} of {target}")
        time.sleep(0.05)
    return time.monotonic() - t0


def main():
    tmp = Path(tempfile.mkdtemp(prefix="tollgate-bench-kafka-"))
    pg = services.PostgresServer()
    broker = services.KafkaBroker()
    procs = []
    try:
        topic = broker.new_topic(PARTITIONS)
        sim, sim_url = start([BIN, "sim", "--listen", "127.0.0.1:0", "--threads", "1"],
                             tmp / "sim.log")
        procs.append(sim)
        spool = tmp / "spool"
        config = tmp / "gateway.yaml"

        # 1. Fill the spool with the sink's broker unreachable.
        gateway_config(config, sim_url, spool, f"127.0.0.1:{services._free_port()}", topic)
        gw, url = start([BIN, "serve", "--config", str(config)], tmp / "gw1.log")
        wrk = subprocess.run(["wrk", "-t1", "-c8", f"-d{LOAD_SECONDS}s", "-s",
                              str(ROOT / "bench" / "chat.lua"), f"{url}/v1/chat/completions"],
                             capture_output=True, text=True, env={**os.environ,
                                                                   "BENCH_TOKENS": "64"})
        gw.terminate()
        gw.wait(60)
        calls = int(re.search(r"(\d+) requests in", wrk.stdout).group(1))
        events = 2 * calls
        spool_bytes = sum(p.stat().st_size for p in spool.glob("*.seg"))
        print(f"fill: {calls} calls under wrk for {LOAD_SECONDS}s -> {events} events, "
              f"{spool_bytes / events:.0f} bytes/event in the spool", flush=True)

        # 2. Drain the spool to Kafka.
        gateway_config(config, sim_url, spool, broker.bootstrap, topic)
        gw, url = start([BIN, "serve", "--config", str(config)], tmp / "gw2.log")
        procs.append(gw)
        secs = wait_until(lambda: topic_size(broker.bootstrap, topic), events)
        print(f"kafka sink: {events} events in {secs:.2f}s = {events / secs:.0f} events/s",
              flush=True)

        # 3. Ingest into PostgreSQL.
        dsn = pg.new_database()
        ingest_yaml = tmp / "ingest.yaml"
        ingest_yaml.write_text("log: { level: warn }\ningest: " + json.dumps({
            "from": {"type": "kafka", "brokers": broker.bootstrap, "topic": topic,
                     "group_id": "bench"},
            "to": {"type": "postgres", "dsn": dsn}}) + "\n")
        t0 = time.monotonic()
        ingest = subprocess.Popen([BIN, "ingest", "--config", str(ingest_yaml)],
                                  stderr=open(tmp / "ingest.log", "wb"))
        procs.append(ingest)

        def stored():
            try:
                with psycopg.connect(dsn, autocommit=True) as con:
                    return con.execute("SELECT count(*) FROM events").fetchone()[0]
            except psycopg.errors.UndefinedTable:
                return 0
        wait_until(stored, events)
        secs = time.monotonic() - t0
        with psycopg.connect(dsn, autocommit=True) as con:
            n_calls = con.execute("SELECT count(*) FROM calls WHERE response_time IS NOT NULL"
                                  ).fetchone()[0]
        print(f"ingest: {events} events ({n_calls} calls) in {secs:.2f}s "
              f"(process start and group join included) = {events / secs:.0f} events/s",
              flush=True)
    finally:
        for p in procs:
            p.terminate()
            try:
                p.wait(60)
            except subprocess.TimeoutExpired:
                p.kill()
        broker.close()
        pg.close()


if __name__ == "__main__":
    main()
