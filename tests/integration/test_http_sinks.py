"""The http and eventhubs_http sinks against loopback servers written here:

- http: NDJSON batches POSTed to a webhook that first fails with 503s and 500s; the sink retries,
  the worker offers failed batches again, and in the end every event the jsonl sink recorded
  has arrived (at least once; exactly once after deduplication on event_id), with the
  configured Authorization header, which the gateway never logs.
- eventhubs_http: Event Hubs REST batch sends over verified TLS (the fixture's own CA), whose
  SAS signature the fixture checks on its own with hmac/hashlib: a sink signing with the right
  key gets 201 and delivers every event; one signing with a wrong key gets 401 and delivers
  nothing, and neither key nor token appears in the gateway's log."""

from __future__ import annotations

import base64
import hashlib
import hmac
import http.server
import json
import os
import ssl
import subprocess
import threading
import time
import urllib.parse
from collections import Counter
from pathlib import Path

import httpx
import pytest

from audit_support import audit_env, jsonl_events  # noqa: F401  (audit_env is a fixture)
from conftest import OPENAI_BACKEND_KEY, Gateway, tollgate_bin
from test_tls import make_certificates

WEBHOOK_TOKEN = "webhook-token-5e1d-never-log-me"
NAMESPACE = "contoso-audit"
HUB = "tollgate-events"
KEY_NAME = "send-only"
KEY = "U2VjcmV0S2V5Rm9yVGVzdHM+Pz8/dG9sbGdhdGU="
WRONG_KEY = "V3JvbmdLZXlGb3JUZXN0cz4/Pz90b2xsZ2F0ZQ=="


def connection_string(key: str) -> str:
    return (f"Endpoint=sb://{NAMESPACE}.servicebus.windows.net/;SharedAccessKeyName={KEY_NAME};"
            f"SharedAccessKey={key};EntityPath={HUB}")


class Recorder(http.server.ThreadingHTTPServer):
    """A loopback server that records every request and answers through `decide`."""

    daemon_threads = True

    def __init__(self, decide):
        self.decide = decide  # (handler, body) -> (status, events delivered by the request)
        self.requests: list[dict] = []
        self.delivered: list[dict] = []  # events of the requests answered with success
        self.lock = threading.Lock()
        super().__init__(("127.0.0.1", 0), Handler)

    @property
    def port(self) -> int:
        return self.server_address[1]

    def start(self):
        threading.Thread(target=self.serve_forever, daemon=True).start()
        return self

    def start_tls(self, certificates: Path):
        """Serves HTTPS with the certificate make_certificates made for localhost/127.0.0.1."""
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(certificates / "local.pem", certificates / "local.key")
        self.socket = context.wrap_socket(self.socket, server_side=True)
        return self.start()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("content-length", 0)))
        server: Recorder = self.server  # type: ignore[assignment]
        status, events = server.decide(self, body)
        with server.lock:
            server.requests.append({"path": self.path, "headers": dict(self.headers),
                                    "body": body, "status": status})
            if 200 <= status < 300:
                server.delivered.extend(events)
        answer = b"" if status < 300 else json.dumps({"error": f"status {status}"}).encode()
        self.send_response(status)
        self.send_header("content-length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args):
        pass


def make_calls(g: Gateway, n: int) -> list[str]:
    mids = []
    for i in range(n):
        r = httpx.post(f"{g.v1}/chat/completions", timeout=30, json={
            "model": "gpt-4o-mini",
            "messages": [{"role": "user", "content": f"call {i}: " + "some words " * (i * 5)}]})
        assert r.status_code == 200, r.text
        mids.append(r.headers["x-request-id"])
    return mids


def stop_and_read_log(env, g: Gateway) -> str:
    """SIGTERM (the sinks drain), exit code 0, and the gateway's stderr."""
    code = g.terminate()
    text = g.stderr_text()
    assert code == 0, text[-3000:]
    g.http.close()
    g.cleanup()
    return text


def assert_each_event_once(delivered: list[dict], reference: list[dict]):
    """Every reference event arrived, unchanged, and nothing else; repeats (at-least-once
    delivery) are removed by event_id first."""
    by_id = {}
    for e in delivered:
        if e["event_id"] in by_id:
            assert by_id[e["event_id"]] == e, "a repeated event changed"
        by_id[e["event_id"]] = e
    assert by_id == {e["event_id"]: e for e in reference}


def test_http_sink_retries_until_every_event_arrives(audit_env, monkeypatch):
    env = audit_env
    failures = [503, 500, 503, 500, 503]  # the first five requests fail

    def decide(handler, body):
        with lock:
            status = failures.pop(0) if failures else 200
        return status, [json.loads(line) for line in body.decode().splitlines()]
    lock = threading.Lock()
    server = Recorder(decide).start()
    monkeypatch.setenv("TOLLGATE_TEST_WEBHOOK_TOKEN", WEBHOOK_TOKEN)
    out = env.root / "out"
    g = env.start({"spool": str(env.root / "spool"), "sinks": [
        {"type": "jsonl", "path": str(out / "events.jsonl")},
        {"type": "http", "name": "webhook",
         "url": f"http://127.0.0.1:{server.port}/ingest?source=tollgate",
         "headers": {"Authorization": "Bearer ${TOLLGATE_TEST_WEBHOOK_TOKEN}",
                     "X-Source": "tollgate-test"},
         "retries": 1, "backoff_ms": 10, "max_batch_bytes": 4096}]})
    mids = make_calls(g, 12)
    # Poll (bounded) until the webhook holds both events of every call.
    deadline = time.monotonic() + 30
    while {e["message_id"] for e in server.delivered} != set(mids) or \
            len({e["event_id"] for e in server.delivered}) < 2 * len(mids):
        assert time.monotonic() < deadline, f"{len(server.delivered)} events delivered"
        time.sleep(0.05)
    log = stop_and_read_log(env, g)
    server.shutdown()

    assert_each_event_once(server.delivered, jsonl_events(out / "events.jsonl"))
    statuses = Counter(r["status"] for r in server.requests)
    assert statuses[503] == 3 and statuses[500] == 2, statuses
    for r in server.requests:
        assert r["path"] == "/ingest?source=tollgate"
        headers = {k.lower(): v for k, v in r["headers"].items()}
        assert headers["content-type"] == "application/x-ndjson"
        assert headers["authorization"] == f"Bearer {WEBHOOK_TOKEN}"
        assert headers["x-source"] == "tollgate-test"
        assert r["body"].endswith(b"\n")
        # Batches are cut to max_batch_bytes, unless one event alone is larger.
        assert len(r["body"]) <= 4096 or r["body"].count(b"\n") == 1
    assert sum(1 for r in server.requests if r["status"] == 200) > 1, "never cut into batches"
    # The failures were reported, without the secret.
    assert "sink=webhook delivery of" in log and "failed (2 tries): HTTP 50" in log, log
    assert WEBHOOK_TOKEN not in log


def test_http_sink_over_verified_tls(audit_env, tmp_path):
    """An https webhook signed by a private CA: trusted with ca_file, refused without it."""
    make_certificates(tmp_path)
    server = Recorder(lambda handler, body: (
        200, [json.loads(line) for line in body.decode().splitlines()])).start_tls(tmp_path)
    env = audit_env
    out = env.root / "out"
    g = env.start({"spool": str(env.root / "spool"), "sinks": [
        {"type": "jsonl", "path": str(out / "events.jsonl")},
        {"type": "http", "name": "trusting", "url": f"https://localhost:{server.port}/in",
         "ca_file": str(tmp_path / "ca.pem")},
        {"type": "http", "name": "untrusting", "url": f"https://localhost:{server.port}/bad",
         "retries": 0}]}, server="  drain_timeout_ms: 2000")
    mids = make_calls(g, 3)
    deadline = time.monotonic() + 30
    while {e["message_id"] for e in server.delivered} != set(mids) or \
            len(server.delivered) < 2 * len(mids):
        assert time.monotonic() < deadline, f"{len(server.delivered)} events delivered"
        time.sleep(0.05)
    log = stop_and_read_log(env, g)
    server.shutdown()
    assert_each_event_once(server.delivered, jsonl_events(out / "events.jsonl"))
    assert {r["path"] for r in server.requests} == {"/in"}, "the untrusting sink got through"
    assert "sink=untrusting delivery of" in log and "certificate verify failed" in log


def sas_status(handler) -> int:
    """201 if the request carries a valid SAS token for the hub, else 401: checked here with
    hmac/hashlib, as Event Hubs does."""
    auth = handler.headers.get("authorization", "")
    prefix = "SharedAccessSignature "
    if not auth.startswith(prefix):
        return 401
    fields = dict(part.split("=", 1) for part in auth[len(prefix):].split("&"))
    resource = urllib.parse.quote(f"https://{NAMESPACE}.servicebus.windows.net/{HUB}", safe="")
    if fields.get("sr") != resource or fields.get("skn") != KEY_NAME:
        return 401
    se = fields.get("se", "")
    if not se.isdigit() or int(se) < time.time():
        return 401
    digest = hmac.new(KEY.encode(), f"{fields['sr']}\n{se}".encode(), hashlib.sha256).digest()
    expected = urllib.parse.quote(base64.b64encode(digest).decode(), safe="")
    return 201 if hmac.compare_digest(fields.get("sig", ""), expected) else 401


def test_eventhubs_sink_signs_batches_the_hub_accepts(audit_env, tmp_path):
    make_certificates(tmp_path)

    def decide(handler, body):
        url = urllib.parse.urlsplit(handler.path)
        if url.path != f"/{HUB}/messages" or \
                urllib.parse.parse_qs(url.query).get("api-version") != ["2014-01"] or \
                handler.headers.get("content-type") != "application/vnd.microsoft.servicebus.json":
            return 400, []
        status = sas_status(handler)
        entries = json.loads(body)
        assert isinstance(entries, list) and all(set(e) == {"Body"} for e in entries)
        return status, [json.loads(e["Body"]) for e in entries]

    server = Recorder(decide).start_tls(tmp_path)
    env = audit_env
    out = env.root / "out"
    common = {"type": "eventhubs_http", "endpoint": f"https://127.0.0.1:{server.port}",
              "ca_file": str(tmp_path / "ca.pem"), "max_event_bytes": 8192,
              "oversize": "split", "max_batch_bytes": 20000, "backoff_ms": 10}
    g = env.start({"spool": str(env.root / "spool"), "sinks": [
        {"type": "jsonl", "path": str(out / "events.jsonl"), "max_event_bytes": 8192,
         "oversize": "split"},
        {**common, "name": "hub", "connection_string": connection_string(KEY)},
        {**common, "name": "wrong-key", "connection_string": connection_string(WRONG_KEY),
         "retries": 0}]}, server="  drain_timeout_ms: 2000")
    mids = make_calls(g, 10)
    deadline = time.monotonic() + 30
    while len({e["event_id"] for e in server.delivered}) < 2 * len(mids) or \
            not any(r["status"] == 401 for r in server.requests):
        assert time.monotonic() < deadline, f"{len(server.delivered)} events delivered"
        time.sleep(0.05)
    log = stop_and_read_log(env, g)
    server.shutdown()

    reference = jsonl_events(out / "events.jsonl")
    assert {e["message_id"] for e in reference} == set(mids)
    assert_each_event_once(server.delivered, reference)
    accepted = [r for r in server.requests if r["status"] == 201]
    refused = [r for r in server.requests if r["status"] == 401]
    assert len(accepted) > 1, "events were never batched into several requests"
    assert all(len(r["body"]) <= 20000 for r in accepted)
    assert refused and all(r["status"] in (201, 401) for r in server.requests)
    assert "sink=wrong-key delivery of" in log and "HTTP 401" in log
    for secret in (KEY, WRONG_KEY, "SharedAccessSignature", "sig="):
        assert secret not in log, secret


def test_check_reports_http_sink_mistakes(audit_env, tmp_path):
    """`tollgate check` reads the HTTP sinks' settings as the gateway would, without
    connecting, and never shows the connection string's key."""
    config = tmp_path / "bad.yaml"
    config.write_text(audit_env.config({"spool": str(tmp_path / "spool"), "sinks": [
        {"type": "http", "url": "ftp://logs.example.com/"},
        {"type": "http", "name": "hooked", "url": "https://logs.example.com/",
         "headers": {"Content-Length": "1"}},
        {"type": "eventhubs_http", "connection_string": connection_string(KEY)}]}))
    r = subprocess.run([tollgate_bin(), "check", "--config", str(config)], capture_output=True,
                       text=True, timeout=30,
                       env={**os.environ, "TOLLGATE_TEST_OPENAI_KEY": OPENAI_BACKEND_KEY})
    assert r.returncode == 1
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 3, r.stderr
    assert "http sink: setting 'url': must be an absolute http:// or https:// URL" in lines[0]
    assert "http sink 'hooked': setting 'headers.Content-Length': is set by the sink" in lines[1]
    assert "eventhubs_http sink: setting 'max_event_bytes': must be at most 499993" in lines[2]
    assert KEY not in r.stderr
