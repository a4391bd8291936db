#!/usr/bin/env bash
# Copyright (c) sso.oidc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
#
# Sourced by scripts/test.sh and scripts/demo.sh: creates .venv with the pinned
# tool chain, prepares ansible-test's offline get-pip cache, and stages the
# repository as build/stage/ansible_collections/sso/oidc.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$REPO/.venv"
PY_BIN="${SSO_OIDC_PYTHON:-python3.11}"
command -v "$PY_BIN" >/dev/null 2>&1 || PY_BIN=python3

log() { printf '\n==> %s\n' "$*"; }

setup_venv() {
  local stamp="$VENV/.requirements.sha256"
  local want
  want="$(sha256sum < "$REPO/requirements-dev.txt" | cut -d' ' -f1)"
  if [ -x "$VENV/bin/python" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    return 0
  fi
  log "Creating $VENV with the pinned tool chain"
  [ -x "$VENV/bin/python" ] || "$PY_BIN" -m venv "$VENV"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip >/dev/null 2>&1 || true
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r "$REPO/requirements-dev.txt" 2>&1 \
    | grep -v -e '^WARNING: Location' -e 'is ignored: it is neither' || true
  "$VENV/bin/python" -c "import ansible, requests, botocore, oidc_provider_mock" # fail loudly if pip failed
  echo "$want" > "$stamp"
}

setup_ansible_test_cache() {
  # ansible-test bootstraps its virtualenvs with a get-pip script from a file
  # server this machine cannot reach; a cached stand-in runs ensurepip instead.
  local cache="$HOME/.ansible/test/cache/get_pip_24_2.py"
  [ -f "$cache" ] && return 0
  mkdir -p "$(dirname "$cache")"
  cat > "$cache" <<'PYEOF'
"""Offline stand-in for get-pip.py, written by sso.oidc's scripts/setup.sh."""
import subprocess
import sys

args = [a for a in sys.argv[1:] if a not in ("--no-setuptools", "--no-wheel")]
subprocess.check_call([sys.executable, "-m", "ensurepip", "--upgrade", "--default-pip"])
if args:
    subprocess.check_call([sys.executable, "-m", "pip", "install"] + args)
PYEOF
}

stage_collection() {
  # A copy of the files git knows (tracked + untracked-not-ignored) at a path
  # that ends in ansible_collections/sso/oidc, as ansible-test requires.
  STAGE_ROOT="${SSO_OIDC_BUILD:-$REPO/build}/stage"
  STAGE="$STAGE_ROOT/ansible_collections/sso/oidc"
  rm -rf "$STAGE_ROOT"
  mkdir -p "$STAGE"
  (cd "$REPO" && git ls-files -z --cached --others --exclude-standard | while IFS= read -r -d '' f; do
     [ -e "$f" ] || continue
     mkdir -p "$STAGE/$(dirname "$f")"
     cp -p "$f" "$STAGE/$f"
   done)
  # ansible-test lists a collection's files with git: without a repository of its
  # own, the stage (inside this repository's ignored build/) would show no files.
  (cd "$STAGE" && git init -q . && git add -A)
  export STAGE STAGE_ROOT
}

setup_chromium() {
  # Debian's Chromium (and a text font) for the docsite's browser check (scripts/gates/docsite.sh).
  command -v chromium >/dev/null 2>&1 && return 0
  log "Installing Debian's chromium for the docsite browser check"
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq >/dev/null 2>&1 || true
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
    chromium fonts-liberation fonts-dejavu-core >/dev/null || true
  command -v chromium >/dev/null 2>&1 || { echo "chromium could not be installed (apt-get install chromium)"; return 1; }
}

activate() {
  # shellcheck disable=SC1091
  source "$VENV/bin/activate"
  export ANSIBLE_COLLECTIONS_SCAN_SYS_PATH=false
  export PIP_DISABLE_PIP_VERSION_CHECK=1
}
