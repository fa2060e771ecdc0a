"""The command line: `tollgate check`, `--version`, and SIGTERM draining in-flight calls."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import threading
import time

import httpx
import pytest

from conftest import CLIENT_KEY, gateway_config, tollgate_bin


def run(*args: str, timeout: float = 30) -> subprocess.CompletedProcess:
    return subprocess.run([tollgate_bin(), *args], capture_output=True, text=True, timeout=timeout,
                          stdin=subprocess.DEVNULL)


def test_version():
    r = run("--version")
    assert r.returncode == 0, r.stderr
    assert re.fullmatch(r"tollgate \d+\.\d+\.\d+\S*\n?", r.stdout), r.stdout


@pytest.mark.parametrize("cmd", [[], ["serve"], ["check"], ["sim"]])
def test_help(cmd):
    r = run(*cmd, "--help")
    assert r.returncode == 0, r.stderr
    assert "usage" in (r.stdout + r.stderr).lower() or "--" in r.stdout


def test_check_good_config(tmp_path, sim, dead_port):
    path = tmp_path / "good.yaml"
    path.write_text(gateway_config(sim, dead_port=dead_port))
    r = subprocess.run([tollgate_bin(), "check", "--config", str(path)], capture_output=True,
                       text=True, timeout=30, env={**os.environ, "TOLLGATE_TEST_OPENAI_KEY": "x"})
    assert r.returncode == 0, r.stderr


GOOD_HEAD = """\
listen: 127.0.0.1:0
auth:
  mode: none
backends:
  a: { kind: azure, url: "http://127.0.0.1:9", api_key: k, api_version: 2024-10-21 }
"""

# (name, yaml text, the line (1-based) of the mistake, a word the message should contain)
BROKEN = [
    ("unknown backend", GOOD_HEAD + """\
models:
  gpt-4o:
    - { backend: a, deployment: d }
  gpt-4o-mini:
    - { backend: nope, deployment: d }
""", 10, "backend"),
    ("bad url", """\
listen: 127.0.0.1:0
backends:
  a: { kind: openai, url: "not a url" }
models:
  m:
    - { backend: a, deployment: d }
""", 3, "url"),
    ("bad url scheme", """\
listen: 127.0.0.1:0
backends:
  a:
    kind: openai
    url: ftp://127.0.0.1/v1
models:
  m:
    - { backend: a, deployment: d }
""", 5, "url"),
    ("wrong type", GOOD_HEAD + """\
server:
  threads: many
models:
  m:
    - { backend: a, deployment: d }
""", 7, "threads"),
    ("wrong kind", """\
listen: 127.0.0.1:0
backends:
  a: { kind: bedrock, url: "http://127.0.0.1:9" }
models:
  m:
    - { backend: a, deployment: d }
""", 3, "kind"),
    ("models not a map", GOOD_HEAD + """\
models: [1, 2]
""", 6, "models"),
    ("bad priority", GOOD_HEAD + """\
models:
  m:
    - { backend: a, deployment: d, priority: high }
""", 8, "priority"),
    ("bad listen", """\
listen: somewhere
backends:
  a: { kind: openai, url: "http://127.0.0.1:9/v1" }
models:
  m:
    - { backend: a, deployment: d }
""", 1, "listen"),
    ("yaml syntax", GOOD_HEAD + """\
models:
  m:
    - { backend: a, deployment: d
""", None, ""),
]


@pytest.mark.parametrize("name, text, line, word", BROKEN, ids=[b[0] for b in BROKEN])
def test_check_broken_config(tmp_path, name, text, line, word):
    path = tmp_path / "broken.yaml"
    path.write_text(text)
    r = run("check", "--config", str(path))
    assert r.returncode != 0, f"{name}: accepted\n{r.stdout}{r.stderr}"
    out = r.stderr + r.stdout
    if line is None:
        assert re.search(re.escape(str(path)) + r":\d+:", out), out
    else:
        assert f"{path}:{line}:" in out, f"{name}: expected '{path}:{line}:' in:\n{out}"
    assert word.lower() in out.lower(), out
    # serve refuses the same file, quickly and with the same explanation.
    s = run("serve", "--config", str(path))
    assert s.returncode != 0
    assert str(path) in s.stderr


def test_check_missing_file(tmp_path):
    r = run("check", "--config", str(tmp_path / "absent.yaml"))
    assert r.returncode != 0
    assert "absent.yaml" in r.stderr


def test_check_reports_every_mistake(tmp_path):
    path = tmp_path / "two.yaml"
    path.write_text(GOOD_HEAD + """\
models:
  m1:
    - { backend: nope1, deployment: d }
  m2:
    - { backend: nope2, deployment: d }
""")
    r = run("check", "--config", str(path))
    assert r.returncode != 0
    assert f"{path}:8:" in r.stderr and f"{path}:10:" in r.stderr, r.stderr


def test_env_interpolation_missing_variable(tmp_path):
    path = tmp_path / "env.yaml"
    path.write_text("""\
listen: 127.0.0.1:0
backends:
  a: { kind: openai, url: "http://127.0.0.1:9/v1", api_key: "${TOLLGATE_TEST_SURELY_UNSET_VAR}" }
models:
  m:
    - { backend: a, deployment: d }
""")
    r = run("check", "--config", str(path))
    assert r.returncode != 0
    assert "TOLLGATE_TEST_SURELY_UNSET_VAR" in r.stderr
    assert f"{path}:3:" in r.stderr


# --- SIGTERM drains -----------------------------------------------------------------------------

def test_sigterm_lets_in_flight_stream_finish(start_gateway):
    g = start_gateway(name="gateway-drain")
    from openai import OpenAI
    client = OpenAI(base_url=g.v1, api_key=CLIENT_KEY, max_retries=0, timeout=60)
    hdrs = {"x-sim-tokens": "30", "x-sim-token-delay-ms": "100"}  # about 3 s
    messages = [{"role": "user", "content": "A slow answer please"}]
    full = client.chat.completions.create(model="gpt-4o", messages=messages,
                                          extra_headers={"x-sim-tokens": "30"})
    want = full.choices[0].message.content

    first = threading.Event()
    result: dict = {}

    def consume():
        try:
            text = ""
            for chunk in client.chat.completions.create(model="gpt-4o", messages=messages,
                                                        stream=True, extra_headers=hdrs):
                if chunk.choices and chunk.choices[0].delta.content:
                    text += chunk.choices[0].delta.content
                    first.set()
            result["text"] = text
        except Exception as e:  # noqa: BLE001 - reported below
            result["error"] = repr(e)
        finally:
            first.set()

    t = threading.Thread(target=consume)
    t.start()
    assert first.wait(30)
    t0 = time.monotonic()
    g.proc.send_signal(signal.SIGTERM)

    # While draining (the stream still running), new connections are no longer served.
    refused_while_streaming = False
    deadline = time.monotonic() + 2
    while time.monotonic() < deadline and t.is_alive():
        try:
            httpx.get(f"{g.url}/healthz", timeout=1).raise_for_status()
        except httpx.HTTPError:
            refused_while_streaming = t.is_alive()
            break
        time.sleep(0.05)

    t.join(30)
    assert not t.is_alive()
    assert "error" not in result, result
    assert result["text"] == want
    assert refused_while_streaming, "the gateway kept accepting new calls after SIGTERM"
    code = g.proc.wait(30)
    assert code == 0, g.stderr_tail()
    assert time.monotonic() - t0 < 20


def test_sigterm_idle_exits_promptly(start_gateway):
    g = start_gateway(name="gateway-idle")
    g.http.get("/healthz")  # leaves an idle keep-alive connection open
    t0 = time.monotonic()
    g.proc.send_signal(signal.SIGTERM)
    assert g.proc.wait(15) == 0, g.stderr_tail()
    assert time.monotonic() - t0 < 5
    g.http.close()


def test_sigint_exits_zero(start_gateway):
    g = start_gateway(name="gateway-int")
    g.proc.send_signal(signal.SIGINT)
    assert g.proc.wait(15) == 0, g.stderr_tail()
    g.http.close()
