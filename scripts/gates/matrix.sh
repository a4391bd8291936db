# shellcheck shell=bash
# Copyright (c) sso.oidc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
#
# Gate "matrix": the release matrix. For each ansible-core line of tests/matrix/lines.txt (2.16, 2.17,
# 2.18, 2.20, 2.21; the pinned 2.19 is what the other gates run), in its own venv made by
# scripts/matrix.sh (.venvs/core-<line>, the line's latest patch on a Python it supports):
#   sanity       ansible-test sanity --python <the leg's Python>, no ignore file
#   units        pytest tests/unit
#   rollout      scripts/demo.sh: the collection built and installed with that line, the example rollout
#                twice against the simulators (changes, then changed=0)
#   equivalence  tests/integration/test_in_process_equivalence.py (worker process vs module process)
#   leaks        tests/reliability/test_secret_leaks_playbooks.py (-vvvv playbooks, no secret in any output)
#   targets      tests/matrix/test_module_process.py: modules as module processes on the oldest and the
#                newest managed-node Python of the line (.venvs/target-<X.Y>)
# Legs run two at a time (SSO_OIDC_MATRIX_JOBS). Each leg writes its log to
# $SSO_OIDC_BUILD/matrix/<line>/leg.log (default build/matrix/) and prints one summary line. A leg
# whose Python is missing says so in one line and fails the gate: it never counts as passed.
#
#   SSO_OIDC_QUICK=1               skip the matrix (development only; ignored when CI=true)
#   SSO_OIDC_MATRIX_LINES="2.16 2.21"  only these lines (development only; ignored when CI=true)
#   SSO_OIDC_MATRIX_JOBS=2         legs at a time

EXTRA_GATES+=(matrix)

# Runs one step of a leg: its output to the leg log, its result to the leg's summary.
_matrix_step() { # <name> <command...>
  local name="$1"; shift
  local t0 rc
  t0=$(date +%s)
  printf '\n==> [%s] %s\n' "$name" "$*" >> "$LEG_LOG"
  "$@" >> "$LEG_LOG" 2>&1
  rc=$?
  LEG_STEPS+=("$name $([ $rc -eq 0 ] && echo ok || echo FAILED) $(( $(date +%s) - t0 ))s${STEP_NOTE:+ ($STEP_NOTE)}")
  STEP_NOTE=""
  [ $rc -eq 0 ] || LEG_OK=0
  return $rc
}

_matrix_sanity() { # <pyver>
  local out="$LEG_DIR/sanity.log"
  (cd "$STAGE" && ansible-test sanity --python "$1" --color no --requirements --venv > "$out" 2>&1)
  local rc=$?
  grep -v -e '^WARNING: Location' -e 'is ignored: it is neither' "$out"
  if grep -q "All targets skipped" "$out" || ! grep -q "Running sanity test" "$out"; then
    echo "ansible-test sanity ran no test (it found no files to check)"; return 1
  fi
  if [ -e "$STAGE/tests/sanity" ] && ls "$STAGE"/tests/sanity/ignore-*.txt >/dev/null 2>&1; then
    echo "tests/sanity/ignore-*.txt exists: the matrix runs sanity without ignore entries"; return 1
  fi
  STEP_NOTE="$(grep -c '^Running sanity test' "$out") tests"
  return $rc
}

_matrix_units() {
  local out="$LEG_DIR/units.log"
  (cd "$STAGE/tests" && python -m pytest -q -p no:cacheprovider -W ignore::DeprecationWarning unit > "$out" 2>&1)
  local rc=$?
  tail -n 30 "$out"
  STEP_NOTE="$(grep -E '^[0-9]+ (passed|failed)|^=+ .*(passed|failed)' "$out" | tail -n 1 | sed -E 's/^=+ //; s/ =+$//; s/ in [0-9.]+s.*//')"
  return $rc
}

_matrix_rollout() {
  SSO_OIDC_BUILD="$LEG_DIR" SSO_OIDC_SIM_DIR="$LEG_DIR/sim" SSO_OIDC_VENV="$LEG_VENV" bash "$REPO/scripts/demo.sh"
  local rc=$?
  STEP_NOTE="$(grep -oE 'first run changed=[0-9?]+, second run changed=[0-9?]+' "$LEG_LOG" | tail -n 1)"
  return $rc
}

# The equivalence test, the leak playbooks and the module-process runs in one pytest session (one
# simulator start-up).
_matrix_smoke() { # <oldest target python> <newest target python>
  local out="$LEG_DIR/smoke.log"
  (cd "$STAGE/tests" && SSO_OIDC_TARGET_PYTHONS="$1 $2" python -m pytest -q -rA -p no:cacheprovider \
     -W ignore::DeprecationWarning integration/test_in_process_equivalence.py \
     reliability/test_secret_leaks_playbooks.py matrix/test_module_process.py \
     > "$out" 2>&1)
  cat "$out"
}

# One leg, in a subshell: writes $LEG_DIR/summary (one line) and exits 0 only if every step passed.
_matrix_leg() { # <line> <core> <pyver> <oldest> <newest>
  local line="$1" core="$2" pyver="$3" oldest="$4" newest="$5"
  LEG_DIR="$MATRIX_OUT/$line"; LEG_LOG="$LEG_DIR/leg.log"; LEG_OK=1; LEG_STEPS=(); STEP_NOTE=""
  rm -rf "$LEG_DIR"; mkdir -p "$LEG_DIR"; : > "$LEG_LOG"
  local t0 head reason
  t0=$(date +%s)
  head="$(printf '%-5s ansible-core %-8s Python %-5s' "$line" "$core" "$pyver")"
  if ! bash "$REPO/scripts/matrix.sh" python "$line" >/dev/null 2>"$LEG_DIR/python.err"; then
    reason="$(cat "$LEG_DIR/python.err")"
    echo "$head NOT RUN: $reason; this leg did not run and fails the gate" | tee -a "$LEG_LOG" > "$LEG_DIR/summary"
    return 1
  fi
  _matrix_step venv bash "$REPO/scripts/matrix.sh" venv "$line" || {
    echo "$head FAILED: its venv could not be made (see $LEG_LOG)" > "$LEG_DIR/summary"; return 1; }
  LEG_VENV="$REPO/.venvs/core-$line"
  # Each ansible-test release bootstraps its own pip version (2.16/2.17: 23.1.2, 2.18: 24.2, 2.20/2.21: 25.2)
  # with a get-pip script from a server this machine cannot reach: the offline stand-in that setup.sh
  # writes serves every version.
  local cache="$HOME/.ansible/test/cache" v
  grep -ohE "pip=['\"][0-9.]+['\"]" "$LEG_VENV"/lib/python3*/site-packages/ansible_test/_internal/python_requirements.py \
    | grep -oE '[0-9][0-9.]*[0-9]' | while read -r v; do
    [ -f "$cache/get_pip_${v//./_}.py" ] || cp "$cache/get_pip_24_2.py" "$cache/get_pip_${v//./_}.py"
  done
  export PATH="$LEG_VENV/bin:$PATH" VIRTUAL_ENV="$LEG_VENV"
  hash -r
  SSO_OIDC_BUILD="$LEG_DIR" stage_collection >> "$LEG_LOG" 2>&1

  _matrix_step sanity _matrix_sanity "$pyver"
  _matrix_step units _matrix_units
  _matrix_step rollout _matrix_rollout

  local tpy=() v missing=""
  for v in "$oldest" "$newest"; do
    if bash "$REPO/scripts/matrix.sh" python-of "$v" >/dev/null 2>&1 \
       && _matrix_step "target-venv-$v" bash "$REPO/scripts/matrix.sh" target "$v"; then
      tpy+=("$REPO/.venvs/target-$v/bin/python")
    else
      missing="$missing $v"; tpy+=("$REPO/.venvs/target-$v/bin/python")
    fi
  done
  [ -z "$missing" ] || { LEG_STEPS+=("targets NOT RUN: managed-node Python$missing missing"); LEG_OK=0; }
  local sm_t0 sm_rc sm_out
  sm_t0=$(date +%s)
  printf '\n==> [smoke] equivalence, leak playbooks, module process on %s\n' "${tpy[*]}" >> "$LEG_LOG"
  _matrix_smoke "${tpy[0]}" "${tpy[1]}" >> "$LEG_LOG" 2>&1
  sm_out="$LEG_DIR/smoke.log"
  if grep -qE '^PASSED .*test_in_process_equivalence' "$sm_out" \
     && ! grep -qE '^(FAILED|ERROR) .*test_in_process_equivalence' "$sm_out"; then
    LEG_STEPS+=("equivalence ok")
  else
    LEG_STEPS+=("equivalence FAILED"); LEG_OK=0
  fi
  if grep -qE '^PASSED .*test_secret_leaks_playbooks' "$sm_out" \
     && ! grep -qE '^(FAILED|ERROR) .*test_secret_leaks_playbooks' "$sm_out"; then
    LEG_STEPS+=("leaks ok")
  else
    LEG_STEPS+=("leaks FAILED"); LEG_OK=0
  fi
  for v in "$oldest" "$newest"; do
    if grep -qE "^PASSED .*test_module_process.*\[target-$v\]" "$sm_out"; then
      LEG_STEPS+=("module-process py$v ok")
    else
      LEG_STEPS+=("module-process py$v FAILED"); LEG_OK=0
    fi
  done
  sm_rc=$(( $(date +%s) - sm_t0 ))
  LEG_STEPS+=("(smoke ${sm_rc}s)")

  local status="PASSED"
  [ "$LEG_OK" -eq 1 ] || status="FAILED"
  local IFS_OLD="$IFS" steps
  IFS='|'; steps="${LEG_STEPS[*]}"; IFS="$IFS_OLD"
  echo "$head $status in $(( $(date +%s) - t0 ))s: ${steps//|/, }" > "$LEG_DIR/summary"
  [ "$LEG_OK" -eq 1 ]
}

run_matrix() {
  if [ "${SSO_OIDC_QUICK:-}" = 1 ] && [ "${CI:-}" != true ]; then
    echo "release matrix SKIPPED (SSO_OIDC_QUICK=1, development mode): run it without that variable; CI always runs it"
    return 0
  fi
  MATRIX_OUT="${SSO_OIDC_BUILD:-$REPO/build}/matrix"
  mkdir -p "$MATRIX_OUT"
  local table want=() line core pyver oldest newest
  table="$(bash "$REPO/scripts/matrix.sh" lines)" || return 1
  if [ -n "${SSO_OIDC_MATRIX_LINES:-}" ] && [ "${CI:-}" != true ]; then
    read -r -a want <<< "$SSO_OIDC_MATRIX_LINES"
    echo "only the lines ${want[*]} (SSO_OIDC_MATRIX_LINES)"
  else
    read -r -a want <<< "$(echo "$table" | awk '{print $1}' | tr '\n' ' ')"
  fi
  local jobs="${SSO_OIDC_MATRIX_JOBS:-2}" t0
  t0=$(date +%s)
  for line in "${want[@]}"; do
    read -r _ core pyver oldest newest <<< "$(echo "$table" | awk -v l="$line" '$1 == l')"
    if [ -z "$core" ]; then
      mkdir -p "$MATRIX_OUT/$line"; echo "$line: not a line of tests/matrix/lines.txt" > "$MATRIX_OUT/$line/summary"
      continue
    fi
    while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n; done
    echo "leg $line started (log: $MATRIX_OUT/$line/leg.log)"
    ( _matrix_leg "$line" "$core" "$pyver" "$oldest" "$newest" ) &
  done
  wait
  local failed=0
  echo "release matrix: ${#want[@]} legs in $(( $(date +%s) - t0 ))s"
  for line in "${want[@]}"; do
    if [ -f "$MATRIX_OUT/$line/summary" ]; then
      echo "  $(cat "$MATRIX_OUT/$line/summary")"
      grep -q " PASSED in " "$MATRIX_OUT/$line/summary" || failed=1
    else
      echo "  $line: no result (the leg died; see $MATRIX_OUT/$line/leg.log)"; failed=1
    fi
  done
  [ "$failed" -eq 0 ]
}
