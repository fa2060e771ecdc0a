#!/usr/bin/env bash
# Installs what Tollgate needs on a Debian 12 machine, skipping whatever is already there:
#   - the Debian packages for building and testing (run as root, or with sudo available),
#   - the Python venv at .venv with the pinned test requirements (tests/requirements.txt),
#   - the Apache Kafka broker's jars for the integration tests (tests/services/kafka/pom.xml,
#     from Maven Central into ~/.m2, copied to tests/services/kafka/target/lib).
# Idempotent: a second run checks and returns in about a second.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

PACKAGES=(
  build-essential cmake ninja-build ccache pkg-config
  libboost1.81-all-dev libssl-dev libyaml-cpp-dev libsimdjson-dev libspdlog-dev libfmt-dev
  libcli11-dev libgtest-dev googletest libsqlite3-dev libpq-dev librdkafka-dev
  clang-format python3-venv curl ca-certificates sqlite3
  clang-14 libclang-rt-14-dev  # libFuzzer (scripts/fuzz.sh)
  postgresql-15 maven
)
# The Kafka broker of the tests runs on the machine's Java (17 on Debian 12); any Java will do.
if ! command -v java >/dev/null 2>&1; then
  PACKAGES+=(default-jre-headless)
fi

log() { printf 'setup: %s\n' "$*" >&2; }

# --- Debian packages -----------------------------------------------------------------------------
missing=()
for pkg in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$pkg")
  fi
done

if ((${#missing[@]})); then
  SUDO=()
  if [[ $EUID -ne 0 ]]; then
    if command -v sudo >/dev/null 2>&1; then
      SUDO=(sudo)
    else
      log "missing packages (${missing[*]}) and not root: run this script as root"
      exit 1
    fi
  fi
  log "installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  "${SUDO[@]}" apt-get update -q
  "${SUDO[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
else
  log "Debian packages: all present"
fi

# --- Python venv ---------------------------------------------------------------------------------
# Debian's own interpreter, not whatever python3 comes first on PATH (pyenv shims and the like),
# so the venv is the same on every machine.
PYTHON=/usr/bin/python3
VENV="$ROOT/.venv"
REQ="$ROOT/tests/requirements.txt"
STAMP="$VENV/.requirements.sha256"

if [[ ! -x "$VENV/bin/python" ]] || ! "$VENV/bin/python" -c 'import sys' >/dev/null 2>&1; then
  log "creating venv at .venv"
  rm -rf "$VENV"
  "$PYTHON" -m venv "$VENV"
fi

want="$(sha256sum "$REQ" | cut -d' ' -f1)"
have="$(cat "$STAMP" 2>/dev/null || true)"
if [[ "$want" != "$have" ]]; then
  log "installing Python requirements into .venv"
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check --upgrade pip
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check -r "$REQ"
  echo "$want" >"$STAMP"
else
  log "Python requirements: up to date"
fi

# --- Kafka broker jars (tests) -------------------------------------------------------------------
# Resolved once; ~/.m2 keeps them for later runs and other checkouts.
KAFKA_POM="$ROOT/tests/services/kafka/pom.xml"
KAFKA_LIB="$ROOT/tests/services/kafka/target/lib"
KAFKA_STAMP="$KAFKA_LIB/.pom.sha256"
want="$(sha256sum "$KAFKA_POM" | cut -d' ' -f1)"
have="$(cat "$KAFKA_STAMP" 2>/dev/null || true)"
if [[ "$want" != "$have" ]]; then
  log "resolving the Kafka broker's jars (mvn dependency:copy-dependencies)"
  rm -rf "$KAFKA_LIB"
  mvn -q -B -f "$KAFKA_POM" dependency:copy-dependencies
  echo "$want" >"$KAFKA_STAMP"
else
  log "Kafka broker jars: up to date"
fi
