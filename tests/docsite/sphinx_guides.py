# Copyright (c) sso.oidc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Sphinx extension of the sso.oidc docsite build (scripts/gates/docsite.sh): the Markdown guides.

The guides are written once, in Markdown, in ``docs/``. antsibull-docs only takes reStructuredText
extra docs, so ``docs/docsite/rst/<guide>.rst`` is a stub that carries the guide's label and the line
``sso-oidc-guide: <guide>.md`` in a comment; ``antsibull-docs lint-collection-docs`` checks the stubs
and ``extra-docs.yml`` as usual, and ``antsibull-docs collection`` copies the stubs into the Sphinx
source tree. Before Sphinx reads that tree, this extension puts the Markdown guide in the place of
each stub (same document name, the stub's label as a MyST target), and MyST renders it. Links from a
guide to another guide (``rollout.md#connections``) so become links between docsite pages; links to
other files of the repository (``../playbooks/sso_rollout.yml``) point at the file in the repository
on GitHub (``repository`` in galaxy.yml), since those files are not part of the docsite.

conf.py sets ``sso_oidc_guides_dir`` (the collection's ``docs/``) and ``sso_oidc_repository_url``.
"""

import os
import posixpath
import re

_GUIDE_MARKER = re.compile(r"^[ \t]+sso-oidc-guide:[ \t]*(?P<name>[\w.-]+\.md)[ \t]*$", re.M)
_LABEL = re.compile(r"^\.\. _(?P<label>[^:\s]+):\s*$", re.M)
# A Markdown inline link or image target: ](target) or ](target "title").
_LINK = re.compile(r"(\]\()(?P<target>[^)\s]+)((?:\s+\"[^\"]*\")?\))")
_EXTERNAL = re.compile(r"^(?:[a-z][a-z0-9+.-]*:|#|/)", re.I)
_FENCE = re.compile(r"^(```|~~~)")


class GuideError(Exception):
    """A stub that names no usable guide."""


def rewrite_links(text, guides_dir, repository_url):
    """Return the guide's Markdown with links to repository files turned into repository URLs.

    Links to other guides of ``guides_dir`` and external links stay as they are; so does a link to a
    file that does not exist, for MyST to report (the build fails on its warning). Fenced code blocks
    are left alone.
    """
    guides_dir = os.path.realpath(guides_dir)
    repo_dir = os.path.dirname(guides_dir)
    base_url = repository_url.rstrip("/")

    def rewrite(match):
        target = match.group("target")
        if _EXTERNAL.match(target):
            return match.group(0)
        path, _sep, anchor = target.partition("#")
        if posixpath.dirname(path) == "" and path.endswith(".md") and os.path.isfile(os.path.join(guides_dir, path)):
            return match.group(0)  # another guide: MyST links the docsite page
        in_repo = os.path.normpath(os.path.join(guides_dir, path))
        if os.path.commonpath([in_repo, repo_dir]) != repo_dir or not os.path.exists(in_repo):
            return match.group(0)
        rel = os.path.relpath(in_repo, repo_dir).replace(os.sep, "/")
        kind = "tree" if os.path.isdir(in_repo) else "blob"
        return match.group(1) + f"{base_url}/{kind}/main/{rel}" + (f"#{anchor}" if anchor else "") + match.group(3)

    out, fenced = [], None
    for line in text.splitlines(keepends=True):
        fence = _FENCE.match(line.lstrip())
        if fenced:
            if fence and fence.group(1) == fenced:
                fenced = None
            out.append(line)
        elif fence:
            fenced = fence.group(1)
            out.append(line)
        else:
            out.append(_LINK.sub(rewrite, line))
    return "".join(out)


def guide_for_stub(stub_text, guides_dir, repository_url):
    """Return the Markdown page that replaces a stub, or None when the text is no guide stub."""
    match = _GUIDE_MARKER.search(stub_text)
    if not match:
        return None
    guide = os.path.join(guides_dir, match.group("name"))
    if not os.path.isfile(guide):
        raise GuideError(f"the guide {guide} named by the sso-oidc-guide line does not exist")
    with open(guide, encoding="utf-8") as f:
        text = rewrite_links(f.read(), guides_dir, repository_url)
    labels = "".join(f"({m.group('label')})=\n" for m in _LABEL.finditer(stub_text))
    return labels + text


def _replace_stubs(app):
    guides_dir = app.config.sso_oidc_guides_dir
    if not guides_dir:
        return
    for dirpath, _dirs, files in os.walk(app.srcdir):
        for name in files:
            if not name.endswith(".rst"):
                continue
            stub = os.path.join(dirpath, name)
            with open(stub, encoding="utf-8") as f:
                stub_text = f.read()
            try:
                page = guide_for_stub(stub_text, guides_dir, app.config.sso_oidc_repository_url)
            except GuideError as exc:
                raise GuideError(f"{stub}: {exc}") from None
            if page is None:
                continue
            with open(stub[:-4] + ".md", "w", encoding="utf-8") as f:
                f.write(page)
            os.remove(stub)


def setup(app):
    app.add_config_value("sso_oidc_guides_dir", "", "env")
    app.add_config_value("sso_oidc_repository_url", "", "env")
    app.connect("builder-inited", _replace_stubs)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
