#!/usr/bin/env bash
# Copyright (c) sso.oidc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
#
# Release-matrix virtualenvs: one controller venv per ansible-core release line, and small
# managed-node venvs for the module-process runs.
#
#   bash scripts/matrix.sh lines             the lines: <line> <ansible-core> <python X.Y> <oldest> <newest>
#                                            (the last two: managed-node Pythons of the module-process runs)
#   bash scripts/matrix.sh python <line>     the interpreter of a line's controller venv (exit 1 if missing)
#   bash scripts/matrix.sh python-of <X.Y>   the interpreter for Python X.Y (exit 1 if missing)
#   bash scripts/matrix.sh venv <line>|all   create/refresh .venvs/core-<line>, print its path
#   bash scripts/matrix.sh target <X.Y>      create/refresh .venvs/target-<X.Y> (a managed-node Python
#                                            with the modules' requirements), print its path
#
# Lines, versions and Pythons: tests/matrix/lines.txt. Pins: tests/matrix/requirements.txt (controller)
# and tests/matrix/target-requirements.txt (managed node). A venv is rebuilt only when its pins, its
# ansible-core or its Python change (stamp file .matrix.sha256 in the venv). Interpreters come from
# pyenv (the newest installed X.Y.z) or from pythonX.Y on PATH.
set -euo pipefail
# shellcheck source=scripts/setup.sh
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"

MATRIX_DIR="$REPO/tests/matrix"
VENVS="$REPO/.venvs"

# Prints "<line> <core> <python> <target-oldest> <target-newest>" for each line of tests/matrix/lines.txt.
matrix_lines() {
  grep -vE '^\s*(#|$)' "$MATRIX_DIR/lines.txt" | awk '{print $1, $2, $3, $4, $5}'
}

matrix_field() { # <line> <column 2-5>
  matrix_lines | awk -v l="$1" -v c="$2" '$1 == l {print $c}'
}

# Prints the path of a working interpreter for Python X.Y, or fails with a reason on stderr.
find_python() {
  local want="$1" cand prefix v
  if command -v pyenv >/dev/null 2>&1; then
    v="$(pyenv versions --bare 2>/dev/null | grep -E "^${want//./\\.}\.[0-9]+$" | sort -t. -k3 -n | tail -n 1 || true)"
    if [ -n "$v" ]; then
      prefix="$(pyenv prefix "$v" 2>/dev/null || true)"
      cand="$prefix/bin/python$want"
      if [ -x "$cand" ] && "$cand" -c 'import venv' >/dev/null 2>&1; then echo "$cand"; return 0; fi
    fi
  fi
  cand="$(command -v "python$want" 2>/dev/null || true)"
  if [ -n "$cand" ] && [ "$("$cand" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null)" = "$want" ]; then
    echo "$cand"; return 0
  fi
  echo "Python $want not found (neither in pyenv nor as a working python$want on PATH)" >&2
  return 1
}

_stamp_of() { # <files...> then extra words on stdin
  { cat "$@"; cat; } | sha256sum | cut -d' ' -f1
}

_pip() { # <venv> <pip args...>
  local venv="$1"; shift
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "$@" 2>&1 \
    | grep -v -e '^WARNING: Location' -e 'is ignored: it is neither' || true
}

# Creates (or reuses) .venvs/core-<line>; prints its path on stdout, progress on stderr.
core_venv() {
  local line="$1" core pyver py venv want stamp
  core="$(matrix_field "$line" 2)"; pyver="$(matrix_field "$line" 3)"
  [ -n "$core" ] || { echo "unknown release line '$line' (see tests/matrix/lines.txt)" >&2; return 2; }
  py="$(find_python "$pyver")" || return 1
  venv="$VENVS/core-$line"; stamp="$venv/.matrix.sha256"
  want="$(echo "ansible-core==$core $("$py" -VV)" | _stamp_of "$MATRIX_DIR/requirements.txt")"
  if [ -x "$venv/bin/python" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    echo "$venv"; return 0
  fi
  echo "==> Creating $venv (ansible-core $core, Python $pyver from $py)" >&2
  rm -rf "$venv"; mkdir -p "$VENVS"
  "$py" -m venv "$venv" >&2
  _pip "$venv" --upgrade pip >&2
  _pip "$venv" -r "$MATRIX_DIR/requirements.txt" "ansible-core==$core" >&2
  # fail loudly if pip failed
  local check="import ansible, requests, botocore, oidc_provider_mock, pytest, xdist, hypothesis"
  "$venv/bin/python" -c "$check" >/dev/null 2>&1 || { "$venv/bin/python" -c "$check" >&2; return 1; }
  [ "$("$venv/bin/python" -c 'from ansible.release import __version__; print(__version__)')" = "$core" ] || {
    echo "$venv: ansible-core is not $core" >&2; return 1; }
  echo "$want" > "$stamp"
  echo "$venv"
}

# Creates (or reuses) .venvs/target-<X.Y>: a managed-node Python with the modules' requirements.
target_venv() {
  local pyver="$1" py venv want stamp
  py="$(find_python "$pyver")" || return 1
  venv="$VENVS/target-$pyver"; stamp="$venv/.matrix.sha256"
  want="$("$py" -VV | _stamp_of "$MATRIX_DIR/target-requirements.txt")"
  if [ -x "$venv/bin/python" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    echo "$venv"; return 0
  fi
  echo "==> Creating $venv (managed-node Python $pyver from $py)" >&2
  rm -rf "$venv"; mkdir -p "$VENVS"
  "$py" -m venv "$venv" >&2
  _pip "$venv" -r "$MATRIX_DIR/target-requirements.txt" >&2
  "$venv/bin/python" -c "import requests" >&2 || return 1
  echo "$want" > "$stamp"
  echo "$venv"
}

# Runs a command with an exclusive lock per venv: legs that run in parallel share the target venvs.
_locked() { # <venv name> <command...>
  local name="$1"; shift
  mkdir -p "$VENVS"
  if command -v flock >/dev/null 2>&1; then
    ( flock 9; "$@" ) 9>"$VENVS/.$name.lock"
  else
    "$@"
  fi
}

matrix_main() {
  local cmd="${1:-}"; shift || true
  case "$cmd" in
    lines) matrix_lines ;;
    python) [ $# -eq 1 ] || { echo "usage: $0 python <line>" >&2; return 2; }
            [ -n "$(matrix_field "$1" 3)" ] || { echo "unknown release line '$1'" >&2; return 2; }
            find_python "$(matrix_field "$1" 3)" ;;
    python-of) [ $# -eq 1 ] || { echo "usage: $0 python-of <X.Y>" >&2; return 2; }
            find_python "$1" ;;
    venv)
      [ $# -ge 1 ] || { echo "usage: $0 venv <line>|all" >&2; return 2; }
      local l rc=0
      if [ "$1" = all ]; then
        for l in $(matrix_lines | awk '{print $1}'); do _locked "core-$l" core_venv "$l" || rc=1; done
      else
        for l in "$@"; do _locked "core-$l" core_venv "$l" || rc=1; done
      fi
      return $rc ;;
    target) [ $# -eq 1 ] || { echo "usage: $0 target <X.Y>" >&2; return 2; }
            _locked "target-$1" target_venv "$1" ;;
    *) sed -n '5,19p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; return 2 ;;
  esac
}

# Run as a script (not when sourced by scripts/gates/matrix.sh).
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  matrix_main "$@"
fi
