"""The real servers the analytics tests run against, started by the test run itself on loopback
ports chosen by the kernel, once per pytest session, and stopped at its end:

- `postgres_server`: a PostgreSQL 15 server (Debian's postgresql-15) in a temporary data
  directory, run as the `postgres` user (initdb refuses root). Password authentication over
  TCP only. `postgres_server.dsn` is a libpq URI for the superuser; `new_database()` makes an
  empty database for one test and returns its URI.
- `kafka_broker`: an Apache Kafka broker, one node in KRaft mode (broker and controller),
  from Apache's jars on Maven Central (tests/services/kafka/pom.xml, resolved by
  scripts/setup.sh), run with the machine's Java. `kafka_broker.bootstrap` is HOST:PORT;
  `new_topic(partitions)` creates a topic for one test; `kill()` and `start()` let a test take
  the broker away and bring it back (same port, same data).

Run as a script, a server stays up in the foreground until SIGTERM or Ctrl-C (bench/ uses this):
    python tests/integration/services.py postgres|kafka
prints `POSTGRES_DSN=...` or `KAFKA_BOOTSTRAP=...` once the server answers.
"""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
KAFKA_POM = REPO / "tests" / "services" / "kafka" / "pom.xml"
KAFKA_LIB = REPO / "tests" / "services" / "kafka" / "target" / "lib"
PG_BIN = Path("/usr/lib/postgresql/15/bin")
START_TIMEOUT_S = 120  # a JVM on a busy 2-core machine (with ASan tests beside it) is slow


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _tail(path: Path, n: int = 40) -> str:
    try:
        return "\n".join(path.read_text("utf-8", "replace").splitlines()[-n:])
    except OSError:
        return ""


# ---------------------------------------------------------------------------------------------
# PostgreSQL


class PostgresServer:
    USER = "tollgate"

    def __init__(self):
        self.password = "pg-" + uuid.uuid4().hex  # tests check it never reaches a log
        self.port = _free_port()
        self.root = Path(tempfile.mkdtemp(prefix="tollgate-pg-"))
        self.data = self.root / "data"
        self.log = self.root / "server.log"
        self._as_postgres = os.geteuid() == 0
        if self._as_postgres:
            # The server runs as `postgres`, which must own its directory.
            pw = pwd.getpwnam("postgres")
            os.chown(self.root, pw.pw_uid, pw.pw_gid)
        pwfile = self.root / "pwfile"
        pwfile.write_text(self.password + "\n")
        if self._as_postgres:
            os.chown(pwfile, pwd.getpwnam("postgres").pw_uid, -1)
        self._run([str(PG_BIN / "initdb"), "-D", str(self.data), "-U", self.USER,
                   f"--pwfile={pwfile}", "--auth=scram-sha-256", "-E", "UTF8",
                   "--locale=C.UTF-8", "--no-instructions"])
        pwfile.unlink()
        # A test server: durability is the tests' own business (they never power-cut it), so
        # commits need not wait for the disk.
        with open(self.data / "postgresql.conf", "a") as conf:
            conf.write(f"\nlisten_addresses = '127.0.0.1'\nport = {self.port}\n"
                       "unix_socket_directories = ''\nfsync = off\nsynchronous_commit = off\n"
                       "full_page_writes = off\nmax_connections = 200\n")
        self.start()

    def _run(self, args: list[str]):
        if self._as_postgres:
            args = ["runuser", "-u", "postgres", "--", *args]
        r = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           stdin=subprocess.DEVNULL, cwd=self.root, timeout=START_TIMEOUT_S)
        if r.returncode != 0:
            raise RuntimeError(f"{' '.join(args)} failed ({r.returncode}):\n"
                               f"{r.stdout.decode(errors='replace')}\n{_tail(self.log)}")

    def start(self):
        self._run([str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-w",
                   "-t", str(START_TIMEOUT_S), "start"])

    def stop(self):
        self._run([str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop"])

    def close(self):
        try:
            self.stop()
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    def uri(self, database: str = "postgres") -> str:
        return (f"postgresql://{self.USER}:{self.password}@127.0.0.1:{self.port}/{database}"
                "?connect_timeout=10")

    @property
    def dsn(self) -> str:
        return self.uri()

    def connect(self, database: str = "postgres", **kw):
        import psycopg
        return psycopg.connect(self.uri(database), autocommit=True, **kw)

    def new_database(self) -> str:
        """An empty database of its own for one test; returns its URI."""
        name = "t_" + uuid.uuid4().hex[:16]
        with self.connect() as con:
            con.execute(f'CREATE DATABASE "{name}"')
        return self.uri(name)


# ---------------------------------------------------------------------------------------------
# Kafka


class KafkaBroker:
    def __init__(self):
        if not KAFKA_LIB.is_dir():
            raise RuntimeError(f"{KAFKA_LIB} is missing: run scripts/setup.sh (it resolves "
                               f"the broker's jars with mvn from {KAFKA_POM})")
        self.port = _free_port()
        self.controller_port = _free_port()
        self.root = Path(tempfile.mkdtemp(prefix="tollgate-kafka-"))
        self.log = self.root / "broker.log"
        self.config = self.root / "server.properties"
        self.config.write_text(f"""\
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:{self.controller_port}
listeners=PLAINTEXT://127.0.0.1:{self.port},CONTROLLER://127.0.0.1:{self.controller_port}
advertised.listeners=PLAINTEXT://127.0.0.1:{self.port}
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs={self.root / "data"}
num.partitions=4
auto.create.topics.enable=true
offsets.topic.replication.factor=1
offsets.topic.num.partitions=4
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
log.flush.interval.messages=9223372036854775807
""")
        (self.root / "log4j2.properties").write_text(
            "rootLogger.level=WARN\nrootLogger.appenderRef.stdout.ref=STDOUT\n"
            "appender.stdout.type=Console\nappender.stdout.name=STDOUT\n"
            "appender.stdout.layout.type=PatternLayout\n"
            "appender.stdout.layout.pattern=[%d] %p %m (%c)%n\n")
        self.proc: subprocess.Popen | None = None
        r = subprocess.run(
            self._java("kafka.tools.StorageTool", "format", "-t", "tollgate-tests-cluster0",
                       "-c", str(self.config)),
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=START_TIMEOUT_S)
        if r.returncode != 0:
            raise RuntimeError(f"formatting the Kafka storage failed:\n{r.stdout.decode()}")
        self.start()

    def _java(self, main: str, *args: str) -> list[str]:
        return ["java", "-Xms256m", "-Xmx768m", "-XX:+UseG1GC", "-Djava.awt.headless=true",
                f"-Dlog4j2.configurationFile={self.root / 'log4j2.properties'}",
                "-cp", f"{KAFKA_LIB}/*", main, *args]

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self):
        assert self.proc is None or self.proc.poll() is not None
        self._log = open(self.log, "ab")
        self.proc = subprocess.Popen(self._java("kafka.Kafka", str(self.config)),
                                     stdout=self._log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, cwd=self.root)
        self.wait_ready()

    def wait_ready(self):
        from confluent_kafka.admin import AdminClient
        # Quiet: refused connections are expected until the broker listens.
        admin = AdminClient({"bootstrap.servers": self.bootstrap, "log_level": 0})
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the Kafka broker exited ({self.proc.returncode}):\n"
                                   f"{_tail(self.log)}")
            try:
                md = admin.list_topics(timeout=2)
                if md.brokers:
                    return
            except Exception:  # not up yet
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"the Kafka broker did not answer within {START_TIMEOUT_S}s:\n"
                                   f"{_tail(self.log)}")
            time.sleep(0.2)

    def kill(self):
        """SIGKILL: the broker is gone without a goodbye, as in a crash."""
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(30)
        self._log.close()

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(30)
        self._log.close()

    def close(self):
        try:
            self.stop()
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    def new_topic(self, partitions: int = 4) -> str:
        """A topic of its own for one test, created and ready."""
        from confluent_kafka.admin import AdminClient, NewTopic
        name = "t-" + uuid.uuid4().hex[:16]
        admin = AdminClient({"bootstrap.servers": self.bootstrap})
        futures = admin.create_topics([NewTopic(name, num_partitions=partitions,
                                                replication_factor=1)])
        futures[name].result(60)
        deadline = time.monotonic() + 60
        while True:  # the partitions' leader is known once metadata shows them all
            md = admin.list_topics(topic=name, timeout=10)
            t = md.topics.get(name)
            if t and t.error is None and len(t.partitions) == partitions and all(
                    p.leader >= 0 for p in t.partitions.values()):
                return name
            assert time.monotonic() < deadline, f"topic {name} never became ready"
            time.sleep(0.1)


# ---------------------------------------------------------------------------------------------
# Fixtures: one server each per pytest session, started when a test first asks for it.


@pytest.fixture(scope="session")
def postgres_server():
    server = PostgresServer()
    yield server
    server.close()


@pytest.fixture(scope="session")
def kafka_broker():
    broker = KafkaBroker()
    yield broker
    broker.close()


@pytest.fixture
def kafka_healthy(kafka_broker):
    """The session's broker, running (a test that killed it brings it back, but a failed one
    may not have): use with tests that need it up."""
    if kafka_broker.proc is None or kafka_broker.proc.poll() is not None:
        kafka_broker.start()
    return kafka_broker


def _serve_forever(kind: str):
    server = PostgresServer() if kind == "postgres" else KafkaBroker()
    print(f"POSTGRES_DSN={server.dsn}" if kind == "postgres" else
          f"KAFKA_BOOTSTRAP={server.bootstrap}", flush=True)
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    try:
        while not stop:
            time.sleep(0.2)
    except KeyboardInterrupt:
        pass
    finally:
        server.close()


if __name__ == "__main__":
    if len(sys.argv) != 2 or sys.argv[1] not in ("postgres", "kafka"):
        sys.exit("usage: services.py postgres|kafka")
    _serve_forever(sys.argv[1])
