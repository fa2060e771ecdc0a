"""Fixtures that run the real binaries: `tollgate sim` as the upstream and `tollgate serve` in
front of it, both on 127.0.0.1 with ports chosen by the kernel.

TOLLGATE_BIN names the binary (default build/tollgate in the repository).
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Callable

import httpx
import pytest

# The real PostgreSQL and Kafka servers (postgres_server, kafka_broker fixtures).
pytest_plugins = ["services"]

REPO = Path(__file__).resolve().parents[2]
STARTUP_TIMEOUT_S = 60  # ASan builds start slowly on a busy 2-core machine
STOP_TIMEOUT_S = 30
LISTENING_RE = re.compile(r"^tollgate listening on (http://\S+)\s*$")

# Keys the gateway holds for its backends; tests check that these, and only these, reach the sim.
AZURE_BACKEND_KEY = "azure-backend-key-7f3a"
OPENAI_BACKEND_KEY = "openai-backend-key-91c2"  # given to the gateway through ${ENV}
CLIENT_KEY = "client-secret-key-do-not-forward"
SIM_REGION = "testregion"
API_VERSION = "2024-10-21"


def tollgate_bin() -> str:
    path = os.environ.get("TOLLGATE_BIN") or str(REPO / "build" / "tollgate")
    return str(Path(path).resolve())


def free_port() -> int:
    """A loopback port that nothing listens on (bound then closed)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# Long-lived processes (the session's sim and gateway), watched between tests so that a crash is
# blamed on the test that caused it, and the tests after it fail at once instead of timing out.
WATCHED: list["Process"] = []


class Process:
    """A tollgate subprocess that announced its URL on stdout."""

    died_in: str | None = None  # the test during which it exited unexpectedly

    def __init__(self, name: str, args: list[str], env: dict | None = None):
        self.name = name
        self.args = args
        self.log_path = Path(tempfile.mkstemp(prefix=f"tollgate-{name}-", suffix=".log")[1])
        self._log = open(self.log_path, "wb")
        full_env = dict(os.environ)
        if env:
            full_env.update(env)
        self.proc = subprocess.Popen(
            args,
            stdout=subprocess.PIPE,
            stderr=self._log,
            stdin=subprocess.DEVNULL,
            env=full_env,
            cwd=tempfile.gettempdir(),
        )
        self.stdout_lines: list[str] = []
        self.url: str | None = None
        announced = threading.Event()

        def read_stdout():
            for raw in self.proc.stdout:  # type: ignore[union-attr]
                line = raw.decode("utf-8", "replace")
                self.stdout_lines.append(line)
                m = LISTENING_RE.match(line)
                if m and self.url is None:
                    self.url = m.group(1)
                    announced.set()
            announced.set()

        self._reader = threading.Thread(target=read_stdout, daemon=True)
        self._reader.start()
        if not announced.wait(STARTUP_TIMEOUT_S) or self.url is None:
            self.kill()
            raise RuntimeError(
                f"{name} did not print 'tollgate listening on http://...' "
                f"(exit code {self.proc.poll()}); stdout={self.stdout_lines!r}\n"
                f"stderr:\n{self.stderr_tail()}"
            )
        m = re.match(r"http://([^:/]+):(\d+)", self.url)
        assert m, self.url
        self.host, self.port = m.group(1), int(m.group(2))

    def stderr_tail(self, n: int = 60) -> str:
        try:
            lines = self.log_path.read_text("utf-8", "replace").splitlines()
        except OSError:
            return ""
        return "\n".join(lines[-n:])

    def stderr_text(self) -> str:
        return self.log_path.read_text("utf-8", "replace")

    def alive(self) -> bool:
        return self.proc.poll() is None

    def terminate(self, timeout: float = STOP_TIMEOUT_S) -> int:
        """SIGTERM, wait; returns the exit code (kills and raises if it does not stop)."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.kill()
                raise RuntimeError(
                    f"{self.name} did not exit within {timeout}s of SIGTERM\n{self.stderr_tail()}"
                )
        self._reader.join(5)
        self._log.close()
        return self.proc.returncode

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)

    def stop_and_check(self):
        code = self.terminate()
        assert code == 0, (
            f"{self.name} exited with {code} after SIGTERM (expected 0); stderr tail:\n"
            f"{self.stderr_tail()}"
        )
        # Sanitizer reports make the exit code non-zero, but say so plainly if one slipped by.
        text = self.stderr_text()
        for marker in ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:"):
            assert marker not in text, f"{self.name}: sanitizer report in stderr:\n{text[-4000:]}"
        self.cleanup()

    def cleanup(self):
        """Removes the stderr log (kept when a check failed, for the post-mortem)."""
        try:
            self.log_path.unlink()
        except OSError:
            pass


class Sim(Process):
    def __init__(self, args_extra: list[str] | None = None, region: str = SIM_REGION):
        super().__init__(
            "sim",
            [tollgate_bin(), "sim", "--listen", "127.0.0.1:0", "--region", region,
             "--threads", "2", *(args_extra or [])],
        )
        self.http = httpx.Client(base_url=self.url, timeout=10)

    def stats(self) -> dict:
        r = self.http.get("/sim/stats")
        r.raise_for_status()
        return r.json()

    def requests(self) -> list[dict]:
        r = self.http.get("/sim/requests")
        r.raise_for_status()
        return r.json()

    def find_request(self, test_id: str, timeout: float = 5.0) -> dict:
        """The request the sim received carrying header x-test-id: test_id."""
        deadline = time.monotonic() + timeout
        while True:
            found = [r for r in self.requests()
                     if r.get("headers", {}).get("x-test-id") == test_id]
            if found:
                assert len(found) == 1, f"sim got {len(found)} requests with x-test-id {test_id}"
                return found[0]
            if time.monotonic() > deadline:
                raise AssertionError(f"the sim never saw a request with x-test-id {test_id}")
            time.sleep(0.05)

    def wait_stat(self, key: str, predicate: Callable[[int], bool], timeout: float = 10.0) -> int:
        deadline = time.monotonic() + timeout
        while True:
            value = self.stats()[key]
            if predicate(value):
                return value
            if time.monotonic() > deadline:
                return value
            time.sleep(0.05)

    def close(self):
        self.http.close()
        self.stop_and_check()


def gateway_config(sim: Sim, *, dead_port: int, server: str = "", extra_models: str = "") -> str:
    """The main test configuration: both backend kinds on the sim, plus a dead one and a slow one."""
    s = f"http://127.0.0.1:{sim.port}"
    return f"""\
# Written by tests/integration/conftest.py
listen: 127.0.0.1:0
server:
  threads: 2
{server}
log:
  level: info
  access_log: true
auth:
  mode: none
backends:
  sim-azure:
    kind: azure
    url: {s}
    api_key: {AZURE_BACKEND_KEY}
    api_version: {API_VERSION}
    connect_timeout_ms: 2000
    first_byte_timeout_ms: 20000
    idle_timeout_ms: 20000
  sim-openai:
    kind: openai
    url: "{s}/v1"
    api_key: "${{TOLLGATE_TEST_OPENAI_KEY}}"
    connect_timeout_ms: 2000
    first_byte_timeout_ms: 20000
    idle_timeout_ms: 20000
  sim-azure-nover:   # no api_version: the client's is kept
    kind: azure
    url: {s}
    api_key: {AZURE_BACKEND_KEY}
  dead:
    kind: openai
    url: http://127.0.0.1:{dead_port}/v1
    api_key: dead-key
    connect_timeout_ms: 1000
  slow:
    kind: azure
    url: {s}
    api_key: {AZURE_BACKEND_KEY}
    api_version: {API_VERSION}
    first_byte_timeout_ms: 400
    idle_timeout_ms: 400
models:
  gpt-4o:
    - {{ backend: sim-azure, deployment: gpt-4o-dep, priority: 1 }}
  gpt-4o-mini:
    - {{ backend: sim-openai, deployment: gpt-4o-mini-2024-07-18 }}
  gpt-4-turbo:
    - {{ backend: sim-azure-nover, deployment: gpt-4-turbo-dep }}
  gpt-3.5-turbo-instruct:
    - {{ backend: sim-openai, deployment: gpt-3.5-turbo-instruct }}
  text-embedding-3-small:
    - {{ backend: sim-openai, deployment: text-embedding-3-small }}
  text-embedding-3-large:
    - {{ backend: sim-azure, deployment: embedding-large-dep }}
  whisper-1:
    - {{ backend: sim-openai, deployment: whisper-1 }}
  whisper:
    - {{ backend: sim-azure, deployment: whisper-dep }}
  dead-model:
    - {{ backend: dead, deployment: dead-dep }}
  slow-model:
    - {{ backend: slow, deployment: slow-dep }}
{extra_models}
routing:   # each test injects its own faults: no cool-down or breaker carries one over to the next
  max_cooldown_ms: 0
  breaker: {{ failures: 0, ratio: 0 }}
audit:
  spool: ./data/spool
  sinks: []
"""


CONFIGURED_MODELS = {
    "gpt-4o", "gpt-4o-mini", "gpt-4-turbo", "gpt-3.5-turbo-instruct", "text-embedding-3-small",
    "text-embedding-3-large", "whisper-1", "whisper", "dead-model", "slow-model",
}


class Gateway(Process):
    def __init__(self, config_text: str, name: str = "gateway", env: dict | None = None):
        fd, path = tempfile.mkstemp(prefix="tollgate-config-", suffix=".yaml")
        with os.fdopen(fd, "w") as f:
            f.write(config_text)
        self.config_path = path
        super().__init__(
            name,
            [tollgate_bin(), "serve", "--config", path],
            env={"TOLLGATE_TEST_OPENAI_KEY": OPENAI_BACKEND_KEY, **(env or {})},
        )
        self.http = httpx.Client(base_url=self.url, timeout=30)

    @property
    def v1(self) -> str:
        return f"{self.url}/v1"

    def assert_serving(self):
        """The gateway still answers both a health check and a real call."""
        assert self.alive(), f"{self.name} died:\n{self.stderr_tail()}"
        r = self.http.get("/healthz")
        assert r.status_code == 200, r.text
        r = self.http.post("/v1/chat/completions", json={
            "model": "gpt-4o", "messages": [{"role": "user", "content": "echo:still here"}]})
        assert r.status_code == 200, r.text
        assert r.json()["choices"][0]["message"]["content"] == "still here"

    def close(self):
        self.http.close()
        self.stop_and_check()

    def cleanup(self):
        super().cleanup()
        try:
            os.unlink(self.config_path)
        except OSError:
            pass


@pytest.fixture(scope="session")
def sim():
    s = Sim()
    WATCHED.append(s)
    yield s
    WATCHED.remove(s)
    s.close()


@pytest.fixture(scope="session")
def dead_port():
    return free_port()


@pytest.fixture(scope="session")
def gateway(sim, dead_port):
    g = Gateway(gateway_config(sim, dead_port=dead_port))
    WATCHED.append(g)
    yield g
    WATCHED.remove(g)
    g.close()


@pytest.fixture(autouse=True)
def _watch_processes(request):
    """Fails fast when the sim or the gateway died in an earlier test, and blames the test
    during which one of them died."""
    needed = set(request.fixturenames)
    for p in WATCHED:
        if p.died_in and p.name in needed:
            pytest.fail(f"{p.name} died during {p.died_in} (exit code {p.proc.returncode}); "
                        f"stderr tail:\n{p.stderr_tail(30)}", pytrace=False)
    yield
    for p in WATCHED:
        if not p.died_in and not p.alive():
            p.died_in = request.node.nodeid
            pytest.fail(f"{p.name} exited with code {p.proc.returncode} during this test; "
                        f"stderr tail:\n{p.stderr_tail(60)}", pytrace=False)


@pytest.fixture
def start_gateway(sim, dead_port):
    """Factory for extra gateways (own limits, own lifetime); stopped after the test."""
    started: list[Gateway] = []

    def start(server: str = "", name: str = "gateway-extra", config: str | None = None) -> Gateway:
        """A gateway on the main test configuration (with `server` settings), or on `config`."""
        g = Gateway(config or gateway_config(sim, dead_port=dead_port, server=server), name=name)
        started.append(g)
        return g

    yield start
    for g in started:
        if g.proc.poll() is None:
            g.close()
        else:
            g.http.close()
            if g.proc.returncode == 0:
                g.cleanup()


@pytest.fixture
def test_id() -> str:
    """A marker for one test's upstream requests (sent as the x-test-id header)."""
    return str(uuid.uuid4())


@pytest.fixture(scope="session")
def openai_client(gateway):
    from openai import OpenAI
    return OpenAI(base_url=gateway.v1, api_key=CLIENT_KEY, max_retries=0, timeout=60)


@pytest.fixture(scope="session")
def azure_client(gateway):
    from openai import AzureOpenAI
    return AzureOpenAI(azure_endpoint=gateway.url, api_key=CLIENT_KEY, api_version=API_VERSION,
                       max_retries=0, timeout=60)


def assert_openai_error(resp: httpx.Response, status: int):
    """A gateway-made error: the status, JSON content and the OpenAI error shape."""
    assert resp.status_code == status, f"{resp.status_code} {resp.text[:500]}"
    assert resp.headers.get("content-type", "").startswith("application/json"), resp.headers
    body = resp.json()
    assert set(body) == {"error"}, body
    err = body["error"]
    assert {"message", "type", "param", "code"} <= set(err), err
    assert isinstance(err["message"], str) and err["message"], err
    assert isinstance(err["type"], str) and err["type"], err
    assert err["param"] is None or isinstance(err["param"], str), err
    assert err["code"] is None or isinstance(err["code"], (str, int)), err
    assert resp.headers.get("x-request-id"), resp.headers
    return err
