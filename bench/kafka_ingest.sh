#!/usr/bin/env bash
# Sustained events/s of the kafka sink and of `tollgate ingest`, against a real Kafka broker
# and PostgreSQL server started for the run (tests/integration/services.py). See
# bench/kafka_ingest.py for the method; results go to docs/benchmark.md by hand.
#   bench/kafka_ingest.sh [LOAD_SECONDS]     (default 20; TOLLGATE_BIN picks the binary)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
exec "$ROOT/.venv/bin/python" "$ROOT/bench/kafka_ingest.py" "$@"
