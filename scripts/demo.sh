#!/usr/bin/env bash
# Copyright (c) sso.oidc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
#
# The README's main-job command: one identity provider rolled out to AWS Wickr, Checkmarx, SlashID
# and vCenter by the role sso.oidc.sso_rollout, against the bundled API simulators and a real
# OpenID provider, run twice; the second run must change nothing.
#
#   bash scripts/demo.sh
#
# It builds the collection and installs it into build/demo/collections, so the rollout uses the
# installed collection (as a user would), not the working tree. The servers it starts are stopped
# when it ends, also when a step fails.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"

# SSO_OIDC_BUILD moves build/ (the demo goes to $SSO_OIDC_BUILD/demo), SSO_OIDC_SIM_DIR the simulators'
# state from .sim, and SSO_OIDC_VENV runs the demo with an existing virtualenv (ansible-core, requests,
# botocore and the simulators' packages) instead of .venv: the release matrix runs it on each ansible-core line.
DEMO="${SSO_OIDC_BUILD:-$REPO/build}/demo"
SIM_DIR="${SSO_OIDC_SIM_DIR:-$REPO/.sim}"
PLAYBOOK="$REPO/playbooks/sso_rollout.yml"
STEPS=6
SIM_STARTED=""
START=$(date +%s)

step() {
  local n="$1"; shift
  printf '\n==> [%s/%s] %s\n' "$n" "$STEPS" "$1"
  shift
  local line
  for line in "$@"; do printf '    %s\n' "$line"; done
}

stop_simulators() {
  if [ -n "$SIM_STARTED" ]; then
    printf '\n==> Stopping the simulators and the OpenID provider\n'
    (cd "$REPO" && PYTHONPATH=tests "$VENV/bin/python" -m simulators stop --dir "$SIM_DIR") || true
    SIM_STARTED=""
  fi
}

finish() {
  local rc=$?
  stop_simulators
  if [ "$rc" -ne 0 ]; then
    printf '\nThe demo FAILED (exit code %s); the output above says where' "$rc" >&2
    [ -f "$SIM_DIR/simulators.log" ] && printf ' (simulator log: .sim/simulators.log)' >&2
    printf '.\n' >&2
  else
    rm -rf "$SIM_DIR"   # simulator state, test CA and log: nothing worth keeping after a good run
  fi
  exit "$rc"
}
trap finish EXIT
trap 'exit 130' INT TERM

# Runs the example rollout with the installed collection; the output goes to the screen and to $1.
rollout() {
  local log="$1"
  (cd "$REPO" && ANSIBLE_COLLECTIONS_PATH="$DEMO/collections" \
     ANSIBLE_ROLES_PATH="$DEMO/no-roles" \
     ANSIBLE_LOCALHOST_WARNING=false ANSIBLE_INVENTORY_UNPARSED_WARNING=false \
     ANSIBLE_DISPLAY_SKIPPED_HOSTS=false ANSIBLE_DEPRECATION_WARNINGS=false ANSIBLE_RETRY_FILES_ENABLED=false \
     ansible-playbook "$PLAYBOOK" -e "sim_env_file=$SIM_DIR/env.json") 2>&1 | tee "$log"
}

# The "changed=N" of the play recap in a run's output.
recap_changed() {
  grep -E '^localhost +: ok=' "$1" | tail -n 1 | sed -E 's/.*changed=([0-9]+).*/\1/'
}

summary_lines() {
  grep -E '^ +"(SSO rollout of |wickr |checkmarx |slashid |vcenter )' "$1" | sed -E 's/^ +"//; s/",?$//; s/^/    /'
}

step 1 "Preparing .venv with the pinned tool chain" \
  "(created on first use from requirements-dev.txt; later runs reuse it)"
if [ -n "${SSO_OIDC_VENV:-}" ]; then VENV="$SSO_OIDC_VENV"; else setup_venv; fi
activate
ansible --version | sed -n '1s/^/    /p'   # sed reads it all: no broken pipe

step 2 "Building the collection and installing it into build/demo/collections"
SSO_OIDC_BUILD="$DEMO" stage_collection
rm -rf "$DEMO/dist" "$DEMO/collections"
mkdir -p "$DEMO/dist" "$DEMO/collections" "$DEMO/no-roles"
(cd "$STAGE" && ansible-galaxy collection build --output-path "$DEMO/dist" >/dev/null)
TARBALL="$(ls "$DEMO"/dist/sso-oidc-*.tar.gz)"
ansible-galaxy collection install --offline -p "$DEMO/collections" "$TARBALL" >/dev/null
rm -rf "$DEMO/stage"
ANSIBLE_COLLECTIONS_PATH="$DEMO/collections" ansible-galaxy collection list sso.oidc -p "$DEMO/collections" 2>/dev/null \
  | grep -E '^sso\.oidc' | sed 's/^/    installed: /'

step 3 "Starting the API simulators (Wickr, Checkmarx, SlashID, vCenter) and the OpenID provider" \
  "(loopback only, with their own CA; their URLs and credentials go to .sim/env.json)"
# Simulators left running in .sim by an earlier run would carry their state over: start afresh.
(cd "$REPO" && PYTHONPATH=tests python -m simulators stop --dir "$SIM_DIR" >/dev/null)
SIM_STARTED=1
(cd "$REPO" && PYTHONPATH=tests python -m simulators start --dir "$SIM_DIR" --fresh >/dev/null)
python - "$SIM_DIR/env.json" <<'PYEOF'
import json, sys
env = json.load(open(sys.argv[1]))
print("    OpenID provider: %s" % env["oidc"]["issuer"])
for name in ("wickr", "checkmarx", "slashid", "vcenter"):
    if name in env:
        print("    %-16s %s" % (name + ":", env[name]["url"]))
PYEOF

step 4 "First run of playbooks/sso_rollout.yml: configures every application" \
  "(preflight checks the identity provider, then configure, verify, summary)"
rollout "$DEMO/first-run.log"
FIRST_CHANGED="$(recap_changed "$DEMO/first-run.log")"

step 5 "Second run: the same playbook again must change nothing (changed=0)"
rollout "$DEMO/second-run.log"
SECOND_CHANGED="$(recap_changed "$DEMO/second-run.log")"

step 6 "Summary"
echo "    First run:"
summary_lines "$DEMO/first-run.log" | sed 's/^/  /'
echo "    Second run:"
summary_lines "$DEMO/second-run.log" | sed 's/^/  /'
echo
echo "    play recap: first run changed=${FIRST_CHANGED:-?}, second run changed=${SECOND_CHANGED:-?}"
if [ "${FIRST_CHANGED:-0}" = "0" ]; then
  echo "    FAILED: the first run changed nothing, so the applications were not configured" >&2
  exit 1
fi
if [ "${SECOND_CHANGED:-}" != "0" ]; then
  echo "    FAILED: the second run changed something (changed=${SECOND_CHANGED:-?}); it must be idempotent" >&2
  exit 1
fi
echo "    OK: every application was configured on the first run, and the second run changed nothing."
echo "    Full logs: build/demo/first-run.log, build/demo/second-run.log ($(( $(date +%s) - START ))s in all)"
