"""`tollgate ingest` against real Kafka and PostgreSQL servers: it loads typed and apim events
into the schema the postgres sink writes, commits offsets only once rows are stored (a SIGKILL
mid-batch loses nothing and duplicates nothing), shares a topic with another process of the
same group, stops cleanly on SIGTERM, and `tollgate check` reads its section."""

from __future__ import annotations

import subprocess
import time
import uuid

from confluent_kafka import Consumer, TopicPartition

from analytics_support import (Ingest, assert_pg_matches, consume_all, ingest_config,
                               kafka_sink, make_traffic, pg_calls, pg_count, pg_rows, wait_pg)
from audit_support import audit_env  # noqa: F401  (fixture)
from conftest import tollgate_bin

CALLS_DONE = "SELECT count(*) FROM calls WHERE response_time IS NOT NULL AND request_time IS NOT NULL"


def publish(env, broker, topic: str, calls: int, **sink_extra):
    """`calls` calls through a gateway whose kafka sink publishes to `topic`."""
    g = env.start({"spool": str(env.root / f"spool-{uuid.uuid4().hex[:6]}"),
                   "sinks": [kafka_sink(broker.bootstrap, topic, **sink_extra)]})
    traffic = make_traffic(g.url, calls, tag="ingest")
    assert len(consume_all(broker.bootstrap, topic, 2 * calls)) >= 2 * calls
    env.stop(g)
    return traffic


def committed(broker, topic: str, group: str, partitions: int) -> int:
    c = Consumer({"bootstrap.servers": broker.bootstrap, "group.id": group, "log_level": 0})
    try:
        offsets = c.committed([TopicPartition(topic, p) for p in range(partitions)], timeout=30)
        return sum(max(tp.offset, 0) for tp in offsets)
    finally:
        c.close()


def test_loads_events_and_commits_after_storing(audit_env, kafka_healthy, postgres_server):
    topic = kafka_healthy.new_topic(partitions=2)
    traffic = publish(audit_env, kafka_healthy, topic, 9)
    dsn = postgres_server.new_database()
    ingest = Ingest(ingest_config(kafka_healthy.bootstrap, topic, dsn, "g1"))
    try:
        assert wait_pg(dsn, CALLS_DONE, 9) == 9, ingest.log()[-3000:]
        log = ingest.log()
    finally:
        ingest.stop_and_check()  # SIGTERM: commits what is stored, exits 0
    assert_pg_matches(dsn, traffic)
    assert committed(kafka_healthy, topic, "g1", 2) == 18
    assert postgres_server.password not in log


def test_killed_mid_batch_then_restarted_loses_and_repeats_nothing(
        audit_env, kafka_healthy, postgres_server):
    topic = kafka_healthy.new_topic(partitions=4)
    traffic = publish(audit_env, kafka_healthy, topic, 60)
    dsn = postgres_server.new_database()
    config = ingest_config(kafka_healthy.bootstrap, topic, dsn, "killed")
    config["batch_events"] = 7  # many small transactions, so the kill lands between commits
    first = Ingest(config, name="ingest-1")
    try:
        stored = wait_pg(dsn, "SELECT count(*) FROM events", 30)
        assert stored >= 30, first.log()[-3000:]
    finally:
        first.kill()
        first.close()
    partial = pg_count(dsn, "SELECT count(*) FROM events")
    assert partial < 120 or committed(kafka_healthy, topic, "killed", 4) < 120

    # Two processes of the group now share the partitions, and finish the topic.
    second = [Ingest(config, name=f"ingest-{i}") for i in (2, 3)]
    try:
        assert wait_pg(dsn, CALLS_DONE, 60) == 60
        deadline = time.monotonic() + 60
        while committed(kafka_healthy, topic, "killed", 4) < 120 and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        for p in second:
            p.stop_and_check()
    assert committed(kafka_healthy, topic, "killed", 4) == 120
    assert_pg_matches(dsn, traffic)


def test_apim_events_consumed_from_kafka(audit_env, kafka_healthy, postgres_server):
    topic = kafka_healthy.new_topic(partitions=2)
    traffic = publish(audit_env, kafka_healthy, topic, 6, format="apim")
    dsn = postgres_server.new_database()
    ingest = Ingest(ingest_config(kafka_healthy.bootstrap, topic, dsn, "apim"))
    try:
        assert wait_pg(dsn, CALLS_DONE, 6) == 6, ingest.log()[-3000:]
    finally:
        ingest.stop_and_check()
    rows = pg_rows(dsn, "SELECT format, event_type, body->>'message-id' FROM events")
    assert len(rows) == 12 and {r[0] for r in rows} == {"apim"}
    assert {r[1] for r in rows} == {"request", "response"}
    calls = pg_calls(dsn)
    assert set(calls) == set(traffic.message_ids)
    for mid, row in calls.items():
        assert {k: row[k] for k in traffic.usage[mid]} == traffic.usage[mid]
        assert row["model"] in ("gpt-4o", "gpt-4o-mini", "text-embedding-3-small"), row


def test_check_reads_the_ingest_section(tmp_path):
    good = tmp_path / "ingest.yaml"
    good.write_text("ingest:\n  from: { type: kafka, brokers: 127.0.0.1:9, topic: t, "
                    "group_id: g, properties: { fetch.max.bytes: '1048576' } }\n"
                    "  to: { type: postgres, dsn: 'postgresql://u:secret@127.0.0.1:1/db' }\n")
    r = subprocess.run([tollgate_bin(), "check", "--config", str(good)], capture_output=True,
                       text=True)
    assert r.returncode == 0, r.stderr

    bad = tmp_path / "bad.yaml"
    bad.write_text("ingest:\n  from: { type: kafka, brokers: 127.0.0.1:9, topic: t, group_id: g }"
                   "\n  to: { type: sqlite, dsn: x }\n  batch_events: 0\n")
    r = subprocess.run([tollgate_bin(), "check", "--config", str(bad)], capture_output=True,
                       text=True)
    assert r.returncode == 1
    assert f"{bad}:3:" in r.stderr and "ingest.to.type: must be postgres" in r.stderr
    assert f"{bad}:4:" in r.stderr and "ingest.batch_events: must be a whole number" in r.stderr

    for setting, problem in [("group: g", "'group': is not a setting"),
                             ("group_id: g, properties: { no.such.property: '1' }",
                              "no.such.property")]:
        bad.write_text("ingest:\n  from: { type: kafka, brokers: 127.0.0.1:9, topic: t, "
                       f"{setting} }}\n  to: {{ type: postgres, dsn: 'host=127.0.0.1' }}\n")
        r = subprocess.run([tollgate_bin(), "check", "--config", str(bad)], capture_output=True,
                           text=True)
        assert r.returncode == 1 and problem in r.stderr, r.stderr

    r = subprocess.run([tollgate_bin(), "ingest", "--config", str(good), "--from", "kafka",
                        "--to", "postgres", "--help"], capture_output=True, text=True)
    assert r.returncode == 0
    hub = tmp_path / "hub.yaml"
    hub.write_text("ingest:\n  from: { type: kafka, group_id: g, connection_string: "
                   "'Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=k' }\n"
                   "  to: { type: postgres, dsn: 'host=127.0.0.1 port=1' }\n")
    r = subprocess.run([tollgate_bin(), "check", "--config", str(hub)], capture_output=True,
                       text=True)
    assert r.returncode == 1 and "SharedAccessKey" in r.stderr
    assert "sb://ns" not in r.stderr  # the connection string is a secret


def test_database_outage_holds_the_offsets(audit_env, kafka_healthy, postgres_server):
    topic = kafka_healthy.new_topic(partitions=2)
    traffic = publish(audit_env, kafka_healthy, topic, 6)
    dsn = postgres_server.new_database()
    postgres_server.stop()
    ingest = Ingest(ingest_config(kafka_healthy.bootstrap, topic, dsn, "outage"))
    try:
        deadline = time.monotonic() + 60
        while "storing" not in ingest.log() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert "failed (attempt" in ingest.log(), ingest.log()[-2000:]
        assert committed(kafka_healthy, topic, "outage", 2) == 0  # nothing stored, nothing committed
    finally:
        postgres_server.start()
    try:
        assert wait_pg(dsn, CALLS_DONE, 6) == 6, ingest.log()[-3000:]
        log = ingest.log()
    finally:
        ingest.stop_and_check()
    assert_pg_matches(dsn, traffic)
    assert committed(kafka_healthy, topic, "outage", 2) == 12
    assert postgres_server.password not in log
