# Copyright (c) sso.oidc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The built docsite as a reader sees it: served on loopback, opened in headless Chromium.

Run by the docsite gate (scripts/gates/docsite.sh) after the build, with SSO_OIDC_DOCSITE set to the
built HTML and SSO_OIDC_SCREENSHOTS to the folder for the screenshots. Not part of the pytest gate
(tests/pytest.ini's testpaths), since it needs the built site.
"""

import base64
import functools
import glob
import html.parser
import http.server
import json
import os
import select
import shutil
import struct
import subprocess
import tempfile
import threading
import time
import urllib.parse
import urllib.request
import zlib

import pytest
import yaml

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SITE = os.environ.get("SSO_OIDC_DOCSITE", "")
SHOTS = os.environ.get("SSO_OIDC_SCREENSHOTS", os.path.join(REPO, "build", "docsite-screenshots"))
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

# The flags of a headless Chromium on this closed network (no background connections, no sandbox as root).
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-default-apps", "--disable-extensions", "--hide-scrollbars", "--mute-audio",
    "--disable-dev-shm-usage",
]
SERVICE_GUIDES = {"cx_": "checkmarx", "wickr_": "wickr", "slashid_": "slashid", "vcenter_": "vcenter"}


def modules():
    return sorted(os.path.basename(p)[:-3] for p in glob.glob(os.path.join(REPO, "plugins", "modules", "*.py"))
                  if not os.path.basename(p).startswith("_"))


def roles():
    return sorted(os.path.basename(p) for p in glob.glob(os.path.join(REPO, "roles", "*"))
                  if os.path.isdir(os.path.join(p, "tasks")))


class _Handler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        self.server.requests.append((self.command, self.path.split("?")[0], args[1] if len(args) > 1 else ""))


@pytest.fixture(scope="module")
def server():
    if not SITE or not os.path.isfile(os.path.join(SITE, "index.html")):
        pytest.fail("no built docsite in SSO_OIDC_DOCSITE: run SSO_OIDC_BUILD=/tmp/me-build bash scripts/test.sh docsite")
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Handler, directory=SITE))
    httpd.requests = []
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield httpd
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(10)


def url(server, path):
    return f"http://127.0.0.1:{server.server_address[1]}/{path}"


class Browser:
    """One headless Chromium for the whole module, driven over the DevTools protocol on a pipe.

    Chromium reads commands from its fd 3 and writes answers and events to its fd 4, as JSON
    messages each ended by a NUL byte (--remote-debugging-pipe): no WebDriver, no extra package.
    """

    def __init__(self):
        assert CHROMIUM, "Debian's chromium is not installed (scripts/setup.sh setup_chromium)"
        self.profile = tempfile.mkdtemp(prefix="sso-oidc-chromium-")
        to_chromium, self._out = os.pipe()
        self._in, from_chromium = os.pipe()

        def child_fds():
            os.dup2(to_chromium, 3)
            os.dup2(from_chromium, 4)

        self.proc = subprocess.Popen(  # pylint: disable=consider-using-with
            [CHROMIUM, *CHROMIUM_FLAGS, "--remote-debugging-pipe", f"--user-data-dir={self.profile}", "about:blank"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            preexec_fn=child_fds, pass_fds=(3, 4))  # pylint: disable=subprocess-popen-preexec-fn
        os.close(to_chromium)
        os.close(from_chromium)
        self._buffer, self._events, self._next_id = b"", [], 0
        target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.session = self.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        self.call("Page.enable", session=True)

    def _receive(self, deadline):
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self._in], [], [], left)[0]:
                raise TimeoutError("Chromium did not answer in time")
            chunk = os.read(self._in, 1 << 20)
            if not chunk:
                raise RuntimeError(f"Chromium closed its DevTools pipe (exit {self.proc.poll()})")
            self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(message)

    def call(self, method, params=None, session=False, timeout=60):
        self._next_id += 1
        message = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = self.session
        os.write(self._out, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            answer = self._receive(deadline)
            if answer.get("id") == self._next_id:
                assert "error" not in answer, f"{method}: {answer['error']}"
                return answer["result"]
            self._events.append(answer)

    def wait_event(self, method, timeout=60):
        deadline = time.monotonic() + timeout
        while True:
            for event in self._events:
                if event.get("method") == method:
                    self._events.remove(event)
                    return event
            self._events.append(self._receive(deadline))

    def open(self, address, size=(1280, 1600)):
        """Load the page at the given window size; return its DOM as the browser built it."""
        self.call("Emulation.setDeviceMetricsOverride",
                  {"width": size[0], "height": size[1], "deviceScaleFactor": 1, "mobile": False}, session=True)
        self._events.clear()
        answer = self.call("Page.navigate", {"url": address}, session=True)
        assert not answer.get("errorText"), f"{address}: {answer['errorText']}"
        self.wait_event("Page.loadEventFired")
        self.evaluate("document.fonts.ready.then(() => true)")
        return self.evaluate("document.documentElement.outerHTML")

    def evaluate(self, expression):
        answer = self.call("Runtime.evaluate", {"expression": expression, "returnByValue": True, "awaitPromise": True},
                           session=True)
        assert "exceptionDetails" not in answer, answer["exceptionDetails"]
        return answer["result"].get("value")

    def screenshot(self, target):
        data = self.call("Page.captureScreenshot", {"format": "png"}, session=True)["data"]
        with open(target, "wb") as f:
            f.write(base64.b64decode(data))

    def close(self):
        try:
            self.call("Browser.close", timeout=10)
        except (AssertionError, OSError, RuntimeError, TimeoutError):
            pass
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=15)
        os.close(self._in)
        os.close(self._out)
        shutil.rmtree(self.profile, ignore_errors=True)


@pytest.fixture(scope="module")
def browser():
    chromium = Browser()
    try:
        yield chromium
    finally:
        chromium.close()


class Page(html.parser.HTMLParser):
    """What a reader finds in a page's DOM: the title, the links, element ids, table rows' ids, the text."""

    def __init__(self, dom):
        super().__init__()
        self.title, self.links, self.ids, self.text = "", [], set(), []
        self.table_ids = set()
        self._in_title = False
        self._tables = 0
        self._link = None
        self.feed(dom)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "title":
            self._in_title = True
        if tag == "table":
            self._tables += 1
        if attrs.get("id"):
            self.ids.add(attrs["id"])
            if self._tables:
                self.table_ids.add(attrs["id"])
        if tag == "a" and attrs.get("href"):
            self._link = [attrs["href"], ""]
            self.links.append(self._link)

    def handle_endtag(self, tag):
        if tag == "title":
            self._in_title = False
        elif tag == "table":
            self._tables -= 1
        elif tag == "a":
            self._link = None

    def handle_data(self, data):
        if self._in_title:
            self.title += data
        if self._link is not None:
            self._link[1] += data
        self.text.append(data)

    def hrefs(self):
        return {href.split("#")[0] for href, _text in self.links}


def open_page(browser, server, path, size=(1280, 1600)):
    dom = browser.open(url(server, path), size)
    assert dom and dom.startswith("<html") and dom.rstrip().endswith("</html>"), f"Chromium returned no page for {path}"
    return Page(dom)


def screenshot(browser, name, size):
    """Save what the browser shows now (the page opened at the given size) under SHOTS."""
    os.makedirs(SHOTS, exist_ok=True)
    target = os.path.join(SHOTS, name)
    if os.path.exists(target):
        os.remove(target)
    browser.screenshot(target)
    width, height, colours = png_summary(target)
    assert (width, height) == size, f"{name}: {width}x{height}"
    # A rendered page has text and the theme's colours, not one blank colour.
    assert colours > 16, f"{name} looks blank ({colours} colours)"
    return target


def png_summary(path):
    """Width, height and number of distinct pixel byte values of a PNG (only the standard library)."""
    with open(path, "rb") as f:
        data = f.read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is no PNG"
    pos, idat, width, height = 8, b"", 0, 0
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        chunk = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height = struct.unpack(">II", chunk[:8])
        elif kind == b"IDAT":
            idat += chunk
        pos += 12 + length
    return width, height, len(set(zlib.decompress(idat)))


def test_index_lists_every_module_and_role(browser, server):
    page = open_page(browser, server, "index.html")
    assert "sso.oidc" in page.title
    hrefs = page.hrefs()
    assert modules(), "no module found in plugins/modules"
    missing = [m for m in modules() if f"{m}_module.html" not in hrefs]
    assert not missing, f"the docsite index does not list the modules {missing}"
    missing = [r for r in roles() if f"{r}_role.html" not in hrefs]
    assert not missing, f"the docsite index does not list the roles {missing}"
    # Every module and role page the index links to is there.
    for href in sorted(h for h in hrefs if h.endswith(("_module.html", "_role.html"))):
        with urllib.request.urlopen(url(server, href), timeout=10) as resp:
            assert resp.status == 200, href
    # The browser loaded the theme's stylesheet, so the page was rendered as published.
    assert any(path.endswith(".css") and status == "200" for _cmd, path, status in server.requests)
    screenshot(browser, "index.png", (1280, 1600))


def test_cx_oidc_client_page_shows_the_option_table(browser, server):
    # Tall enough to show the synopsis and the option table down to client_secrets.
    page = open_page(browser, server, "cx_oidc_client_module.html", size=(1280, 4200))
    assert "cx_oidc_client" in page.title
    assert "parameter-client_secrets" in page.table_ids, "client_secrets is not in the option table"
    for option in ("url", "client_id", "state"):
        assert f"parameter-{option}" in page.table_ids, f"{option} is not in the option table"
    assert "return-client" in page.ids or any(i.startswith("return-") for i in page.ids), "no return values"
    assert "docsite/checkmarx.html" in page.hrefs(), "the page does not link the Checkmarx guide"
    screenshot(browser, "cx_oidc_client_module.png", (1280, 4200))


def test_each_module_page_links_its_service_guide(server):
    for module in modules():
        guide = next((g for prefix, g in SERVICE_GUIDES.items() if module.startswith(prefix)), "rollout")
        with urllib.request.urlopen(url(server, f"{module}_module.html"), timeout=10) as resp:
            page = Page(resp.read().decode("utf-8"))
        assert f"docsite/{guide}.html" in page.hrefs(), f"{module} does not link docsite/{guide}.html"


def test_role_page_shows_its_argument_spec(browser, server):
    with open(os.path.join(REPO, "roles", "sso_rollout", "meta", "argument_specs.yml"), encoding="utf-8") as f:
        spec = yaml.safe_load(f)["argument_specs"]["main"]["options"]
    page = open_page(browser, server, "sso_rollout_role.html")
    missing = [o for o in spec if f"parameter-main--{o}" not in page.ids]
    assert not missing, f"the role page does not show the options {missing}"


def test_rollout_guide(browser, server):
    page = open_page(browser, server, "docsite/rollout.html")
    assert "The SSO rollout" in page.title
    text = " ".join(page.text)
    with open(os.path.join(REPO, "docs", "rollout.md"), encoding="utf-8") as f:
        headings = [line.lstrip("#").strip().replace("`", "") for line in f if line.startswith("## ")]
    missing = [h for h in headings if h not in text]
    assert headings and not missing, f"the rollout guide page lacks the sections {missing}"
    # Every local link of the page (other guides, module pages, the theme's files) is served.
    base = url(server, "docsite/rollout.html")
    for href in sorted(page.hrefs()):
        if not href or "://" in href or href.startswith("mailto:"):
            continue
        assert not href.endswith(".md"), f"unresolved guide link {href}"
        with urllib.request.urlopen(urllib.parse.urljoin(base, href), timeout=10) as resp:
            assert resp.status == 200, href
    screenshot(browser, "rollout_guide.png", (1280, 1600))
