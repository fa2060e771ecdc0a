#!/usr/bin/env bash
# The test command: installs what is missing, checks formatting, then for each flavour
# (release, then ASan+UBSan) builds, runs the GoogleTest unit tests and the pytest integration
# suite against the real binaries. Exits non-zero if anything fails; ends with a summary.
#
# Environment:
#   TOLLGATE_FLAVOURS   flavours to run, default "release asan" ("" runs none)
#   TOLLGATE_SKIP_SETUP=1  do not run scripts/setup.sh (the venv must exist)
#   PYTEST_ARGS         extra arguments for pytest (e.g. "-k stream -x")
#   FUZZ_SECONDS        time per libFuzzer target (default 60; 0 skips fuzzing)
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

FLAVOURS="${TOLLGATE_FLAVOURS-release asan}"
PY="$ROOT/.venv/bin/python"
REPORTS="$ROOT/build-reports"
mkdir -p "$REPORTS"
rm -f "$REPORTS"/*.xml

STEP_NAMES=()
STEP_RESULTS=()
STEP_SECS=()
FAILED_STEPS=0
T0=$SECONDS

banner() { printf '\n==== %s ====\n' "$*"; }

# run_step NAME CMD... : runs CMD, records PASS/FAIL and its duration.
run_step() {
  local name="$1"
  shift
  banner "$name"
  local start=$SECONDS rc=0
  "$@" || rc=$?
  local secs=$((SECONDS - start))
  STEP_NAMES+=("$name")
  STEP_SECS+=("$secs")
  if [[ $rc -eq 0 ]]; then
    STEP_RESULTS+=(PASS)
  else
    STEP_RESULTS+=("FAIL(rc=$rc)")
    FAILED_STEPS=$((FAILED_STEPS + 1))
    echo "test.sh: step '$name' failed with exit code $rc" >&2
  fi
  return $rc
}

skip_step() {
  STEP_NAMES+=("$1")
  STEP_RESULTS+=("SKIPPED ($2)")
  STEP_SECS+=(0)
}

format_check() {
  local files=()
  mapfile -t files < <(find src tests bench -type f \
    \( -name '*.cpp' -o -name '*.cc' -o -name '*.h' -o -name '*.hpp' \) 2>/dev/null | sort)
  if ((${#files[@]} == 0)); then
    echo "no C++ files to check"
    return 0
  fi
  echo "clang-format: checking ${#files[@]} files"
  local bad=() f
  for f in "${files[@]}"; do
    clang-format --dry-run --Werror "$f" >/dev/null 2>&1 || bad+=("$f")
  done
  if ((${#bad[@]})); then
    echo "clang-format: ${#bad[@]} file(s) not formatted (fix with: clang-format -i FILE...):"
    printf '  %s\n' "${bad[@]}"
    # The first few differences, to show what is wrong.
    clang-format --dry-run --Werror "${bad[@]}" 2>&1 | head -n 20
    return 1
  fi
}

unit_tests() {
  local dir="$1" flavour="$2"
  ctest --test-dir "$dir" --output-on-failure --no-tests=error --timeout 120 -j2 \
    --output-junit "$REPORTS/ctest-$flavour.xml"
}

integration_tests() {
  local bin="$1" flavour="$2"
  # shellcheck disable=SC2086
  TOLLGATE_BIN="$bin" timeout --kill-after=30 1200 "$PY" -m pytest tests/integration \
    -p no:cacheprovider -q -ra --timeout=180 \
    --junitxml="$REPORTS/pytest-$flavour.xml" ${PYTEST_ARGS:-}
}

# ---------------------------------------------------------------------------------------------
if [[ "${TOLLGATE_SKIP_SETUP:-0}" == 1 ]]; then
  skip_step setup "TOLLGATE_SKIP_SETUP=1"
else
  if ! run_step setup bash scripts/setup.sh; then
    echo "test.sh: setup failed; nothing else can run" >&2
    echo "tests: 0 passed, 1 failed"
    exit 1
  fi
fi

run_step clang-format format_check || true

for flavour in $FLAVOURS; do
  case "$flavour" in
    release) dir=build ;;
    asan) dir=build-asan ;;
    *) echo "test.sh: unknown flavour '$flavour'" >&2; exit 2 ;;
  esac

  if [[ "$flavour" == asan ]]; then
    # LeakSanitizer on; any report ends the process with a non-zero status, which the unit
    # tests and the integration fixtures (exit status 0 after SIGTERM) both catch.
    export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:halt_on_error=1:detect_stack_use_after_return=0:strict_string_checks=1:check_initialization_order=1"
    export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
  else
    unset ASAN_OPTIONS UBSAN_OPTIONS
  fi

  if run_step "build $flavour" bash scripts/build.sh "$flavour"; then
    run_step "unit tests $flavour" unit_tests "$dir" "$flavour" || true
    run_step "integration tests $flavour" integration_tests "$ROOT/$dir/tollgate" "$flavour" || true
  else
    skip_step "unit tests $flavour" "build failed"
    skip_step "integration tests $flavour" "build failed"
  fi
done

if [[ "${FUZZ_SECONDS:-60}" != 0 ]]; then
  run_step fuzz bash scripts/fuzz.sh || true
else
  skip_step fuzz "FUZZ_SECONDS=0"
fi

# --- summary ---------------------------------------------------------------------------------
banner summary
for i in "${!STEP_NAMES[@]}"; do
  printf '  %-28s %-14s %5ss\n' "${STEP_NAMES[$i]}" "${STEP_RESULTS[$i]}" "${STEP_SECS[$i]}"
done
printf '  total time %ss\n' "$((SECONDS - T0))"

# Test counts from the JUnit reports of ctest and pytest; a failed step that ran no test
# (formatting, a build) counts as one failure.
counts="$("$PY" - "$REPORTS" <<'EOF' 2>/dev/null || echo "0 0 0"
import glob, sys, xml.etree.ElementTree as ET
p = f = s = 0
for path in glob.glob(sys.argv[1] + "/*.xml"):
    root = ET.parse(path).getroot()
    suites = [root] if root.tag == "testsuite" else root.findall("testsuite")
    for ts in suites:
        for tc in ts.findall("testcase"):
            if tc.find("failure") is not None or tc.find("error") is not None:
                f += 1
            elif tc.find("skipped") is not None or tc.get("status") in ("disabled", "notrun"):
                s += 1
            else:
                p += 1
print(p, f, s)
EOF
)"
read -r passed failed skipped <<<"$counts"

step_only_failures=0
for i in "${!STEP_NAMES[@]}"; do
  case "${STEP_NAMES[$i]}" in
    unit\ tests*|integration\ tests*) ;;
    *) [[ "${STEP_RESULTS[$i]}" == FAIL* ]] && step_only_failures=$((step_only_failures + 1)) ;;
  esac
done
# A test step can fail without a failed test case (a crash, a timeout, pytest finding no test).
if ((FAILED_STEPS > 0 && failed == 0 && step_only_failures == 0)); then
  step_only_failures=1
fi
failed=$((failed + step_only_failures))

echo "tests: $passed passed, $failed failed, $skipped skipped"
if ((FAILED_STEPS > 0)); then
  exit 1
fi
exit 0
