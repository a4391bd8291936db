#!/usr/bin/env bash
# Copyright (c) sso.oidc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
#
# Gate galaxy_importer: what Galaxy and Automation Hub run on an upload. Builds the collection
# tarball from the stage and runs galaxy-importer (pinned in requirements-dev.txt) on it, offline,
# without containers: ansible-doc of every plugin, ansible-lint (production profile, offline),
# requires_ansible, licence, changelog, required Galaxy tags, the files meta/execution-environment.yml
# names. Its ansible-test step stays off (it needs a container engine). Any ERROR or WARNING line
# of galaxy-importer fails the gate, and so does a CHANGELOG.md that is not the generated one.
#   SSO_OIDC_BUILD=/tmp/me-build bash scripts/test.sh galaxy_importer

# CHANGELOG.md is what antsibull-changelog generates from changelogs/changelog.yaml (after a release:
# `antsibull-changelog release`, which also writes CHANGELOG.md; docs/developing.md).
_changelog_md_in_sync() {
  local dir="$1/changelog-check"
  mkdir -p "$dir" && cp -r "$STAGE/changelogs" "$STAGE/galaxy.yml" "$dir/" || return 1
  (cd "$dir" && antsibull-changelog generate --output "$dir/CHANGELOG.md") || return 1
  if ! cmp -s "$dir/CHANGELOG.md" "$STAGE/CHANGELOG.md"; then
    diff -u "$STAGE/CHANGELOG.md" "$dir/CHANGELOG.md" | head -40
    echo "CHANGELOG.md differs from what antsibull-changelog generates from changelogs/changelog.yaml:" \
         "run 'antsibull-changelog generate' and commit CHANGELOG.md"
    return 1
  fi
}

run_galaxy_importer() {
  local out="${SSO_OIDC_BUILD:-$REPO/build}/galaxy-importer"
  rm -rf "$out"; mkdir -p "$out/tmp"
  _changelog_md_in_sync "$out" || return 1
  (cd "$STAGE" && ansible-galaxy collection build --output-path "$out" >/dev/null) || return 1
  local tarball; tarball="$(ls "$out"/sso-oidc-*.tar.gz)"
  # Galaxy's own defaults, plus the required-tag check; ansible-test off (containers only).
  # flake8 stays off as on Galaxy: its W503 contradicts the pep8 style ansible-test sanity enforces.
  cat > "$out/galaxy-importer.cfg" <<EOF
[galaxy-importer]
log_level_main = INFO
run_ansible_test = False
ansible_test_local_image = False
local_image_docker = False
run_ansible_doc = True
run_ansible_lint = True
offline_ansible_lint = True
check_changelog = True
check_required_tags = True
run_flake8 = False
ansible_local_tmp = $out/tmp/ansible
tmp_root_dir = $out/tmp
EOF
  (cd "$out" && GALAXY_IMPORTER_CONFIG="$out/galaxy-importer.cfg" ANSIBLE_COLLECTIONS_PATH="$out/tmp" \
     python -m galaxy_importer.main "$tarball" > "$out/galaxy-importer.log" 2>&1)
  local rc=$?
  local problems; problems="$(grep -E '^(WARNING|ERROR|CRITICAL)' "$out/galaxy-importer.log")"
  if [ $rc -ne 0 ] || [ -n "$problems" ] || \
     ! grep -q '^Importer processing completed successfully' "$out/galaxy-importer.log"; then
    cat "$out/galaxy-importer.log"
    echo "galaxy-importer: exit $rc, $(printf '%s' "$problems" | grep -c .) warnings or errors (log: $out/galaxy-importer.log)"
    return 1
  fi
  python - "$out/importer_result.json" "$STAGE" <<'PYEOF' || return 1
import json, os, sys
data = json.load(open(sys.argv[1]))
docs = {(c["content_type"], c["content_name"]): c for c in data["docs_blob"]["contents"]}
modules = sorted(f[:-3] for f in os.listdir(os.path.join(sys.argv[2], "plugins", "modules"))
                 if f.endswith(".py") and not f.startswith("_"))
missing = [m for m in modules if not (docs.get(("module", m)) or {}).get("doc_strings")]
if not modules or missing:
    sys.exit("galaxy-importer has no documentation for the modules: " + (", ".join(missing) or "(none found)"))
if not (docs.get(("role", "sso_rollout")) or {}).get("readme_html") and os.path.isdir(os.path.join(sys.argv[2], "roles", "sso_rollout")):
    sys.exit("galaxy-importer did not import the role sso_rollout")
print(f"galaxy-importer: {len(data['contents'])} contents, {len(modules)} modules documented, "
      f"requires_ansible {data.get('requires_ansible')}, no warning or error")
PYEOF
}

EXTRA_GATES+=(galaxy_importer)
