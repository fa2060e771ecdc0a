#!/usr/bin/env bash
# Where does Tollgate's time go? A companion to bench/run.sh (see docs/benchmark.md, "Where the
# time goes"). Starts the simulator (core LOAD_CPU) and one Tollgate (core PROXY_CPU, whole
# process), with full audit (AUDIT=1, the tollgate-audit configuration of run.sh) or without
# (AUDIT=0), warms it up, then for one call type:
#
#   1. CPU per request of each thread of the process (/proc/PID/task/TID/stat), at 1 and at CONNS
#      connections: event loop, spool writer, each sink worker;
#   2. a sampling CPU profile at CONNS connections (perf record, cpu-clock, DWARF call graphs):
#      flat (self time by function) and inclusive (by call tree) reports;
#   3. system calls per request and thread at 1 and at CONNS connections (perf trace -s).
#
# Output goes to OUTDIR (default: a new directory under /tmp); summary.txt has the per-thread
# table, the other files the raw reports. Needs perf (Debian: linux-perf) with access to the
# cpu-clock event and tracepoints (run as root, or lower kernel.perf_event_paranoid).
#
# Environment: TOLLGATE, MODE (nonstream | stream; default nonstream), AUDIT (1), CONNS (64),
# DURATION (10 s per phase), TOKENS (16), PROXY_CPU / LOAD_CPU (0 / 1), FREQ (sampling rate,
# default 1999 Hz), OUTDIR, WRK, PERF, PHASES ("threads perf trace" or a subset; the perf reports
# take a few minutes to unwind the DWARF stacks). Variations of the full-audit configuration, to
# take its cost apart: SINKS ("jsonl sqlite", a subset, or "stdout": events to tollgate.out),
# BODIES (true | false), and AUX_CPU (a core to move the sink threads to once started, so that
# they no longer share the event loop's core; with AUX_WRITER=1 the spool writer too; a
# diagnostic only: run.sh keeps the whole process on one core).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=bench/tollgate_config.sh
source "$ROOT/bench/tollgate_config.sh"
BENCH="$ROOT/bench"
TOLLGATE=${TOLLGATE:-$ROOT/build/tollgate}
MODE=${MODE:-nonstream}
AUDIT=${AUDIT:-1}
CONNS=${CONNS:-64}
DURATION=${DURATION:-10}
TOKENS=${TOKENS:-16}
PROXY_CPU=${PROXY_CPU:-0}
LOAD_CPU=${LOAD_CPU:-1}
FREQ=${FREQ:-1999}
SINKS=${SINKS:-"jsonl sqlite"}
BODIES=${BODIES:-true}
AUX_CPU=${AUX_CPU:-}
AUX_WRITER=${AUX_WRITER:-0}
PHASES=${PHASES:-"threads perf trace"}
WRK=${WRK:-wrk}
PERF=${PERF:-perf}
OUTDIR=${OUTDIR:-$(mktemp -d "${TMPDIR:-/tmp}/tollgate-profile.XXXXXX")}

log() { printf '[profile] %s\n' "$*" >&2; }
die() { printf '[profile] error: %s\n' "$*" >&2; exit 1; }

[[ "$MODE" == nonstream || "$MODE" == stream ]] || die "MODE must be nonstream or stream"
[[ -x "$TOLLGATE" ]] || die "no tollgate binary at $TOLLGATE"
for c in taskset python3 "$WRK" "$PERF"; do command -v "$c" >/dev/null 2>&1 || die "missing command: $c"; done
"$PERF" record -e cpu-clock -o /dev/null -- true >/dev/null 2>&1 \
  || die "perf cannot sample cpu-clock here (kernel.perf_event_paranoid? run as root)"
mkdir -p "$OUTDIR"
CLK_TCK=$(getconf CLK_TCK)
taskset -pc "$LOAD_CPU" $$ >/dev/null   # this script and what it starts stay off the proxy's core

PIDS=()
cleanup() {
  local rc=$? p i
  trap - EXIT INT TERM
  for p in "${PIDS[@]}"; do
    kill -TERM "$p" 2>/dev/null || continue
    for (( i = 0; i < 100; i++ )); do kill -0 "$p" 2>/dev/null || break; sleep 0.05; done
    kill -KILL "$p" 2>/dev/null || true
    wait "$p" 2>/dev/null || true
  done
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

wait_listening() {  # wait_listening PID OUTFILE -> port
  local i line
  for (( i = 0; i < 300; i++ )); do
    line=$(grep -m1 -o 'tollgate listening on http://[^ ]*' "$2" 2>/dev/null || true)
    if [[ -n "$line" ]]; then echo "${line##*:}"; return 0; fi
    kill -0 "$1" 2>/dev/null || return 1
    sleep 0.05
  done
  return 1
}

taskset -c "$LOAD_CPU" "$TOLLGATE" sim --listen 127.0.0.1:0 --threads 1 --ttft-ms 0 --token-delay-ms 0 \
  >"$OUTDIR/sim.out" 2>"$OUTDIR/sim.err" &
SIM_PID=$!; PIDS+=("$SIM_PID")
SIM_PORT=$(wait_listening "$SIM_PID" "$OUTDIR/sim.out") || die "simulator did not start"

DATA="$OUTDIR/audit"
rm -rf "$DATA" "$OUTDIR/spool-off"; mkdir -p "$DATA"
if (( AUDIT )); then
  audit_yaml="audit:
  spool: $DATA/spool
  bodies: $BODIES
  sinks:"
  for sink in $SINKS; do
    case $sink in
      jsonl) audit_yaml+=$'\n'"    - { type: jsonl,  path: $DATA/events.jsonl }" ;;
      sqlite) audit_yaml+=$'\n'"    - { type: sqlite, path: $DATA/tollgate.db }" ;;
      stdout) audit_yaml+=$'\n'"    - { type: stdout }" ;;   # to tollgate.out: no fsync, no database
      *) die "unknown sink $sink" ;;
    esac
  done
else
  audit_yaml="audit:
  spool: $OUTDIR/spool-off
  sinks: []"
fi
tollgate_config "$OUTDIR/tollgate.yaml" "$SIM_PORT" "$audit_yaml"
taskset -c "$PROXY_CPU" "$TOLLGATE" serve --config "$OUTDIR/tollgate.yaml" >"$OUTDIR/tollgate.out" 2>"$OUTDIR/tollgate.err" &
PID=$!; PIDS+=("$PID")
PORT=$(wait_listening "$PID" "$OUTDIR/tollgate.out") || die "tollgate did not start"
URL="http://127.0.0.1:$PORT/v1/chat/completions"
stream=0; [[ "$MODE" == stream ]] && stream=1

run_wrk() {  # run_wrk CONNS SECONDS OUTFILE -> prints completed requests
  BENCH_STREAM=$stream BENCH_TOKENS=$TOKENS taskset -c "$LOAD_CPU" "$WRK" -t1 -c"$1" -d"${2}s" --timeout 5s \
    -s "$BENCH/chat.lua" "$URL" >"$3" 2>&1 || { cat "$3" >&2; return 1; }
  local line
  line=$(grep -m1 '^BENCH ' "$3") || { cat "$3" >&2; return 1; }
  [[ "$line" =~ good=([0-9]+).*non200=0\ badbody=0 ]] || { log "bad responses: $line"; return 1; }
  [[ "$line" =~ requests=([0-9]+) ]] && echo "${BASH_REMATCH[1]}"
}

thread_ticks() {  # "TID TICKS" per thread of the proxy
  local t
  for t in /proc/"$PID"/task/*; do
    echo "${t##*/} $(sed 's/^.*) //' "$t/stat" | awk '{print $12 + $13}')"
  done
}

# Thread roles, from the call stacks of an idle moment: the event loop runs in the main thread;
# the spool writer and the sink workers are created in that order (sinks in configuration order).
roles() {
  local t n=0 tids
  tids=$(ls /proc/"$PID"/task | sort -n)
  for t in $tids; do
    if [[ "$t" == "$PID" ]]; then echo "$t event-loop"; continue; fi
    n=$(( n + 1 ))
    if (( AUDIT )); then
      if (( n == 1 )); then echo "$t spool-writer"
      elif (( n - 1 <= $(wc -w <<<"$SINKS") )); then echo "$t sink-$(awk -v i=$(( n - 1 )) '{print $i}' <<<"$SINKS")"
      else echo "$t other-$n"; fi
    else
      echo "$t other-$n"
    fi
  done
}

drain() {  # with audit: wait until the spool has been delivered (event counts stop moving)
  (( AUDIT )) || return 0
  local prev="" cur stable=0 i
  for (( i = 0; i < 240; i++ )); do
    cur="$(python3 "$BENCH/audit_check.py" counts "$DATA") $(wc -l <"$OUTDIR/tollgate.out")"
    if [[ "$cur" == "$prev" ]]; then stable=$(( stable + 1 )); else stable=0; fi
    prev=$cur
    (( stable >= 3 )) && return 0
    sleep 0.5
  done
}

per_thread() {  # per_thread CONNS: per-thread CPU per request over a DURATION run, incl. the drain after it
  local conns=$1 before after req
  drain
  before=$(thread_ticks)
  req=$(run_wrk "$conns" "$DURATION" "$OUTDIR/wrk-threads-c$conns.txt")
  drain
  after=$(thread_ticks)
  python3 - "$conns" "$req" "$CLK_TCK" <(echo "$before") <(echo "$after") <(roles) \
    <(grep -m1 '^BENCH ' "$OUTDIR/wrk-threads-c$conns.txt") <<'PY'
import sys
conns, req, tck = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
f = dict(kv.split("=", 1) for kv in open(sys.argv[7]).read().split()[1:])
lat = f"p50 {f['p50_us']} us, p99 {f['p99_us']} us"
def load(p):
    return {int(a): int(b) for a, b in (l.split() for l in open(p) if l.strip())}
b, a = load(sys.argv[4]), load(sys.argv[5])
roles = {int(t): r for t, r in (l.split() for l in open(sys.argv[6]) if l.strip())}
total = 0.0
print(f"{conns} connection(s): {req} requests, {lat}; CPU per request by thread (incl. the sinks' catch-up after the run)")
for tid in sorted(a):
    us = (a[tid] - b.get(tid, 0)) * 1e6 / tck / req
    total += us
    print(f"  {roles.get(tid, 'tid ' + str(tid)):14s} {us:8.1f} us")
print(f"  {'total':14s} {total:8.1f} us")
PY
}

if [[ -n "$AUX_CPU" ]]; then
  # The sink threads (and with AUX_WRITER=1 the spool writer) move to AUX_CPU.
  while read -r t role; do
    if [[ "$role" == sink-* || ( "$role" == spool-writer && "$AUX_WRITER" == 1 ) ]]; then
      taskset -pc "$AUX_CPU" "$t" >/dev/null
    fi
  done < <(roles)
fi
log "tollgate pid $PID (audit=$AUDIT), $MODE calls; output in $OUTDIR"
run_wrk "$CONNS" 3 "$OUTDIR/wrk-warmup.txt" >/dev/null

{
  echo "tollgate $("$TOLLGATE" --version 2>/dev/null | head -n1) ($TOLLGATE), audit=$AUDIT" \
    "(sinks: $SINKS; bodies: $BODIES${AUX_CPU:+; sinks$( (( AUX_WRITER )) && echo " and spool writer") on core $AUX_CPU}), mode=$MODE," \
    "$(date -u '+%Y-%m-%d %H:%M UTC'), $DURATION s per phase"
  echo "threads: $(roles | tr '\n' ' ')"
  echo
} | tee "$OUTDIR/summary.txt" >&2
if [[ " $PHASES " == *" threads "* ]]; then
  log "phase 1: CPU per request by thread"
  { per_thread 1; per_thread "$CONNS"; } | tee -a "$OUTDIR/summary.txt" >&2
fi

if [[ " $PHASES " == *" perf "* ]]; then
  log "phase 2: perf record at $CONNS connections"
  drain
  taskset -c "$LOAD_CPU" "$PERF" record -q -e cpu-clock -F "$FREQ" --call-graph dwarf,32768 -p "$PID" \
    -o "$OUTDIR/perf.data" -- sleep "$DURATION" 2>"$OUTDIR/perf-record.err" &
  PERF_PID=$!
  sleep 0.3
  req=$(run_wrk "$CONNS" "$(( DURATION - 1 ))" "$OUTDIR/wrk-perf.txt")
  wait "$PERF_PID" || true
  echo "perf record: $req requests at $CONNS connections during the profile" >>"$OUTDIR/summary.txt"
  "$PERF" report -i "$OUTDIR/perf.data" --no-children --sort pid --stdio -g none 2>/dev/null >"$OUTDIR/perf-threads.txt" || true
  # The thread roles, checked against the call stacks each thread was sampled in.
  for t in $(ls /proc/"$PID"/task | sort -n); do
    echo "$t: $("$PERF" report -i "$OUTDIR/perf.data" --children --tid "$t" --sort sym --stdio -g none 2>/dev/null \
      | grep -oE 'GroupWriter::run|JsonlSink::deliver|SqliteSink::deliver|Pipeline::serve' | sort -u | tr '\n' ' ')"
  done >"$OUTDIR/perf-roles.txt"
  "$PERF" report -i "$OUTDIR/perf.data" --no-children --sort dso,sym --stdio -g none --percent-limit 0.3 \
    2>/dev/null >"$OUTDIR/perf-flat.txt" || true
  "$PERF" report -i "$OUTDIR/perf.data" --children --sort sym --stdio -g none --percent-limit 0.5 \
    2>/dev/null >"$OUTDIR/perf-children.txt" || true
  "$PERF" report -i "$OUTDIR/perf.data" --no-children --sort pid,sym --stdio -g caller,0.5,callee --percent-limit 1 \
    2>/dev/null >"$OUTDIR/perf-callers.txt" || true

fi

if [[ " $PHASES " == *" trace "* ]]; then
  log "phase 3: system calls per request (perf trace -s)"
  for conns in 1 "$CONNS"; do
    drain
    taskset -c "$LOAD_CPU" "$PERF" trace -s -p "$PID" -o "$OUTDIR/syscalls-c$conns.txt" -- sleep "$DURATION" &
    PERF_PID=$!
    sleep 0.3
    req=$(run_wrk "$conns" "$(( DURATION - 1 ))" "$OUTDIR/wrk-trace-c$conns.txt")
    wait "$PERF_PID" || true
    echo "perf trace -s: $req requests at $conns connection(s): $OUTDIR/syscalls-c$conns.txt" >>"$OUTDIR/summary.txt"
  done
fi
if [[ -f "$OUTDIR/perf-roles.txt" ]]; then
  echo "thread roles: $(roles | tr '\n' ' '); seen in their call stacks:" >>"$OUTDIR/summary.txt"
  cat "$OUTDIR/perf-roles.txt" >>"$OUTDIR/summary.txt"
fi
drain
cat "$OUTDIR/summary.txt"
log "done: $OUTDIR"
