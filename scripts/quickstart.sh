#!/usr/bin/env bash
# Installs what is missing, builds, and runs Tollgate on its quickstart defaults: the gateway on
# 127.0.0.1:8080 (GATEWAY_PORT) in front of the built-in simulator on 127.0.0.1:9001 (SIM_PORT).
# Ctrl-C stops both.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export GATEWAY_PORT="${GATEWAY_PORT:-8080}" SIM_PORT="${SIM_PORT:-9001}"

bash scripts/setup.sh
bash scripts/build.sh release tollgate

pids=()
cleanup() { kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM

build/tollgate sim --listen "127.0.0.1:$SIM_PORT" --region quickstart >/dev/null &
pids+=($!)
build/tollgate serve --config examples/quickstart.yaml &
pids+=($!)

for _ in $(seq 100); do
  curl -fs "http://127.0.0.1:$GATEWAY_PORT/healthz" >/dev/null 2>&1 && break
  sleep 0.1
done

cat <<MSG

Tollgate is serving on http://127.0.0.1:$GATEWAY_PORT (simulated upstream on port $SIM_PORT).

  curl http://127.0.0.1:$GATEWAY_PORT/v1/chat/completions -H 'content-type: application/json' \\
       -d '{"model":"gpt-4o","messages":[{"role":"user","content":"Hello"}]}'

  .venv/bin/python - <<'PY'
  from openai import OpenAI
  client = OpenAI(base_url="http://127.0.0.1:$GATEWAY_PORT/v1", api_key="unused")
  print(client.chat.completions.create(model="gpt-4o",
        messages=[{"role": "user", "content": "Hello"}]).choices[0].message.content)
  PY

Every call is recorded in data/events.jsonl and data/tollgate.db; chargeback so far:

  build/tollgate report --config examples/quickstart.yaml --by model

Press Ctrl-C to stop.
MSG
wait
