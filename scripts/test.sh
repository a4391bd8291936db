#!/usr/bin/env bash
# Copyright (c) sso.oidc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
#
# The README's test command: every quality gate of sso.oidc, from a fresh clone.
#   bash scripts/test.sh            all gates
#   bash scripts/test.sh pytest     only the named gates (sanity pytest lint docs changelog build,
#                                   and the extra gates of scripts/gates/*.sh)
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"

# Extra gates live in scripts/gates/<name>.sh: each defines run_<name> and appends <name> to EXTRA_GATES.
EXTRA_GATES=()
for _gate_file in "$(dirname "${BASH_SOURCE[0]}")"/gates/*.sh; do
  [ -e "$_gate_file" ] || continue
  # shellcheck disable=SC1090
  source "$_gate_file"
done

GATES=("$@")
[ ${#GATES[@]} -eq 0 ] && GATES=(sanity pytest lint docs changelog build "${EXTRA_GATES[@]}")
PASSED=0; FAILED=0; FAILED_NAMES=()
START=$(date +%s)

gate() {
  local name="$1"; shift
  log "[$name] $*"
  local t0; t0=$(date +%s)
  if "$@"; then
    PASSED=$((PASSED + 1)); echo "--- [$name] passed in $(( $(date +%s) - t0 ))s"
  else
    FAILED=$((FAILED + 1)); FAILED_NAMES+=("$name"); echo "--- [$name] FAILED after $(( $(date +%s) - t0 ))s"
  fi
}

want() { local g; for g in "${GATES[@]}"; do [ "$g" = "$1" ] && return 0; done; return 1; }

run_sanity() {
  local out="$STAGE/tests/output/sanity.log"
  mkdir -p "$(dirname "$out")"
  (cd "$STAGE" && ansible-test sanity --python 3.11 --color no --requirements --venv > "$out" 2>&1)
  local rc=$?
  grep -v -e '^WARNING: Location' -e 'is ignored: it is neither' "$out"
  if grep -q "All targets skipped" "$out" || ! grep -q "Running sanity test" "$out"; then
    echo "ansible-test sanity ran no test (it found no files to check)"; return 1
  fi
  return $rc
}

run_pytest() {
  # Two runs: everything but the timing tests on both cores, then the timing tests (wall-clock comparisons,
  # such as forks 10 against forks 1) alone, so that no other test shares the machine while they measure.
  (cd "$STAGE/tests" && python -m pytest -n 2 --dist load -q -o cache_dir=/tmp/.sso-oidc-pytest-cache \
     -W ignore::DeprecationWarning -m "not timing" "${PYTEST_ARGS[@]}" &&
   { python -m pytest -q -o cache_dir=/tmp/.sso-oidc-pytest-cache -W ignore::DeprecationWarning -m timing \
       "${PYTEST_ARGS[@]}" || [ $? -eq 5 ]; })  # 5: no timing test among those selected
}

run_lint() {
  (cd "$STAGE" && ANSIBLE_COLLECTIONS_PATH="$STAGE_ROOT" ansible-lint --profile production --offline -q)
}

run_docs() {
  (cd "$STAGE" && ANSIBLE_COLLECTIONS_PATH="$STAGE_ROOT" antsibull-docs lint-collection-docs --plugin-docs .)
}

run_changelog() {
  (cd "$STAGE" && antsibull-changelog lint)
}

run_build() {
  local out="${SSO_OIDC_BUILD:-$REPO/build}/dist" inst="${SSO_OIDC_BUILD:-$REPO/build}/installed"
  rm -rf "$out" "$inst"; mkdir -p "$out" "$inst"
  (cd "$STAGE" && ansible-galaxy collection build --output-path "$out" >/dev/null) || return 1
  local tarball; tarball="$(ls "$out"/sso-oidc-*.tar.gz)"
  if tar -tzf "$tarball" | grep -E '(^|/)(tests/simulators|tests/unit|\.venv|build)/' >/dev/null; then
    echo "the built collection contains test or dev files"; return 1
  fi
  ansible-galaxy collection install --offline -p "$inst" "$tarball" >/dev/null || return 1
  ANSIBLE_COLLECTIONS_PATH="$inst" ansible-galaxy collection verify --offline sso.oidc -p "$inst" >/dev/null 2>&1 || true
  local modules; modules="$(ANSIBLE_COLLECTIONS_PATH="$inst" ansible-doc -l sso.oidc 2>/dev/null | awk '{print $1}')"
  [ -n "$modules" ] || { echo "ansible-doc lists no module of the built collection"; return 1; }
  local m
  for m in $modules; do
    ANSIBLE_COLLECTIONS_PATH="$inst" ansible-doc "$m" >/dev/null || { echo "ansible-doc $m failed"; return 1; }
  done
  ANSIBLE_COLLECTIONS_PATH="$inst" ansible-doc -t role sso.oidc.sso_rollout >/dev/null 2>&1 || \
    [ ! -d "$REPO/roles/sso_rollout" ] || { echo "ansible-doc of the role failed"; return 1; }
  echo "built $(basename "$tarball"): $(echo "$modules" | wc -l) modules documented"
}

setup_venv
setup_ansible_test_cache
activate
stage_collection
PYTEST_ARGS=()
[ -n "${SSO_OIDC_PYTEST_ARGS:-}" ] && read -r -a PYTEST_ARGS <<< "$SSO_OIDC_PYTEST_ARGS"

want sanity && gate sanity run_sanity
want pytest && gate pytest run_pytest
want lint && gate lint run_lint
want docs && gate docs run_docs
want changelog && gate changelog run_changelog
want build && gate build run_build
for _extra in "${EXTRA_GATES[@]}"; do
  want "$_extra" && gate "$_extra" "run_$_extra"
done

echo
echo "sso.oidc test gates finished in $(( $(date +%s) - START ))s"
[ ${#FAILED_NAMES[@]} -gt 0 ] && echo "failed gates: ${FAILED_NAMES[*]}"
echo "gates: $PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
