"""The kafka sink against a real Apache Kafka broker: events keyed by message id (both events
of a call on one partition, request first), equal to what the other sinks record; two gateways
on one topic; and a broker killed under load and brought back — the spool holds the events,
every one arrives, and after ingest none is twice in PostgreSQL."""

from __future__ import annotations

import json
import threading

from analytics_support import (Ingest, Traffic, assert_pg_matches, consume_all, end_offsets,
                               ingest_config, kafka_sink, make_traffic, wait_pg)
from audit_support import assert_paired, audit_env, jsonl_events  # noqa: F401  (fixture)

CALLS_DONE = "SELECT count(*) FROM calls WHERE response_time IS NOT NULL AND request_time IS NOT NULL"


def test_events_keyed_by_message_id_in_order_on_one_partition(audit_env, kafka_healthy):
    env = audit_env
    topic = kafka_healthy.new_topic(partitions=4)
    out = env.root / "events.jsonl"
    g = env.start({"spool": str(env.root / "spool"), "sinks": [
        kafka_sink(kafka_healthy.bootstrap, topic), {"type": "jsonl", "path": str(out)}]})
    traffic = make_traffic(g.url, 12, tag="keys")
    messages = consume_all(kafka_healthy.bootstrap, topic, 24)
    env.stop(g)

    events = [json.loads(m.value()) for m in messages]
    assert_paired(events, traffic.message_ids)
    assert sorted(events, key=lambda e: e["event_id"]) == sorted(
        jsonl_events(out), key=lambda e: e["event_id"])
    placed: dict[str, list] = {}
    for m, e in zip(messages, events):
        assert m.key().decode() == e["message_id"]
        placed.setdefault(e["message_id"], []).append((m.partition(), m.offset(), e["event_type"]))
    for mid, where in placed.items():
        assert len({p for p, _, _ in where}) == 1, f"{mid}: events on several partitions"
        assert [t for _, _, t in sorted(where)] == ["request", "response"], where
    assert len({m.partition() for m in messages}) > 1, "every call on one partition"


def test_app_id_key_falls_back_to_the_message_id(audit_env, kafka_healthy):
    env = audit_env
    topic = kafka_healthy.new_topic(partitions=2)
    g = env.start({"spool": str(env.root / "spool"), "sinks": [
        kafka_sink(kafka_healthy.bootstrap, topic, key="app_id", compression="zstd")]})
    traffic = make_traffic(g.url, 2, tag="appkey")
    messages = consume_all(kafka_healthy.bootstrap, topic, 4)
    env.stop(g)
    # Without authentication, calls have no app_id: the message id keeps a call together.
    assert sorted(m.key().decode() for m in messages) == sorted(traffic.message_ids * 2)


def test_two_gateways_publish_to_one_topic(audit_env, kafka_healthy, postgres_server):
    env = audit_env
    topic = kafka_healthy.new_topic(partitions=4)
    gateways = [env.start({"spool": str(env.root / f"spool-{i}"),
                           "sinks": [kafka_sink(kafka_healthy.bootstrap, topic)]},
                          name=f"gateway-{i}") for i in range(2)]
    traffic = Traffic()
    for i, g in enumerate(gateways):
        traffic.extend(make_traffic(g.url, 9, tag=f"gw{i}"))
    messages = consume_all(kafka_healthy.bootstrap, topic, 36)
    instances = {json.loads(m.value())["gateway"]["instance"] for m in messages}
    assert len(instances) == 2, instances
    assert_paired([json.loads(m.value()) for m in messages], traffic.message_ids)

    dsn = postgres_server.new_database()
    ingest = Ingest(ingest_config(kafka_healthy.bootstrap, topic, dsn, "two-gw"))
    try:
        assert wait_pg(dsn, CALLS_DONE, 18) == 18, ingest.log()[-3000:]
    finally:
        ingest.stop_and_check()
    for g in gateways:
        env.stop(g)
    assert_pg_matches(dsn, traffic)


def test_broker_killed_under_load_loses_nothing(audit_env, kafka_healthy, postgres_server):
    env = audit_env
    broker = kafka_healthy
    topic = broker.new_topic(partitions=3)
    g = env.start({"spool": str(env.root / "spool"), "sinks": [
        kafka_sink(broker.bootstrap, topic, delivery_timeout_ms="3000", linger_ms="20")]})
    traffic = make_traffic(g.url, 6, tag="before")
    assert len(consume_all(broker.bootstrap, topic, 12)) >= 12

    # Load from a second thread while the broker goes away and comes back.
    during = Traffic()
    errors: list[BaseException] = []
    broker_down = threading.Event()

    def load():
        try:
            during.extend(make_traffic(g.url, 6, tag="load-a"))
            broker_down.wait(60)
            during.extend(make_traffic(g.url, 12, tag="load-b"))  # the broker is gone
        except BaseException as e:  # noqa: BLE001 (reported by the test)
            errors.append(e)
            broker_down.set()

    worker = threading.Thread(target=load)
    worker.start()
    try:
        broker.kill()
        broker_down.set()
        worker.join(120)
        assert not worker.is_alive() and not errors, errors
        # The gateway kept serving, and its sink kept failing: the spool holds the events.
        assert g.alive()
    finally:
        broker_down.set()
        broker.start()
    traffic.extend(during)
    messages = consume_all(broker.bootstrap, topic, 2 * len(traffic.message_ids), timeout=120)
    ids = {json.loads(m.value())["event_id"] for m in messages}
    assert len(ids) == 2 * len(traffic.message_ids), "events went missing"
    log = g.stderr_text()
    env.stop(g)
    assert "sink=kafka delivery of" in log  # the outage was seen, and retried

    # At-least-once to Kafka; exactly once in PostgreSQL.
    assert end_offsets(broker.bootstrap, topic, 3) >= 2 * len(traffic.message_ids)
    dsn = postgres_server.new_database()
    ingest = Ingest(ingest_config(broker.bootstrap, topic, dsn, "after-outage"))
    try:
        assert wait_pg(dsn, CALLS_DONE, len(traffic.message_ids)) == len(traffic.message_ids)
    finally:
        ingest.stop_and_check()
    assert_pg_matches(dsn, traffic)
