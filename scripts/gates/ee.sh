#!/usr/bin/env bash
# Copyright (c) sso.oidc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
#
# Gate ee: the execution environment of AWX/AAP, checked without a container engine.
# Builds the collection tarball from the stage and installs it, runs `ansible-builder introspect --sanitize`
# on it (what the builder's container stage runs to find the collection's requirements, through
# meta/execution-environment.yml), then `ansible-builder create` on an EE definition (version 3) that
# installs the tarball and the introspected requirements, and checks that the generated build context
# holds every Python requirement of requirements.txt with its minimum version, and nothing else.
# No image is built.
#   SSO_OIDC_BUILD=/tmp/me-build bash scripts/test.sh ee

run_ee() {
  local out="${SSO_OIDC_BUILD:-$REPO/build}/ee"
  rm -rf "$out"; mkdir -p "$out/collections"
  (cd "$STAGE" && ansible-galaxy collection build --output-path "$out" >/dev/null) || return 1
  local tarball; tarball="$(ls "$out"/sso-oidc-*.tar.gz)"
  ansible-galaxy collection install --offline --no-deps -p "$out/collections" "$tarball" >/dev/null || return 1

  # 1. Introspection: the requirements an EE build finds in the installed collection.
  ansible-builder introspect --sanitize --write-pip "$out/introspect-pip.txt" \
    --write-bindep "$out/introspect-bindep.txt" "$out/collections" > "$out/introspect.log" 2>&1 || {
    cat "$out/introspect.log"; return 1; }

  # 2. The build context of an EE with the collection (the definition docs/awx.md shows, with the local
  #    tarball instead of Galaxy / Automation Hub).
  mkdir -p "$out/definition"
  cp "$tarball" "$out/definition/"
  cp "$out/introspect-pip.txt" "$out/definition/requirements.txt"
  cat > "$out/definition/requirements.yml" <<EOF
---
collections:
  - name: collections/$(basename "$tarball")
    type: file
EOF
  cat > "$out/definition/execution-environment.yml" <<EOF
---
version: 3
images:
  base_image:
    name: registry.redhat.io/ansible-automation-platform-25/ee-minimal-rhel9:latest
dependencies:
  ansible_core:
    package_pip: ansible-core>=2.16
  ansible_runner:
    package_pip: ansible-runner
  galaxy: requirements.yml
  python: requirements.txt
additional_build_files:
  - src: $(basename "$tarball")
    dest: collections
EOF
  (cd "$out/definition" && ansible-builder create -f execution-environment.yml -c "$out/context" \
     > "$out/create.log" 2>&1) || { cat "$out/create.log"; return 1; }

  # 3. The checks: requirements.txt (the floors) against the introspection and the build context.
  python - "$REPO" "$out" "$(basename "$tarball")" <<'PYEOF'
import os, re, sys, yaml
from packaging.requirements import Requirement

repo, out, tarball = sys.argv[1:4]

def reqs(path):
    found = {}
    with open(path) as handle:
        for line in handle:
            line = re.sub(r"(^|\s)#.*$", "", line).strip()
            if line:
                req = Requirement(line)
                found[req.name.lower().replace("_", "-")] = str(req.specifier)
    return found

problems = []
wanted = reqs(os.path.join(repo, "requirements.txt"))
if not wanted:
    problems.append("requirements.txt lists no requirement")
for name, spec in wanted.items():
    if not any(s.startswith(">=") for s in spec.split(",")):
        problems.append("requirements.txt: %s has no minimum version (%r)" % (name, spec))
with open(os.path.join(repo, "meta", "execution-environment.yml")) as handle:
    meta = yaml.safe_load(handle)
ee_file = (meta.get("dependencies") or {}).get("python")
if not ee_file:
    problems.append("meta/execution-environment.yml names no python requirements file")
elif reqs(os.path.join(repo, ee_file)) != wanted:
    problems.append("%s %s differs from requirements.txt %s: keep them in step"
                    % (ee_file, reqs(os.path.join(repo, ee_file)), wanted))
for label, path in (("introspect --sanitize", os.path.join(out, "introspect-pip.txt")),
                    ("build context _build/requirements.txt", os.path.join(out, "context", "_build", "requirements.txt"))):
    if not os.path.isfile(path):
        problems.append("%s: %s was not written" % (label, path))
        continue
    got = reqs(path)
    if got != wanted:
        problems.append("%s gives %s, requirements.txt says %s" % (label, got, wanted))
    with open(path) as handle:
        text = handle.read()
    if wanted and "from collection sso.oidc" not in text:
        problems.append("%s does not attribute the requirements to sso.oidc:\n%s" % (label, text))
build = os.path.join(out, "context", "_build")
for rel in ("requirements.yml", os.path.join("collections", tarball)):
    if not os.path.isfile(os.path.join(build, rel)):
        problems.append("build context: _build/%s is missing" % rel)
text = ""
for name in ("Containerfile", "Dockerfile"):  # the name follows the container runtime ansible-builder finds
    if os.path.isfile(os.path.join(out, "context", name)):
        text = open(os.path.join(out, "context", name)).read()
for needle in ("requirements.txt", "requirements.yml", "introspect"):
    if needle not in text:
        problems.append("the Containerfile does not use %s" % needle)
bindep = os.path.join(out, "introspect-bindep.txt")
if os.path.isfile(bindep) and open(bindep).read().strip():
    problems.append("introspection found system packages, but the collection declares none:\n" + open(bindep).read())
if problems:
    sys.exit("ee gate:\n  " + "\n  ".join(problems))
print("ee: introspection and build context hold %s" % ", ".join("%s%s" % kv for kv in sorted(wanted.items())))
PYEOF
}

EXTRA_GATES+=(ee)
