#!/usr/bin/env python3
"""Check what a full-audit benchmark run left in its sinks (bench/run.sh, tollgate-audit).

    audit_check.py counts DIR      quick counts while the gateway runs: "JSONL_LINES SQLITE_EVENTS SQLITE_CALLS"
    audit_check.py full DIR        after the sinks have drained: every event parsed, printed as key=value

DIR holds events.jsonl (and its rotated files events.jsonl.*) and tollgate.db. The full check
parses every JSONL line as JSON and pairs the events by message_id, so a sink that writes
garbage, drops one of a call's two events or loses bodies cannot pass for a fast audit.
"""
import glob
import json
import os
import sqlite3
import sys


def jsonl_files(d):
    # Rotated files are named <path>.<UTC time>[.NNNN] and sort in write order; the live file is last.
    rotated = sorted(glob.glob(os.path.join(d, "events.jsonl.*")))
    live = os.path.join(d, "events.jsonl")
    return rotated + ([live] if os.path.exists(live) else [])


def count_lines(path):
    n = 0
    with open(path, "rb") as f:
        while True:
            block = f.read(1 << 20)
            if not block:
                return n
            n += block.count(b"\n")


def sqlite_counts(d):
    path = os.path.join(d, "tollgate.db")
    if not os.path.exists(path):
        return 0, 0, 0
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)
        try:
            events = db.execute("SELECT count(*) FROM events").fetchone()[0]
            calls = db.execute("SELECT count(*) FROM calls").fetchone()[0]
            ok = db.execute(
                "SELECT count(*) FROM calls WHERE outcome = 'ok' AND usage_source = 'upstream' "
                "AND total_tokens IS NOT NULL").fetchone()[0]
        finally:
            db.close()
        return events, calls, ok
    except sqlite3.Error:
        return -1, -1, -1


def counts(d):
    # A rotation between listing the files and counting them would miscount: count until the
    # file list is the same before and after.
    for _ in range(5):
        files = jsonl_files(d)
        n = sum(count_lines(f) for f in files if os.path.exists(f))
        if jsonl_files(d) == files:
            break
    events, calls, _ = sqlite_counts(d)
    print(n, events, calls)


def full(d):
    c = dict(jsonl_files=0, jsonl_bytes=0, jsonl_lines=0, bad_json=0, requests=0, responses=0,
             ok=0, ok_with_body=0, ok_usage_upstream=0, aborted=0, other_outcome=0,
             paired=0, unpaired=0, duplicates=0)
    seen = {}  # message_id -> bit 1: request seen, bit 2: response seen
    for path in jsonl_files(d):
        c["jsonl_files"] += 1
        c["jsonl_bytes"] += os.path.getsize(path)
        with open(path, "rb") as f:
            for line in f:
                c["jsonl_lines"] += 1
                try:
                    ev = json.loads(line)
                    kind, mid = ev["event_type"], ev["message_id"]
                except (ValueError, KeyError, TypeError):
                    c["bad_json"] += 1
                    continue
                bit = 1 if kind == "request" else 2
                if seen.get(mid, 0) & bit:
                    c["duplicates"] += 1
                seen[mid] = seen.get(mid, 0) | bit
                if kind == "request":
                    c["requests"] += 1
                    continue
                c["responses"] += 1
                resp = ev.get("response") or {}
                outcome = resp.get("outcome")
                if outcome == "ok":
                    c["ok"] += 1
                    body = resp.get("body")
                    # bodies logged: the completion text is in the event (streams reassembled)
                    try:
                        text = body["choices"][0]["message"]["content"]
                    except (KeyError, IndexError, TypeError):
                        text = None
                    if isinstance(text, str) and text:
                        c["ok_with_body"] += 1
                    if (ev.get("usage") or {}).get("source") == "upstream":
                        c["ok_usage_upstream"] += 1
                elif outcome == "client_aborted":
                    c["aborted"] += 1
                else:
                    c["other_outcome"] += 1
    for bits in seen.values():
        if bits == 3:
            c["paired"] += 1
        else:
            c["unpaired"] += 1
    ev, calls, calls_ok = sqlite_counts(d)
    c["sqlite_events"], c["sqlite_calls"], c["sqlite_calls_ok"] = ev, calls, calls_ok
    print(" ".join(f"{k}={v}" for k, v in c.items()))


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in ("counts", "full"):
        print(__doc__, file=sys.stderr)
        return 2
    (counts if sys.argv[1] == "counts" else full)(sys.argv[2])
    return 0


if __name__ == "__main__":
    sys.exit(main())
