"""TLS to backends is always verified: a backend whose certificate chains to a trusted CA and
names the host works; one signed by an unknown CA, or valid for another name, is refused with
a 502 and never receives the call."""

from __future__ import annotations

import http.server
import json
import ssl
import threading
from pathlib import Path

import pytest

from conftest import Gateway, assert_openai_error
from tls_support import make_certificates


class Upstream(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    calls = 0

    def do_POST(self):
        self.rfile.read(int(self.headers.get("content-length", 0)))
        type(self).calls += 1
        body = json.dumps({"id": "chatcmpl-tls", "object": "chat.completion", "created": 0,
                           "model": "gpt-4o", "choices": [{"index": 0, "finish_reason": "stop",
                           "message": {"role": "assistant", "content": "over tls"}}]}).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def serve_tls(directory: Path, name: str):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Upstream)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(directory / f"{name}.pem", directory / f"{name}.key")
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture(scope="module")
def tls_gateway(tmp_path_factory):
    directory = tmp_path_factory.mktemp("tls")
    make_certificates(directory)
    local = serve_tls(directory, "local")
    other = serve_tls(directory, "other")
    ca = directory / "ca.pem"
    config = f"""listen: 127.0.0.1:0
server: {{ threads: 1 }}
log: {{ level: warn, access_log: false }}
backends:
  trusted:   {{ kind: openai, url: "https://localhost:{local.server_port}/v1", ca_file: "{ca}" }}
  by-ip:     {{ kind: openai, url: "https://127.0.0.1:{local.server_port}/v1", ca_file: "{ca}" }}
  unknown-ca: {{ kind: openai, url: "https://localhost:{local.server_port}/v1" }}
  wrong-name: {{ kind: openai, url: "https://localhost:{other.server_port}/v1", ca_file: "{ca}" }}
models:
  trusted:    [ {{ backend: trusted, deployment: gpt-4o }} ]
  by-ip:      [ {{ backend: by-ip, deployment: gpt-4o }} ]
  unknown-ca: [ {{ backend: unknown-ca, deployment: gpt-4o }} ]
  wrong-name: [ {{ backend: wrong-name, deployment: gpt-4o }} ]
"""
    gateway = Gateway(config, name="gateway-tls")
    yield gateway
    gateway.close()
    local.shutdown()
    other.shutdown()


def chat(gateway: Gateway, model: str):
    return gateway.http.post("/v1/chat/completions",
                             json={"model": model, "messages": [{"role": "user", "content": "hi"}]})


@pytest.mark.parametrize("model", ["trusted", "by-ip"])
def test_verified_backend_serves(tls_gateway, model):
    r = chat(tls_gateway, model)
    assert r.status_code == 200, r.text
    assert r.json()["choices"][0]["message"]["content"] == "over tls"


@pytest.mark.parametrize("model", ["unknown-ca", "wrong-name"])
def test_unverifiable_backend_is_refused(tls_gateway, model):
    before = Upstream.calls
    r = chat(tls_gateway, model)
    assert_openai_error(r, 502)
    assert "certificate verify failed" in r.json()["error"]["message"]
    assert Upstream.calls == before, "the call reached a backend that failed verification"
