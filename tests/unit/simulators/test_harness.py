# Copyright (c) sso.oidc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The simulator harness itself: control API, faults, request log, persistence, and the CLI.

A tiny SimApp runs on a real SimServer with TLS from the harness PKI; the
command line is run as a subprocess exactly as the README's commands do.
"""

import http.client
import json
import os
import signal
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

from simulators import tls
from simulators.base import Response, SimApp, SimServer
from simulators.harness import Harness

TESTS_DIR = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
REPO = os.path.dirname(TESTS_DIR)


class TinyApp(SimApp):
    name = "tiny"

    def default_config(self):
        return {"mode": "normal"}

    def initial_state(self):
        return {"items": {}}

    def register_routes(self):
        self.add_route("GET", r"/items", lambda req: Response(200, {"items": self.state["items"]}))
        self.add_route("POST", r"/items", self.create)
        self.add_route("POST", r"/login", lambda req: Response(200, {"token": "t"}), kind="auth")
        self.add_route("GET", r"/boom", self.boom)

    def create(self, req):
        body = req.json or {}
        self.state["items"][body["name"]] = body
        return Response(201, body)

    def boom(self, req):
        raise RuntimeError("handler bug")

    def fault_body(self, status):
        return {"errors": [{"code": status, "text": "vendor-shaped fault"}]}


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    return tls.TestPKI(str(tmp_path_factory.mktemp("pki")))


@pytest.fixture(scope="module")
def served(pki):
    app = TinyApp()
    server = SimServer(app, tls_context=pki.server_context("good")).start()
    app.url = server.url
    try:
        yield app
    finally:
        server.stop()


@pytest.fixture
def app(served):
    served.reset()
    served.state_file = None
    return served


class Client(object):
    def __init__(self, app, pki):
        self.app = app
        self.ctx = pki.client_context()

    def call(self, method, path, body=None, raw=False, timeout=10):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.app.url + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, context=self.ctx, timeout=timeout) as resp:
                status, headers, text = resp.status, resp.headers, resp.read().decode()
        except urllib.error.HTTPError as exc:
            status, headers, text = exc.code, exc.headers, exc.read().decode()
        if raw:
            return status, headers, text
        return status, (json.loads(text) if text else None)

    def control(self, method, sub, body=None):
        status, data = self.call(method, "/_sim" + sub, body)
        assert status == 200, data
        return data


@pytest.fixture
def client(app, pki):
    return Client(app, pki)


# --------------------------------------------------------------------------- control API
def test_health_state_seed_reset(client):
    assert client.control("GET", "/health") == {"ok": True, "name": "tiny"}
    assert client.control("GET", "/state") == {"items": {}}
    client.control("POST", "/seed", {"items": {"a": {"name": "a"}}, "extra": 1})
    assert client.control("GET", "/state") == {"items": {"a": {"name": "a"}}, "extra": 1}
    client.control("POST", "/config", {"mode": "broken"})
    client.control("POST", "/faults", {"status": 500, "times": 5})
    client.control("POST", "/reset", {"items": {"b": {"name": "b"}}})
    assert client.control("GET", "/state") == {"items": {"b": {"name": "b"}}}
    assert client.control("GET", "/faults") == {"faults": []}
    assert client.control("GET", "/config") == {"mode": "normal"}
    client.control("POST", "/reset")
    assert client.control("GET", "/state") == {"items": {}}
    assert client.call("GET", "/_sim/nothing") == (404, {"message": "unknown control path /_sim/nothing"})


def test_request_log_and_summary(client):
    assert client.call("GET", "/items?x=1")[0] == 200
    assert client.call("POST", "/items", {"name": "a"})[0] == 201
    assert client.call("POST", "/login", {})[0] == 200
    assert client.call("GET", "/missing")[0] == 404
    log = client.control("GET", "/requests")
    entries = [(r["seq"], r["method"], r["path"], r["query"], r["status"], r["kind"]) for r in log["requests"]]
    assert entries == [(1, "GET", "/items", "x=1", 200, "read"), (2, "POST", "/items", "", 201, "write"),
                       (3, "POST", "/login", "", 200, "auth"), (4, "GET", "/missing", "", 404, "read")]
    assert log["summary"] == {"total": 4, "read": 2, "write": 1, "auth": 1, "check": 0}
    client.control("DELETE", "/requests")
    assert client.control("GET", "/requests")["requests"] == []  # control calls are never logged


def test_routing_errors(client):
    assert client.call("GET", "/nope") == (404, {"message": "no route for GET /nope"})
    assert client.call("DELETE", "/items") == (405, {"message": "method DELETE not allowed on /items"})
    status, body = client.call("GET", "/boom")
    assert status == 500 and body == {"message": "simulator error: handler bug"}


# --------------------------------------------------------------------------- faults
def test_status_fault_times_method_path_and_retry_after(client):
    client.control("POST", "/faults", {"status": 503, "times": 2, "method": "GET", "path": "^/items$",
                                       "retry_after": 3})
    first = client.call("GET", "/items", raw=True)
    assert first[0] == 503 and first[1]["Retry-After"] == "3"
    assert json.loads(first[2]) == {"errors": [{"code": 503, "text": "vendor-shaped fault"}]}  # the vendor's shape
    assert client.call("POST", "/items", {"name": "p"})[0] == 201  # other method: no fault
    assert client.call("GET", "/items")[0] == 503
    assert client.call("GET", "/items")[0] == 200  # used up
    faults = client.control("GET", "/faults")["faults"]
    assert len(faults) == 1 and faults[0]["times"] == 0 and faults[0]["method"] == "GET"
    log = client.control("GET", "/requests")["requests"]
    assert [(r["status"], r["kind"]) for r in log] == [(503, "fault"), (201, "write"), (503, "fault"), (200, "read")]
    assert log[0]["fault"]["retry_after"] == 3
    client.control("DELETE", "/faults")
    assert client.control("GET", "/faults") == {"faults": []}


def test_fault_list_and_forever(client):
    client.control("POST", "/faults", [{"status": 429, "times": -1, "path": "/items"},
                                       {"status": 500, "path": "/login"}])
    for _attempt in range(3):
        assert client.call("GET", "/items")[0] == 429
    assert client.call("POST", "/login", {})[0] == 500
    assert client.call("POST", "/login", {})[0] == 200


def test_fault_after_the_write_lands(client, app):
    client.control("POST", "/faults", {"status": 500, "when": "after", "method": "POST"})
    status, body = client.call("POST", "/items", {"name": "landed"})
    assert status == 500 and body == {"errors": [{"code": 500, "text": "vendor-shaped fault"}]}
    assert client.control("GET", "/state")["items"] == {"landed": {"name": "landed"}}
    log = client.control("GET", "/requests")["requests"]
    assert [(r["status"], r["kind"], r["fault"]["when"]) for r in log] == [(201, "write", "after")]


def test_drop_malformed_html_body_and_delay(client):
    client.control("POST", "/faults", {"drop": True, "path": "/items"})
    with pytest.raises((urllib.error.URLError, http.client.HTTPException, ConnectionError, ssl.SSLError)):
        client.call("GET", "/items")
    client.control("POST", "/faults", {"malformed": True, "path": "/items"})
    status, _headers, text = client.call("GET", "/items", raw=True)
    assert status == 200 and text == '{"truncated": [1, 2'
    client.control("POST", "/faults", {"html": True, "status": 502, "path": "/items"})
    status, headers, text = client.call("GET", "/items", raw=True)
    assert status == 502 and headers["Content-Type"] == "text/html" and "<title>502 Proxy Error</title>" in text
    client.control("POST", "/faults", {"status": 418, "body": {"custom": True}, "path": "/items"})
    assert client.call("GET", "/items") == (418, {"custom": True})
    client.control("POST", "/faults", {"delay": 0.6, "path": "/items"})
    start = time.time()
    assert client.call("GET", "/items")[0] == 200  # a delay alone still answers normally
    assert time.time() - start >= 0.6
    log = client.control("GET", "/requests")["requests"]
    assert [r["status"] for r in log] == [0, 200, 502, 418, 200]


@pytest.mark.parametrize("clear", ["reset", "clear_log"])
def test_a_request_begun_before_a_reset_is_not_logged_after_it(client, app, clear):
    """A client that gave up on a delayed answer leaves its handler running: when it ends after a reset (or a
    cleared log), the next test's log must not get its entry."""
    client.control("POST", "/faults", {"delay": 0.8, "path": "/items"})
    with pytest.raises((urllib.error.URLError, OSError)):
        client.call("GET", "/items", timeout=0.2)
    if clear == "reset":
        app.reset()
    else:
        client.control("DELETE", "/requests")
    time.sleep(1.0)  # the delayed handler ends
    assert client.control("GET", "/requests")["requests"] == []
    assert client.call("GET", "/items")[0] == 200
    assert [r["path"] for r in client.control("GET", "/requests")["requests"]] == ["/items"]


# --------------------------------------------------------------------------- persistence
def test_state_persists_to_file(client, app, tmp_path):
    path = str(tmp_path / "tiny.state.json")
    app.attach_state_file(path)
    assert not os.path.exists(path)
    client.call("GET", "/items")
    assert not os.path.exists(path)  # reads never save
    client.call("POST", "/items", {"name": "kept"})
    with open(path) as handle:
        assert json.load(handle) == {"items": {"kept": {"name": "kept"}}}
    client.control("POST", "/faults", {"status": 400, "method": "POST"})
    client.call("POST", "/items", {"name": "refused"})
    with open(path) as handle:
        assert "refused" not in json.load(handle)["items"]
    again = TinyApp()
    again.attach_state_file(path)
    assert again.state == {"items": {"kept": {"name": "kept"}}}
    client.control("POST", "/seed", {"items": {"seeded": {}}})
    with open(path) as handle:
        assert json.load(handle) == {"items": {"seeded": {}}}
    client.control("POST", "/reset")
    with open(path) as handle:
        assert json.load(handle) == {"items": {}}


# --------------------------------------------------------------------------- the harness
def test_harness_in_process(tmp_path):
    harness = Harness(str(tmp_path / "h"), names=["discovery"], oidc=False).start()
    try:
        with open(harness.env_path) as handle:
            env = json.load(handle)
        assert sorted(env) == ["ca_path", "directory", "discovery", "pid", "untrusted_ca_path"]
        assert env["pid"] == os.getpid() and os.path.exists(env["ca_path"])
        ctx = ssl.create_default_context(cafile=env["ca_path"])
        with urllib.request.urlopen(env["discovery"]["control_url"] + "/health", context=ctx, timeout=5) as resp:
            assert json.loads(resp.read()) == {"ok": True, "name": "discovery"}
        assert harness.apps["discovery"].state_file == str(tmp_path / "h" / "discovery.state.json")
        expired = harness.serve_variant("discovery", "expired")
        with pytest.raises(urllib.error.URLError) as exc:
            urllib.request.urlopen(expired + "/_sim/health", context=ctx, timeout=5)
        assert "expired" in str(exc.value)
        port = int(env["discovery"]["url"].rsplit(":", 1)[1])
    finally:
        harness.stop()
    with pytest.raises(OSError):
        http.client.HTTPSConnection("127.0.0.1", port, timeout=2, context=ctx).connect()


def _cli(args, directory, timeout=60):
    env = dict(os.environ, PYTHONPATH=TESTS_DIR)
    return subprocess.run([sys.executable, "-m", "simulators"] + args + ["--dir", directory], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL, check=False)


def _alive(pid):
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    return True


def test_cli_start_status_stop(tmp_path):
    directory = str(tmp_path / "cli")
    os.makedirs(directory)
    stale = os.path.join(directory, "old.state.json")
    with open(stale, "w") as handle:
        handle.write("{}")
    pid = None
    try:
        started = _cli(["start", "--fresh"], directory)
        assert started.returncode == 0, started.stderr
        env_path = os.path.join(directory, "env.json")
        assert started.stdout.strip() == env_path
        with open(env_path) as handle:
            env = json.load(handle)
        pid = env["pid"]
        assert pid != os.getpid() and _alive(pid)
        assert not os.path.exists(stale)  # --fresh forgot the saved state
        ctx = ssl.create_default_context(cafile=env["ca_path"])
        services = [name for name, value in env.items() if isinstance(value, dict) and "control_url" in value]
        assert "discovery" in services
        for name in services:
            with urllib.request.urlopen(env[name]["control_url"] + "/health", context=ctx, timeout=5) as resp:
                assert json.loads(resp.read())["name"] == name
        with urllib.request.urlopen(env["oidc"]["discovery_url"], context=ctx, timeout=5) as resp:
            assert json.loads(resp.read())["issuer"] == env["oidc"]["issuer"]

        status = _cli(["status"], directory)
        assert status.returncode == 0 and json.loads(status.stdout)["env"]["pid"] == pid
        again = _cli(["start"], directory)  # already running: reuse, do not start a second set
        assert again.returncode == 0 and again.stdout.strip() == env_path
        with open(env_path) as handle:
            assert json.load(handle)["pid"] == pid

        stopped = _cli(["stop"], directory)
        assert stopped.returncode == 0 and "simulators stopped" in stopped.stdout
        assert not os.path.exists(env_path)
        deadline = time.time() + 10
        while _alive(pid) and time.time() < deadline:
            time.sleep(0.1)
        assert not _alive(pid)
        with pytest.raises(OSError):
            urllib.request.urlopen(env["discovery"]["control_url"] + "/health", context=ctx, timeout=2)
        pid = None
        status = _cli(["status"], directory)
        assert status.returncode == 3 and json.loads(status.stdout) == {"running": False, "env": None}
        assert _cli(["stop"], directory).stdout.strip() == "simulators are not running"
    finally:
        if pid is not None and _alive(pid):
            os.kill(pid, signal.SIGTERM)
