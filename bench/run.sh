#!/usr/bin/env bash
# Tollgate benchmark: upstream directly vs nginx (plain reverse proxy) vs Tollgate with audit off
# vs Tollgate with full audit (spool + JSONL + SQLite sinks, bodies logged), and optionally
# Tollgate (audit off) authenticating every call with an API key or an Entra-style JWT.
#
# The proxy under test runs alone on core PROXY_CPU (default 0); wrk and the upstream
# (`tollgate sim --threads 1`, no delays) share core LOAD_CPU (default 1). For plain and
# streaming chat completions it measures requests/s at CONNS connections, p50/p99 latency at
# 1 and CONNS connections, CPU time per request of the proxy process(es) and their peak RSS,
# then prints a markdown table with Tollgate's figures as ratios to nginx's. For the full-audit
# configuration it also checks that every call's two events reached both sinks.
# See docs/benchmark.md.
#
# Environment:
#   TOLLGATE   path of the tollgate binary           (default: <repo>/build/tollgate)
#   DURATION   seconds per measurement               (default: 10)
#   WARMUP     seconds of warm-up per configuration  (default: 2)
#   CONNS      connections for the loaded runs       (default: 64)
#   TOKENS     completion tokens per call (x-sim-tokens) (default: 16)
#   MODES      "nonstream stream" or a subset
#   CONFIGS    "upstream nginx tollgate tollgate-audit" or a subset (ratios need nginx); also
#              tollgate-key (auth.mode api_key) and tollgate-jwt (auth.mode jwt, RS256 keys
#              served from a loopback JWKS file)
#   PROXY_CPU / LOAD_CPU   cores for the proxy / for wrk + upstream (default 0 / 1)
#   NGINX, WRK binaries (default: nginx / wrk from PATH, /usr/sbin included)
#   OUT        also write the markdown report to this file
#   KEEP_TMP=1 keep the temporary directory (logs, configs, raw wrk output)
#   RETRIES    re-measurements when other processes used more than OTHER_MAX % (default 10) of the
#              proxy core during a measurement (default: 2); a row still disturbed is marked
#   DRAIN_MAX  seconds to wait, after each full-audit measurement, for the sinks to deliver what
#              the spool still holds (default: 120)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=bench/tollgate_config.sh
source "$ROOT/bench/tollgate_config.sh"
BENCH="$ROOT/bench"
TOLLGATE=${TOLLGATE:-$ROOT/build/tollgate}
DURATION=${DURATION:-10}
WARMUP=${WARMUP:-2}
CONNS=${CONNS:-64}
TOKENS=${TOKENS:-16}
MODES=${MODES:-"nonstream stream"}
CONFIGS=${CONFIGS:-"upstream nginx tollgate tollgate-audit"}
PROXY_CPU=${PROXY_CPU:-0}
LOAD_CPU=${LOAD_CPU:-1}
export PATH="$PATH:/usr/sbin:/sbin"
NGINX=${NGINX:-nginx}
WRK=${WRK:-wrk}
OUT=${OUT:-}
RETRIES=${RETRIES:-2}
OTHER_MAX=${OTHER_MAX:-10}
DRAIN_MAX=${DRAIN_MAX:-120}

log() { printf '[bench] %s\n' "$*" >&2; }
die() { printf '[bench] error: %s\n' "$*" >&2; exit 1; }

# ---------------------------------------------------------------- prerequisites
[[ "$DURATION" =~ ^[0-9]+$ && "$DURATION" -ge 1 ]] || die "DURATION must be a whole number of seconds >= 1"
[[ "$WARMUP" =~ ^[0-9]+$ ]] || die "WARMUP must be a whole number of seconds"
[[ "$CONNS" =~ ^[0-9]+$ && "$CONNS" -ge 1 ]] || die "CONNS must be >= 1"
[[ "$RETRIES" =~ ^[0-9]+$ && "$OTHER_MAX" =~ ^[0-9]+$ && "$DRAIN_MAX" =~ ^[0-9]+$ ]] \
  || die "RETRIES, OTHER_MAX and DRAIN_MAX must be whole numbers"
ncpu=$(nproc --all)
(( ncpu >= 2 )) || die "needs at least 2 cores (found $ncpu)"
(( PROXY_CPU < ncpu && LOAD_CPU < ncpu && PROXY_CPU != LOAD_CPU )) || die "PROXY_CPU/LOAD_CPU must be two distinct cores below $ncpu"

missing=()
command -v "$WRK" >/dev/null 2>&1 || missing+=(wrk)
command -v "$NGINX" >/dev/null 2>&1 || missing+=(nginx)
if (( ${#missing[@]} )); then
  if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
    log "installing ${missing[*]} with apt-get"
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" >&2 \
      || { apt-get update >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" >&2; }
  else
    die "missing ${missing[*]}: sudo apt-get install ${missing[*]}"
  fi
fi
for c in taskset python3 "$WRK" "$NGINX"; do command -v "$c" >/dev/null 2>&1 || die "missing command: $c"; done
[[ -x "$TOLLGATE" ]] || die "no tollgate binary at $TOLLGATE (build it first, or set TOLLGATE=)"
CLK_TCK=$(getconf CLK_TCK)
# The harness's own work (sampling, counting audit events) runs on the load core, never on the
# proxy's: everything it starts inherits this unless pinned elsewhere explicitly.
taskset -pc "$LOAD_CPU" $$ >/dev/null

# ---------------------------------------------------------------- process bookkeeping
TMP=$(mktemp -d "${TMPDIR:-/tmp}/tollgate-bench.XXXXXX")
PIDS=()

stop_pid() {  # stop_pid PID: SIGTERM, bounded wait, then SIGKILL; reap
  local pid=$1 i
  kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
  kill -TERM "$pid" 2>/dev/null || true
  for (( i = 0; i < 100; i++ )); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.05
  done
  if kill -0 "$pid" 2>/dev/null; then
    log "pid $pid did not stop after SIGTERM; sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  wait "$pid" 2>/dev/null || true
  local keep=() p
  for p in "${PIDS[@]}"; do [[ "$p" == "$pid" ]] || keep+=("$p"); done
  PIDS=("${keep[@]}")
}

cleanup() {
  local rc=$? p
  trap - EXIT INT TERM
  for p in "${PIDS[@]}"; do stop_pid "$p"; done
  if [[ "${KEEP_TMP:-0}" == 1 ]]; then log "kept $TMP"; else rm -rf "$TMP"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

wait_listening() {  # wait_listening PID STDOUT_FILE STDERR_FILE -> prints the port
  local pid=$1 out=$2 err=$3 i line
  for (( i = 0; i < 300; i++ )); do
    line=$(grep -m1 -o 'tollgate listening on http://[^ ]*' "$out" 2>/dev/null || true)
    if [[ -n "$line" ]]; then
      echo "${line##*:}"
      return 0
    fi
    if ! kill -0 "$pid" 2>/dev/null; then
      log "process $pid exited before listening; stderr:"; tail -n 20 "$err" >&2 || true
      return 1
    fi
    sleep 0.05
  done
  log "process $pid did not print its listening line within 15 s; stderr:"; tail -n 20 "$err" >&2 || true
  return 1
}

wait_tcp() {  # wait_tcp PORT PID: bounded wait until 127.0.0.1:PORT accepts
  local port=$1 pid=$2 i
  for (( i = 0; i < 300; i++ )); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then return 0; fi
    kill -0 "$pid" 2>/dev/null || return 1
    sleep 0.05
  done
  return 1
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

proc_tree() {  # the PID and its children (nginx master + worker)
  local pid=$1 c
  echo "$pid"
  for c in $(pgrep -P "$pid" 2>/dev/null || true); do echo "$c"; done
}

cpu_ticks() {  # utime + stime of the process tree, in clock ticks
  local total=0 p v
  for p in $(proc_tree "$1"); do
    # fields after "(comm) ": state is $1, so utime (field 14) is $12 and stime (15) is $13
    v=$(sed 's/^.*) //' "/proc/$p/stat" 2>/dev/null | awk '{print $12 + $13}') || v=0
    total=$(( total + ${v:-0} ))
  done
  echo "$total"
}

peak_rss_kb() {  # sum of VmHWM over the process tree
  local total=0 p v
  for p in $(proc_tree "$1"); do
    v=$(awk '/^VmHWM:/ {print $2}' "/proc/$p/status" 2>/dev/null) || v=0
    total=$(( total + ${v:-0} ))
  done
  echo "$total"
}

core_sample() {  # "busy total" jiffies of one core from /proc/stat
  awk -v c="cpu$1" '$1 == c { busy = $2 + $3 + $4 + $7 + $8 + $9; print busy, busy + $5 + $6 }' /proc/stat
}

busy_pct() {  # busy_pct "b0 t0" "b1 t1"
  local b0 t0 b1 t1
  read -r b0 t0 <<<"$1"; read -r b1 t1 <<<"$2"
  awk -v b=$(( b1 - b0 )) -v t=$(( t1 - t0 )) 'BEGIN { printf "%.0f", (t > 0 ? 100 * b / t : 0) }'
}

own_pct() {  # own_pct TICKS "b0 t0" "b1 t1": the process's CPU as a share of the core's elapsed time
  local b0 t0 b1 t1
  read -r b0 t0 <<<"$2"; read -r b1 t1 <<<"$3"
  awk -v c="$1" -v t=$(( t1 - t0 )) 'BEGIN { printf "%.0f", (t > 0 ? 100 * c / t : 0) }'
}

RESULTS="$TMP/results.txt"
: >"$RESULTS"

run_wrk() {  # run_wrk URL CONNS SECONDS STREAM OUTFILE
  local url=$1 conns=$2 secs=$3 stream=$4 out=$5
  BENCH_STREAM=$stream BENCH_TOKENS=$TOKENS BENCH_AUTH=$BENCH_AUTH \
    taskset -c "$LOAD_CPU" "$WRK" -t1 -c"$conns" -d"${secs}s" --timeout 5s --latency \
      -s "$BENCH/chat.lua" "$url" >"$out" 2>&1 || { log "wrk failed:"; cat "$out" >&2; return 1; }
  grep -m1 '^BENCH ' "$out" >/dev/null || { log "wrk printed no BENCH line:"; cat "$out" >&2; return 1; }
}

bench_line() { grep -m1 '^BENCH ' "$1" | sed 's/^BENCH //'; }
field() { tr ' ' '\n' <<<"$1" | awk -F= -v k="$2" '$1 == k { print $2 }'; }

bad_count() {  # non-200 + incomplete bodies + socket errors in a BENCH line
  local l=$1
  echo $(( $(field "$l" non200) + $(field "$l" badbody) + $(field "$l" err_connect) + $(field "$l" err_read) \
    + $(field "$l" err_write) + $(field "$l" err_timeout) ))
}

# ---------------------------------------------------------------- audit checks (tollgate-audit)
# A full-audit run counts only if its events arrived: after each measurement the harness waits
# until both sinks have delivered what the spool still held, and records the JSONL and SQLite
# counts at the end of the run and after that drain, and the proxy's CPU time during the drain
# (sink work the run left behind). AUDIT_DIR is the running gateway's audit directory.
AUDIT_DIR=""
AUDIT_REQS=0   # requests wrk completed against the current full-audit gateway, all runs
AUDIT_GOOD=0   # of which good (200, complete body)
AUDIT_RUNS=0   # wrk runs against it (each may leave up to CONNS calls in flight when it stops)
AUDIT_JL=0; AUDIT_SQ=0; AUDIT_CALLS=0   # counts after the last drain
DRAIN_MS=0; DRAIN_TICKS=0; DRAIN_TIMEOUT=0

audit_counts() {  # -> "JSONL_LINES SQLITE_EVENTS SQLITE_CALLS"
  python3 "$BENCH/audit_check.py" counts "$AUDIT_DIR"
}

audit_account() {  # audit_account WRK_OUTPUT: add a wrk run's requests to the totals
  local l
  l=$(bench_line "$1")
  AUDIT_REQS=$(( AUDIT_REQS + $(field "$l" requests) ))
  AUDIT_GOOD=$(( AUDIT_GOOD + $(field "$l" good) ))
  AUDIT_RUNS=$(( AUDIT_RUNS + 1 ))
}

audit_drain() {  # audit_drain PID [COUNTS]: wait until the sinks' counts (last seen: COUNTS) stop moving
  # sets AUDIT_JL/SQ/CALLS and DRAIN_MS (until the last change seen; polls are ~0.6 s apart), DRAIN_TICKS
  local pid=$1 prev=${2:-} start now changed t0 cur stable=0
  start=$(date +%s%N); changed=$start; t0=$(cpu_ticks "$pid")
  DRAIN_TIMEOUT=0
  for (( ;; )); do
    cur=$(audit_counts)
    now=$(date +%s%N)
    if [[ "$cur" == "$prev" ]]; then stable=$(( stable + 1 )); else stable=0; changed=$now; fi
    prev=$cur
    (( stable >= 3 )) && break   # unchanged for 3 polls (>= 1.5 s; the sinks poll every 0.1 s)
    if (( (now - start) / 1000000000 >= DRAIN_MAX )); then
      log "the audit sinks were still delivering after ${DRAIN_MAX}s"; DRAIN_TIMEOUT=1; break
    fi
    sleep 0.5
  done
  read -r AUDIT_JL AUDIT_SQ AUDIT_CALLS <<<"$cur"
  DRAIN_MS=$(( (changed - start) / 1000000 ))
  DRAIN_TICKS=$(( $(cpu_ticks "$pid") - t0 ))
}

measure() {  # measure MODE CONFIG URL PID : warm-up, 1 connection, CONNS connections
  local mode=$1 config=$2 url=$3 pid=$4 stream=0 base="$TMP/$1-$2" line c0 c1 t0 t1 p0 p1 audit=0
  [[ "$mode" == stream ]] && stream=1
  [[ "$config" == tollgate-audit ]] && audit=1

  log "$mode/$config: smoke test and ${WARMUP}s warm-up at $CONNS connections ($url)"
  run_wrk "$url" 1 1 "$stream" "$base-smoke.txt" || return 1
  line=$(bench_line "$base-smoke.txt")
  if (( $(field "$line" good) == 0 || $(bad_count "$line") > 0 )); then
    log "$mode/$config: smoke test failed: $line"
    log "raw wrk output:"; cat "$base-smoke.txt" >&2
    echo "mode=$mode config=$config conns=0 failed=1 $line" >>"$RESULTS"
    return 1
  fi
  if (( audit )); then audit_account "$base-smoke.txt"; fi
  if (( WARMUP > 0 )); then
    run_wrk "$url" "$CONNS" "$WARMUP" "$stream" "$base-warmup.txt" || return 1
    if (( audit )); then audit_account "$base-warmup.txt"; fi
  fi
  # The warm-up's events are delivered before the measurement starts, so that the sinks'
  # catch-up work is not charged to the measured requests.
  if (( audit )); then
    audit_drain "$pid"
    log "$mode/$config: sinks drained after warm-up: JSONL $AUDIT_JL lines, SQLite $AUDIT_SQ events / $AUDIT_CALLS calls"
  fi

  local conns attempt other own audit_fields jl0 sq0 calls0 jl_end sq_end cur
  for conns in 1 "$CONNS"; do
    for (( attempt = 1; attempt <= RETRIES + 1; attempt++ )); do
      log "$mode/$config: ${DURATION}s at $conns connection(s)"
      jl0=$AUDIT_JL; sq0=$AUDIT_SQ; calls0=$AUDIT_CALLS
      t0=$(cpu_ticks "$pid"); c0=$(core_sample "$PROXY_CPU"); p0=$(core_sample "$LOAD_CPU")
      run_wrk "$url" "$conns" "$DURATION" "$stream" "$base-c$conns.txt" || return 1
      t1=$(cpu_ticks "$pid"); c1=$(core_sample "$PROXY_CPU"); p1=$(core_sample "$LOAD_CPU")
      line=$(bench_line "$base-c$conns.txt")
      audit_fields=""
      if (( audit )); then
        audit_account "$base-c$conns.txt"
        cur=$(audit_counts)
        read -r jl_end sq_end _ <<<"$cur"
        audit_drain "$pid" "$cur"
        audit_fields="ev_before=$jl0 ev_end=$jl_end ev_after=$AUDIT_JL sq_before=$sq0 sq_end=$sq_end sq_after=$AUDIT_SQ"
        audit_fields+=" calls_before=$calls0 calls_after=$AUDIT_CALLS drain_ms=$DRAIN_MS drain_ticks=$DRAIN_TICKS"
        audit_fields+=" drain_timeout=$DRAIN_TIMEOUT"
        log "$mode/$config c=$conns: events: JSONL $(( jl_end - jl0 )) at the end of the run," \
          "$(( AUDIT_JL - jl0 )) after ${DRAIN_MS} ms of drain (expected >= $(( 2 * $(field "$line" requests) )));" \
          "SQLite $(( AUDIT_SQ - sq0 )) events, $(( AUDIT_CALLS - calls0 )) calls"
      fi
      # Work of other processes on the proxy core: its busy share minus the proxy's own CPU share
      # (for the upstream-direct run the measured process is on the load core: own share 0).
      own=0
      [[ "$config" == upstream ]] || own=$(own_pct "$(( t1 - t0 ))" "$c0" "$c1")
      other=$(( $(busy_pct "$c0" "$c1") - own ))
      (( other < 0 )) && other=0
      log "$mode/$config c=$conns: $(field "$line" requests) requests, p50 $(field "$line" p50_us) us," \
        "p99 $(field "$line" p99_us) us, bad $(bad_count "$line"), other load on core $PROXY_CPU ${other}%"
      if (( other > OTHER_MAX && attempt <= RETRIES )); then
        log "$mode/$config c=$conns: disturbed by other processes on core $PROXY_CPU; measuring again"
        continue
      fi
      echo "mode=$mode config=$config conns=$conns $line cpu_ticks=$(( t1 - t0 )) clk_tck=$CLK_TCK" \
        "proxy_core_busy=$(busy_pct "$c0" "$c1") load_core_busy=$(busy_pct "$p0" "$p1")" \
        "other_load=$other attempts=$attempt rss_kb=$(peak_rss_kb "$pid") $audit_fields" >>"$RESULTS"
      break
    done
  done
}

# ---------------------------------------------------------------- the systems under test
# Output files are per start and created here, before the background job: its own redirection
# happens in the child, later, and must never leave us reading a previous process's listening line.
start_sim() {  # start_sim TAG -> sets SIM_PID, SIM_PORT
  local out="$TMP/$1-sim.out" err="$TMP/$1-sim.err"
  : >"$out"; : >"$err"
  taskset -c "$LOAD_CPU" "$TOLLGATE" sim --listen 127.0.0.1:0 --threads 1 --ttft-ms 0 --token-delay-ms 0 \
    >>"$out" 2>>"$err" &
  SIM_PID=$!; PIDS+=("$SIM_PID")
  SIM_PORT=$(wait_listening "$SIM_PID" "$out" "$err") || die "simulator did not start"
}

start_nginx() {  # start_nginx TAG -> sets PROXY_PID, PROXY_PORT
  local prefix="$TMP/$1-nginx" port
  rm -rf "$prefix"; mkdir -p "$prefix"
  chmod 755 "$TMP" "$prefix"
  port=$(free_port)
  sed -e "s#@PREFIX@#$prefix#g" -e "s#@PORT@#$port#g" -e "s#@UPSTREAM_PORT@#$SIM_PORT#g" \
    "$BENCH/nginx.conf.template" >"$prefix/nginx.conf"
  taskset -c "$PROXY_CPU" "$NGINX" -p "$prefix" -c "$prefix/nginx.conf" -e "$prefix/error.log" \
    >"$prefix/stdout" 2>"$prefix/stderr" &
  PROXY_PID=$!; PIDS+=("$PROXY_PID")
  wait_tcp "$port" "$PROXY_PID" || { cat "$prefix/stderr" "$prefix/error.log" >&2 2>/dev/null; die "nginx did not start"; }
  PROXY_PORT=$port
}

# Authentication for start_tollgate: sets AUTH_YAML and BENCH_AUTH (the header wrk sends).
BENCH_AUTH="Bearer bench-client-key"
AUTH_YAML=""
auth_setup() {  # auth_setup TAG none|key|jwt
  BENCH_AUTH="Bearer bench-client-key"; AUTH_YAML=""
  case "$2" in
    key)
      local out key hash
      out=$("$TOLLGATE" key new --name bench --app bench-app)
      key=$(grep -oE 'tg-[A-Za-z0-9_-]{43}' <<<"$out" | head -n1)
      hash=$(grep -oE 'sha256: [0-9a-f]{64}' <<<"$out" | cut -d' ' -f2)
      AUTH_YAML="auth:
  mode: api_key
  api_keys:
    - { name: bench, app_id: bench-app, sha256: $hash }"
      BENCH_AUTH="Bearer $key" ;;
    jwt)
      local dir="$TMP/$1-jwks" port
      mkdir -p "$dir"
      "$ROOT/.venv/bin/python" "$BENCH/jwt_fixture.py" "$dir" "https://login.test/bench/v2.0" api://bench
      port=$(free_port)
      taskset -c "$LOAD_CPU" python3 -m http.server "$port" --bind 127.0.0.1 --directory "$dir" \
        >"$dir/server.log" 2>&1 &
      PIDS+=("$!")
      wait_tcp "$port" "$!" || die "the JWKS server did not start"
      AUTH_YAML="auth:
  mode: jwt
  jwt:
    issuers: [ { issuer: \"https://login.test/bench/v2.0\", jwks_url: \"http://127.0.0.1:$port/jwks.json\" } ]
    audiences: [api://bench]"
      BENCH_AUTH="Bearer $(cat "$dir/token")" ;;
  esac
}

start_tollgate() {  # start_tollgate TAG [audit] -> sets PROXY_PID, PROXY_PORT (and AUDIT_DIR)
  local cfg="$TMP/$1-tollgate.yaml" out="$TMP/$1-tollgate.out" err="$TMP/$1-tollgate.err" audit_yaml
  : >"$out"; : >"$err"
  if [[ "${2:-}" == audit ]]; then
    # Full audit: every call's request and response event, bodies included (the default), goes
    # to the spool and from there to a JSONL file and the SQLite store, with default settings.
    AUDIT_DIR="$TMP/$1"
    rm -rf "$AUDIT_DIR"; mkdir -p "$AUDIT_DIR"
    audit_yaml="audit:
  spool: $AUDIT_DIR/spool
  sinks:
    - { type: jsonl,  path: $AUDIT_DIR/events.jsonl }
    - { type: sqlite, path: $AUDIT_DIR/tollgate.db }"
  else
    # Audit off: no sinks, so no events are built or spooled.
    audit_yaml="audit:
  spool: $TMP/$1-spool
  sinks: []"
  fi
  tollgate_config "$cfg" "$SIM_PORT" "$audit_yaml" "$AUTH_YAML"
  # taskset pins the whole process: its event loop and, with audit on, the spool writer and the
  # sink threads, whose CPU time is therefore part of the proxy's.
  taskset -c "$PROXY_CPU" "$TOLLGATE" serve --config "$cfg" >>"$out" 2>>"$err" &
  PROXY_PID=$!; PIDS+=("$PROXY_PID")
  PROXY_PORT=$(wait_listening "$PROXY_PID" "$out" "$err") || die "tollgate did not start"
}

# ---------------------------------------------------------------- run
TG_VERSION=$("$TOLLGATE" --version 2>/dev/null | head -n1 || true)
NGINX_VERSION=$({ "$NGINX" -v 2>&1 || true; } | head -n1 | sed 's/^nginx version: //')
WRK_VERSION=$({ "$WRK" -v 2>&1 || true; } | head -n1 | awk '{print $1, $2}')
log "tollgate: ${TG_VERSION:-unknown} ($TOLLGATE); $NGINX_VERSION; $WRK_VERSION"
log "proxy on core $PROXY_CPU, wrk + simulator on core $LOAD_CPU; ${DURATION}s per measurement, $CONNS connections"

# The figures mean something only on an otherwise idle machine: sample both cores for a second.
s0=$(core_sample "$PROXY_CPU"); l0=$(core_sample "$LOAD_CPU"); sleep 1
s1=$(core_sample "$PROXY_CPU"); l1=$(core_sample "$LOAD_CPU")
NOTE=""
if (( $(busy_pct "$s0" "$s1") > 15 || $(busy_pct "$l0" "$l1") > 15 )); then
  NOTE="Warning: before the run core $PROXY_CPU was $(busy_pct "$s0" "$s1")% and core $LOAD_CPU $(busy_pct "$l0" "$l1")% busy with other work; these figures are not reliable."
  log "$NOTE"
fi

failed=0
for mode in $MODES; do
  [[ "$mode" == nonstream || "$mode" == stream ]] || die "unknown mode $mode"
  start_sim "$mode"
  for config in $CONFIGS; do
    case "$config" in
      upstream)
        measure "$mode" upstream "http://127.0.0.1:$SIM_PORT/v1/chat/completions" "$SIM_PID" || failed=1 ;;
      nginx)
        start_nginx "$mode"
        measure "$mode" nginx "http://127.0.0.1:$PROXY_PORT/v1/chat/completions" "$PROXY_PID" || failed=1
        stop_pid "$PROXY_PID" ;;
      tollgate|tollgate-key|tollgate-jwt)
        auth_setup "$mode-$config" "${config#tollgate-}"
        start_tollgate "$mode-$config"
        measure "$mode" "$config" "http://127.0.0.1:$PROXY_PORT/v1/chat/completions" "$PROXY_PID" || failed=1
        if ! kill -0 "$PROXY_PID" 2>/dev/null; then
          log "tollgate exited during the run; stderr:"; tail -n 20 "$TMP/$mode-$config-tollgate.err" >&2 || true; failed=1
        fi
        stop_pid "$PROXY_PID"
        auth_setup "$mode" none ;;
      tollgate-audit)
        start_tollgate "$mode-audit" audit
        AUDIT_REQS=0; AUDIT_GOOD=0; AUDIT_RUNS=0; AUDIT_JL=0; AUDIT_SQ=0; AUDIT_CALLS=0
        measure "$mode" tollgate-audit "http://127.0.0.1:$PROXY_PORT/v1/chat/completions" "$PROXY_PID" || failed=1
        if ! kill -0 "$PROXY_PID" 2>/dev/null; then
          log "tollgate exited during the run; stderr:"; tail -n 20 "$TMP/$mode-audit-tollgate.err" >&2 || true; failed=1
        fi
        # Everything the gateway recorded, parsed: each call's two events, paired, in both sinks.
        audit_drain "$PROXY_PID"
        stop_pid "$PROXY_PID"
        log "$mode/tollgate-audit: checking all $AUDIT_JL JSONL events ($AUDIT_RUNS wrk runs, $AUDIT_REQS requests completed)"
        echo "mode=$mode config=tollgate-audit conns=-1 wrk_requests=$AUDIT_REQS wrk_good=$AUDIT_GOOD" \
          "wrk_runs=$AUDIT_RUNS conns_max=$CONNS drain_timeout=$DRAIN_TIMEOUT" \
          "$(python3 "$BENCH/audit_check.py" full "$AUDIT_DIR")" >>"$RESULTS"
        if grep -qiE 'warn|error' "$TMP/$mode-audit-tollgate.err"; then
          log "tollgate (full audit) logged warnings or errors:"
          grep -m 20 -iE 'warn|error' "$TMP/$mode-audit-tollgate.err" >&2 || true
        fi
        if [[ "${KEEP_TMP:-0}" != 1 ]]; then rm -rf "$AUDIT_DIR"; fi ;;
      *) die "unknown configuration $config" ;;
    esac
  done
  stop_pid "$SIM_PID"
done

report=$(python3 "$BENCH/report.py" "$RESULTS" \
  --date "$(date -u '+%Y-%m-%d %H:%M UTC')" \
  --machine "$ncpu cores, $(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo), $(uname -sr)" \
  --versions "${TG_VERSION:-tollgate ?}; $NGINX_VERSION; $WRK_VERSION" \
  --duration "$DURATION" --conns "$CONNS" --tokens "$TOKENS" \
  --proxy-cpu "$PROXY_CPU" --load-cpu "$LOAD_CPU" --other-max "$OTHER_MAX" --note "$NOTE") || { log "report failed; raw results:"; cat "$RESULTS" >&2; exit 1; }
printf '%s\n' "$report"
[[ -n "$OUT" ]] && printf '%s\n' "$report" >"$OUT"
if [[ "${KEEP_TMP:-0}" == 1 ]]; then cp "$RESULTS" "$TMP/results.kept.txt"; fi

if (( failed )) || grep -q 'INVALID' <<<"$report"; then
  log "some measurements failed or saw bad responses (see above)"
  exit 1
fi
