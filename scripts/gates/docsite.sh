#!/usr/bin/env bash
# Copyright (c) sso.oidc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
#
# Gate docsite: the collection's HTML documentation, built offline as community collections build
# theirs (antsibull-docs sphinx-init --use-current --fail-on-error, then its build.sh, which runs
# antsibull-docs collection and sphinx-build -W), with every module, the role with its argument spec,
# and the Markdown guides of docs/ as extra docs (docs/docsite/extra-docs.yml, links.yml,
# tests/docsite/sphinx_guides.py). Any Sphinx warning fails. Then tests/docsite/ serves the built
# site on loopback and reads it in headless Chromium, saving screenshots under
# ${SSO_OIDC_BUILD:-build}/docsite-screenshots/.
#   SSO_OIDC_BUILD=/tmp/me-build bash scripts/test.sh docsite
# The site: ${SSO_OIDC_BUILD:-build}/docsite/build/html/index.html

# Adds the lines conf.py needs for an offline build with the Markdown guides.
_docsite_conf() {
  local repo_url; repo_url="$(python -c 'import sys, yaml; print(yaml.safe_load(open(sys.argv[1]))["repository"])' \
    "$STAGE/galaxy.yml")" || return 1
  cat >> "$1/conf.py" <<EOF

# --- sso.oidc (scripts/gates/docsite.sh): offline build, Markdown guides ---
import sys as _sys
_sys.path.insert(0, '$STAGE/tests/docsite')
html_title = 'sso.oidc collection documentation'
# No inventories can be downloaded here: no intersphinx, and references into docs.ansible.com stay text.
intersphinx_mapping = {}
suppress_warnings = ['ref.ref']
extensions += ['myst_parser', 'sphinx_guides']
myst_heading_anchors = 4
sso_oidc_guides_dir = '$STAGE/docs'
sso_oidc_repository_url = '$repo_url'
html_theme_options = {'topbar_links': {'Repository': '$repo_url', 'Issues': '$repo_url/issues'},
                      'show_rtd_ethical_ads': False}
EOF
}

# Every guide in docs/ is in the docsite, and every stub names an existing guide.
_docsite_check_guides() {
  local md name ok=0
  for md in "$STAGE"/docs/*.md; do
    name="$(basename "$md" .md)"
    if ! grep -qE "^[[:space:]]+sso-oidc-guide: $name\.md[[:space:]]*$" "$STAGE/docs/docsite/rst/$name.rst" 2>/dev/null; then
      echo "docs/$name.md is not in the docsite: add docs/docsite/rst/$name.rst (a stub like the others)" \
           "and its entry in docs/docsite/extra-docs.yml"
      ok=1
    fi
  done
  return $ok
}

run_docsite() {
  local out="${SSO_OIDC_BUILD:-$REPO/build}"
  local site="$out/docsite"
  rm -rf "$site"; mkdir -p "$site"; chmod 700 "$site"  # antsibull-docs wants a directory only its owner writes
  _docsite_check_guides || return 1
  (cd "$site" && ANSIBLE_COLLECTIONS_PATH="$STAGE_ROOT" antsibull-docs sphinx-init --use-current --fail-on-error \
      --squash-hierarchy --dest-dir "$site" --project sso.oidc --copyright 'sso.oidc contributors' \
      --title 'sso.oidc' sso.oidc >/dev/null) || return 1
  _docsite_conf "$site" || return 1
  local log="$site/build.log"
  if ! (cd "$site" && ANSIBLE_COLLECTIONS_PATH="$STAGE_ROOT" bash ./build.sh > "$log" 2>&1); then
    grep -iE 'warning|error|exception' "$log" || tail -40 "$log"
    echo "docsite build failed (log: $log)"; return 1
  fi
  if grep -iE '(WARNING|ERROR):' "$log"; then
    echo "docsite build printed warnings (log: $log)"; return 1
  fi
  echo "docsite built: $site/build/html/index.html ($(find "$site/build/html" -name '*.html' | wc -l) pages)"
  setup_chromium || return 1
  (cd "$STAGE/tests" && SSO_OIDC_DOCSITE="$site/build/html" SSO_OIDC_SCREENSHOTS="$out/docsite-screenshots" \
     python -m pytest -q -p no:cacheprovider -p no:xdist docsite)
}

EXTRA_GATES+=(docsite)
