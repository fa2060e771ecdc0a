"""The postgres sink against a real PostgreSQL 15 server: the gateway creates the schema, the
`calls` table matches the traffic (the client's usage, summed) and the SQLite store's columns,
a redelivery of every event changes nothing, and a database outage only delays delivery."""

from __future__ import annotations

import datetime

from analytics_support import (assert_pg_matches, make_traffic, pg_calls, pg_rows, wait_pg)
from audit_support import audit_env, jsonl_events, sqlite_calls  # noqa: F401  (fixture)

CALLS_DONE = "SELECT count(*) FROM calls WHERE response_time IS NOT NULL AND request_time IS NOT NULL"


def audit(env, dsn: str, *, pg_name: str = "postgres", extra: list | None = None) -> dict:
    return {"spool": str(env.root / "spool"),
            "sinks": [{"type": "postgres", "name": pg_name, "dsn": dsn}, *(extra or [])]}


def as_sqlite(value):
    """A PostgreSQL value as the SQLite store holds the same field."""
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    if isinstance(value, bool):
        return int(value)
    if hasattr(value, "is_finite"):  # Decimal
        return float(value)
    return value


def test_schema_created_and_calls_match_the_traffic_and_sqlite(audit_env, postgres_server):
    env = audit_env
    dsn = postgres_server.new_database()
    out = env.root / "out"
    g = env.start(audit(env, dsn, extra=[{"type": "sqlite", "path": str(out / "audit.db")},
                                          {"type": "jsonl", "path": str(out / "events.jsonl")}]))
    traffic = make_traffic(g.url, 12, tag="pg")
    assert wait_pg(dsn, CALLS_DONE, 12) == 12
    log = g.stderr_text()
    env.stop(g)

    assert pg_rows(dsn, "SELECT version FROM tollgate_schema_version") == [(1,)]
    assert_pg_matches(dsn, traffic)

    # The same column names as the SQLite store, with the same values.
    lite = sqlite_calls(out / "audit.db")
    pg = pg_calls(dsn)
    some = next(iter(lite.values()))
    assert list(next(iter(pg.values()))) == list(some)
    for mid, row in lite.items():
        assert {k: as_sqlite(v) for k, v in pg[mid].items()} == row, mid
    types = dict(pg_rows(dsn, "SELECT column_name, data_type FROM information_schema.columns "
                              "WHERE table_name = 'calls'"))
    assert types["request_time"] == "timestamp with time zone"
    assert types["total_tokens"] == "bigint" and types["cost_amount"] == "numeric"

    # The raw events, as jsonb, equal the events the jsonl sink wrote.
    stored = {e: b for e, b in pg_rows(dsn, "SELECT event_id, body FROM events")}
    written = jsonl_events(out / "events.jsonl")
    assert len(stored) == len(written) == 24
    for event in written:
        assert stored[event["event_id"]] == event

    # The connection string carries a password, which no log line shows.
    assert postgres_server.password not in log


def test_redelivery_changes_nothing(audit_env, postgres_server):
    env = audit_env
    dsn = postgres_server.new_database()
    g = env.start(audit(env, dsn))
    traffic = make_traffic(g.url, 6, tag="redeliver")
    assert wait_pg(dsn, CALLS_DONE, 6) == 6
    env.stop(g)
    before = (pg_calls(dsn), pg_rows(dsn, "SELECT event_id, part, body FROM events ORDER BY 1"))

    # A second sink on the same spool starts at its oldest record: every event again.
    g = env.start(audit(env, dsn, pg_name="postgres-again"))
    assert wait_pg(dsn, "SELECT count(*) FROM events", 12) == 12
    env.stop(g)  # the gateway drains its sinks before it exits
    after = (pg_calls(dsn), pg_rows(dsn, "SELECT event_id, part, body FROM events ORDER BY 1"))
    assert after == before
    assert_pg_matches(dsn, traffic)


def test_split_events_are_joined_and_apim_events_kept(audit_env, postgres_server):
    env = audit_env
    dsn = postgres_server.new_database()
    g = env.start({"spool": str(env.root / "spool"), "sinks": [
        {"type": "postgres", "dsn": dsn, "max_event_bytes": 2048, "oversize": "split"}]})
    traffic = make_traffic(g.url, 3, tag="x" * 3000)
    assert wait_pg(dsn, CALLS_DONE, 3) == 3
    env.stop(g)
    stored_calls = pg_calls(dsn)
    for mid in traffic.message_ids:
        row = stored_calls[mid]
        assert {k: row[k] for k in traffic.usage[mid]} == traffic.usage[mid]
    parts = pg_rows(dsn, "SELECT count(*) FROM events WHERE part > 0 AND time IS NOT NULL")[0][0]
    assert parts > 6, "the large events were not split"

    dsn2 = postgres_server.new_database()
    g = env.start({"spool": str(env.root / "spool2"),
                   "sinks": [{"type": "postgres", "dsn": dsn2, "format": "apim"}]})
    traffic = make_traffic(g.url, 3, tag="apim")
    assert wait_pg(dsn2, CALLS_DONE, 3) == 3
    env.stop(g)
    events = pg_rows(dsn2, "SELECT event_id, format, body FROM events")
    assert len(events) == 6 and {f for _, f, _ in events} == {"apim"}
    assert all(b["message-id"] in traffic.message_ids for _, _, b in events)
    for mid, row in pg_calls(dsn2).items():
        assert {k: row[k] for k in traffic.usage[mid]} == traffic.usage[mid]


def test_database_outage_only_delays_delivery(audit_env, postgres_server):
    env = audit_env
    dsn = postgres_server.new_database()
    g = env.start(audit(env, dsn))
    traffic = make_traffic(g.url, 3, tag="before")
    assert wait_pg(dsn, CALLS_DONE, 3) == 3
    postgres_server.stop()
    try:
        traffic.extend(make_traffic(g.url, 6, tag="during"))  # the gateway keeps serving
    finally:
        postgres_server.start()
    assert wait_pg(dsn, CALLS_DONE, 9) == 9
    log = g.stderr_text()
    env.stop(g)
    assert_pg_matches(dsn, traffic)
    assert "cannot store events in PostgreSQL" in log  # the outage was seen, and retried
    assert postgres_server.password not in log
