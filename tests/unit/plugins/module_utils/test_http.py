# Copyright (c) sso.oidc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The shared HTTP client (_http.ApiClient) against a real loopback HTTPS server.

The server is the harness's own SimServer with a tiny SimApp and TLS from the
harness PKI; faults (429, 5xx, drops, delays, HTML pages) come from the
harness's fault injection, so every retry, count and message is the real one.
Waits are recorded by a fake ``sleep`` instead of being slept.
"""

import base64
import email.utils
import json
import time
import urllib.parse

import pytest

from ansible_collections.sso.oidc.plugins.module_utils import _http
from ansible_collections.sso.oidc.plugins.module_utils._http import (
    MASK, ApiClient, ApiError, Response, Scrubber, default_error_text, parse_retry_after, quote_path,
    redact_query, secret_variants, short_body,
)

from simulators.base import Response as SimResponse
from simulators.base import SimApp, SimServer
from simulators import tls

SECRET = 'Sup3r/S3cret+"value"&x=1'


class EchoApp(SimApp):
    """A tiny API: a collection of items, an error that echoes a secret, a page behind a token."""

    name = "echo"

    def default_config(self):
        return {"echo": None, "token": "good-token", "request_id": None}

    def initial_state(self):
        return {"items": {}}

    def register_routes(self):
        self.add_route("GET", r"/items", self.list_items)
        self.add_route("POST", r"/items", self.create_item)
        self.add_route("PUT", r"/items/(?P<key>[^/]+)", self.put_item)
        self.add_route("DELETE", r"/items/(?P<key>[^/]+)", self.delete_item)
        self.add_route("GET", r"/items/(?P<key>[^/]+)", self.get_item)
        self.add_route("GET", r"/echo-error", self.echo_error)
        self.add_route("GET", r"/echo-html", self.echo_html)
        self.add_route("GET", r"/protected", self.protected)
        self.add_route("GET", r"/headers", self.headers)

    def list_items(self, req):
        return SimResponse(200, {"items": sorted(self.state["items"].values(), key=lambda i: i["name"]),
                                 "query": req.query})

    def create_item(self, req):
        body = req.json or {}
        self.state["items"][body["name"]] = body
        return SimResponse(201, body)

    def put_item(self, req, key):
        self.state["items"][key] = dict(req.json or {}, name=key)
        return SimResponse(200, self.state["items"][key])

    def delete_item(self, req, key):
        if self.state["items"].pop(key, None) is None:
            return SimResponse(404, {"message": "item %s not found" % key})
        return SimResponse(204)

    def get_item(self, req, key):
        if key not in self.state["items"]:
            return SimResponse(404, {"message": "item %s not found" % key})
        return SimResponse(200, self.state["items"][key])

    def echo_error(self, req):
        secret = self.config["echo"]
        raw = secret.encode()
        headers = {"x-request-id": self.config["request_id"]} if self.config["request_id"] else {}
        return SimResponse(400, {
            "message": "invalid credential %s (base64 %s, url %s, b64url %s)" % (
                secret, base64.b64encode(raw).decode(), urllib.parse.quote(secret, safe=""),
                base64.urlsafe_b64encode(raw).decode().rstrip("=")),
            "code": "E_CRED",
            "detail": {"echo": secret, secret: "as a key", "list": [secret]},
        }, headers)

    def echo_html(self, req):
        secret = json.dumps(self.config["echo"])[1:-1]
        return SimResponse(400, "error near \"password\": \"%s\" in request" % secret, content_type="text/plain")

    def protected(self, req):
        if req.header("Authorization") != "Bearer %s" % self.config["token"]:
            return SimResponse(401, {"message": "token expired"})
        return SimResponse(200, {"ok": True})

    def headers(self, req):
        return SimResponse(200, {"headers": dict(req.headers.items()), "body": req.body.decode()})


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    return tls.TestPKI(str(tmp_path_factory.mktemp("pki")))


@pytest.fixture(scope="module")
def servers(pki):
    app = EchoApp()
    started = {}
    try:
        for profile in ("good", "expired", "wrong_host", "untrusted"):
            started[profile] = SimServer(app, tls_context=pki.server_context(profile)).start()
        app.url = started["good"].url
        yield app, started
    finally:
        for server in started.values():
            server.stop()


@pytest.fixture
def app(servers):
    app, _started = servers
    app.reset()
    return app


@pytest.fixture
def url(servers):
    return servers[1]["good"].url


class Recorder(object):
    """Stands in for time.sleep and for the warn callback."""

    def __init__(self):
        self.sleeps = []
        self.warnings = []

    def sleep(self, seconds):
        self.sleeps.append(seconds)

    def warn(self, message):
        self.warnings.append(message)


@pytest.fixture
def rec():
    return Recorder()


@pytest.fixture
def make(url, pki, rec):
    clients = []

    def _make(**kwargs):
        kwargs.setdefault("ca_path", pki.ca_path)
        kwargs.setdefault("sleep", rec.sleep)
        kwargs.setdefault("warn", rec.warn)
        client = ApiClient("Echo", kwargs.pop("base_url", url), **kwargs)
        clients.append(client)
        return client

    yield _make
    for client in clients:
        client.close()


def statuses(app):
    return [(r["method"], r["status"]) for r in app.requests]


# --------------------------------------------------------------------------- plain requests
def test_get_json_and_count(app, make):
    client = make()
    resp = client.request("GET", "/items", params={"q": "a b", "none": None})
    assert resp.status == 200 and resp.json["items"] == []
    assert resp.json["query"] == {"q": ["a b"]}  # None-valued params are left out
    assert client.counts == {"GET": 1} and client.total_requests() == 1
    assert statuses(app) == [("GET", 200)]


def test_json_body_headers_and_user_agent(app, make):
    client = make(headers={"X-Tenant": "t1", "X-Drop": "x"})
    resp = client.request("POST", "/items", json_body={"name": "a", "n": 1})
    assert resp.status == 201 and app.state["items"]["a"] == {"name": "a", "n": 1}
    echo = client.request("GET", "/headers", headers={"X-Drop": None, "X-Extra": "1"}).json
    lowered = dict((k.lower(), v) for k, v in echo["headers"].items())
    assert lowered["user-agent"] == _http.USER_AGENT
    assert lowered["x-tenant"] == "t1" and lowered["x-extra"] == "1" and "x-drop" not in lowered
    assert client.counts == {"POST": 1, "GET": 1}


def test_expected_and_allow_status(app, make):
    client = make()
    assert client.request("GET", "/items/nope", allow_status=(404,)).status == 404
    with pytest.raises(ApiError) as exc:
        client.request("GET", "/items", expected=(201,))
    assert exc.value.status == 200
    with pytest.raises(ApiError) as exc:
        client.request("DELETE", "/items/nope")
    assert str(exc.value) == "Echo API DELETE /items/nope failed: HTTP 404: item nope not found"
    assert client.counts == {"GET": 2, "DELETE": 1}


def test_base_url_path_is_not_repeated_in_messages(app, make, url):
    client = make(base_url=url + "/items/")
    with pytest.raises(ApiError) as exc:
        client.request("GET", "/nope")
    assert str(exc.value).startswith("Echo API GET /nope failed: HTTP 404")
    assert [r["path"] for r in app.requests] == ["/items/nope"]


# --------------------------------------------------------------------------- retries
def test_429_retry_after_seconds(app, make, rec):
    app.add_fault({"path": "/items", "status": 429, "retry_after": 7})
    client = make()
    assert client.request("GET", "/items").status == 200
    assert rec.sleeps == [7.0]
    assert statuses(app) == [("GET", 429), ("GET", 200)]
    assert client.counts == {"GET": 2}
    assert rec.warnings == ["Echo API GET /items: HTTP 429; retrying in 7.0s (retry 1 of 5)"]


def test_429_retry_after_http_date(app, make, rec):
    when = email.utils.formatdate(time.time() + 30, usegmt=True)
    app.add_fault({"path": "/items", "status": 429, "headers": {"Retry-After": when}})
    client = make()
    assert client.request("POST", "/items", json_body={"name": "x"}).status == 201  # 429 is retried for POST too
    assert len(rec.sleeps) == 1 and 28.0 <= rec.sleeps[0] <= 30.0
    assert client.counts == {"POST": 2}
    assert list(app.state["items"]) == ["x"]


def test_retry_after_beyond_budget_fails_fast(app, make, rec):
    app.add_fault({"path": "/items", "status": 429, "retry_after": 120})
    client = make(retry_budget=10)
    start = time.time()
    with pytest.raises(ApiError) as exc:
        client.request("GET", "/items")
    assert time.time() - start < 2
    assert rec.sleeps == [] and client.counts == {"GET": 1}
    assert exc.value.status == 429
    assert str(exc.value) == ("Echo API GET /items failed: HTTP 429: injected fault: HTTP 429. The server asked to "
                              "wait 120s (Retry-After), beyond the retry budget; try again later")


def test_real_sleep_honours_retry_after(app, make):
    app.add_fault({"path": "/items", "status": 503, "retry_after": 1})
    client = make(sleep=time.sleep)
    start = time.time()
    assert client.request("GET", "/items").status == 200
    assert 0.9 <= time.time() - start < 3


def test_503_then_success_with_jittered_backoff(app, make, rec):
    app.add_fault({"path": "/items", "status": 503, "times": 3})
    client = make()
    assert client.request("GET", "/items").status == 200
    assert client.counts == {"GET": 4}
    assert len(rec.sleeps) == 3
    for attempt, delay in enumerate(rec.sleeps, start=1):
        assert 0.05 <= delay <= min(_http.BACKOFF_CAP, _http.BACKOFF_BASE * 2 ** (attempt - 1)) + 0.05
    assert [w.split(";")[0] for w in rec.warnings] == ["Echo API GET /items: HTTP 503"] * 3


def test_retries_are_bounded(app, make, rec):
    app.add_fault({"path": "/items", "status": 503, "times": -1})
    client = make(retries=2)
    with pytest.raises(ApiError) as exc:
        client.request("GET", "/items")
    assert client.counts == {"GET": 3} and len(rec.sleeps) == 2
    assert str(exc.value) == ("Echo API GET /items failed: HTTP 503: injected fault: HTTP 503. "
                              "The server kept failing after 3 attempts; try again later")


@pytest.mark.parametrize("status", [502, 504])
@pytest.mark.parametrize("method,retried", [("GET", True), ("PUT", True), ("DELETE", True), ("POST", False)])
def test_502_504_retried_only_for_idempotent_methods(app, make, rec, status, method, retried):
    app.state["items"]["k"] = {"name": "k"}
    app.add_fault({"path": "/items", "status": status, "method": method})
    client = make()
    path = "/items" if method in ("GET", "POST") else "/items/k"
    body = {"name": "k"} if method in ("POST", "PUT") else None
    if retried:
        assert client.request(method, path, json_body=body).status in (200, 204)
        assert client.counts == {method: 2} and len(rec.sleeps) == 1
    else:
        with pytest.raises(ApiError) as exc:
            client.request(method, path, json_body=body)
        assert exc.value.status == status and client.counts == {method: 1} and rec.sleeps == []
    assert len(app.requests) == client.counts[method]


def test_connection_drop_retried_for_get(app, make, rec):
    app.add_fault({"path": "/items", "drop": True, "times": 2})
    client = make()
    assert client.request("GET", "/items").status == 200
    assert client.counts == {"GET": 3}
    assert [r["status"] for r in app.requests] == [0, 0, 200]
    assert all("connection failed" in w for w in rec.warnings) and len(rec.warnings) == 2


def test_connection_drop_not_retried_for_post(app, make, rec):
    app.add_fault({"path": "/items", "drop": True, "method": "POST"})
    client = make()
    with pytest.raises(ApiError) as exc:
        client.request("POST", "/items", json_body={"name": "once"})
    assert client.counts == {"POST": 1} and rec.sleeps == []
    assert exc.value.status is None
    message = str(exc.value)
    assert message.startswith("Echo API POST /items failed. the connection was closed before an answer came")
    assert "POST is not retried as it is not idempotent: the server may have made the change" in message
    assert app.state["items"] == {}


def test_refused_connection_is_retried_then_clear(make, rec):
    import socket
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()  # nothing listens there now
    client = make(base_url="https://127.0.0.1:%d" % port, retries=2)
    with pytest.raises(ApiError) as exc:
        client.request("GET", "/items")
    assert client.counts == {"GET": 3} and len(rec.sleeps) == 2
    assert "could not connect" in str(exc.value) and "check the URL, the port" in str(exc.value)


def test_timeout_fails_clearly(app, make, rec):
    app.add_fault({"path": "/items", "delay": 1.5})
    client = make(timeout=0.4)
    start = time.time()
    with pytest.raises(ApiError) as exc:
        client.request("GET", "/items")
    assert time.time() - start < 1.4
    assert "no answer within timeout=0.4s" in str(exc.value) and "raise timeout" in str(exc.value)
    assert client.counts == {"GET": 1} and rec.sleeps == []


# --------------------------------------------------------------------------- per-request policy: retry=, settle=
def free_port_url():
    import socket
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()  # nothing listens there now
    return "https://127.0.0.1:%d" % port


@pytest.mark.parametrize("fault,method", [
    ({"status": 503}, "GET"), ({"status": 429, "retry_after": 1}, "POST"), ({"status": 502}, "PUT"),
    ({"drop": True}, "GET"),
])
def test_retry_false_sends_once(app, make, rec, fault, method):
    app.state["items"]["k"] = {"name": "k"}
    app.add_fault(dict(fault, path="/items", method=method, times=-1))
    client = make()
    path = "/items/k" if method == "PUT" else "/items"
    with pytest.raises(ApiError) as exc:
        client.request(method, path, json_body={"name": "k"} if method != "GET" else None, retry=False)
    assert not isinstance(exc.value, _http.UnclearOutcome)  # no settle=: never an UnclearOutcome
    assert client.counts == {method: 1} and len(app.requests) == 1 and rec.sleeps == [] and rec.warnings == []
    assert exc.value.status == fault.get("status")


def test_retry_false_refused_connection_sends_once(make, rec):
    client = make(base_url=free_port_url(), retries=3)
    with pytest.raises(ApiError) as exc:
        client.request("GET", "/items", retry=False)
    assert client.counts == {"GET": 1} and rec.sleeps == [] and "could not connect" in str(exc.value)


def test_retry_false_still_logs_in_again_once(app, make):
    token = Token("old-token")
    client = make(auth=token.auth, reauth=token.reauth)
    assert client.request("GET", "/protected", retry=False).json == {"ok": True}
    assert token.reauths == 1 and client.counts == {"GET": 2}


def test_settle_no_answer_after_the_write_landed(app, make, rec):
    app.add_fault({"path": "/items", "method": "POST", "drop": True, "when": "after"})
    client = make()
    with pytest.raises(_http.UnclearOutcome) as exc:
        client.request("POST", "/items", json_body={"name": "landed"}, retry=False, settle=_http.SERVER_FAILURES)
    unclear = exc.value
    assert app.state["items"] == {"landed": {"name": "landed"}}  # the server made the change; no answer came
    assert unclear.resend is False and unclear.status is None and unclear.outcome == "no answer"
    assert (unclear.method, unclear.path) == ("POST", "/items")
    assert "the connection was closed before an answer came" in str(unclear)
    assert client.counts == {"POST": 1} and rec.sleeps == [] and rec.warnings == []


def test_settle_timeout_is_unclear_and_not_for_resending(app, make, rec):
    app.add_fault({"path": "/items", "method": "POST", "delay": 1.5})
    client = make(timeout=0.4)
    with pytest.raises(_http.UnclearOutcome) as exc:
        client.request("POST", "/items", json_body={"name": "slow"}, retry=False, settle=(None, 500))
    assert exc.value.resend is False and exc.value.outcome == "no answer"
    assert "no answer within timeout=0.4s" in str(exc.value) and client.counts == {"POST": 1}


def test_settle_without_none_leaves_no_answer_a_plain_failure(app, make):
    """settle= names the outcomes to settle: without None, a write that got no answer fails as any request does."""
    app.add_fault({"path": "/items", "method": "POST", "delay": 1.5})
    client = make(timeout=0.4)
    with pytest.raises(ApiError) as exc:
        client.request("POST", "/items", json_body={"name": "slow"}, retry=False, settle=(408,))
    assert not isinstance(exc.value, _http.UnclearOutcome)
    assert "no answer within timeout=0.4s" in str(exc.value) and client.counts == {"POST": 1}


@pytest.mark.parametrize("status,resend", [(503, True), (429, True), (500, False), (504, False), (408, False)])
def test_settle_named_status(app, make, rec, status, resend):
    app.add_fault({"path": "/items", "method": "POST", "status": status, "retry_after": 4})
    client = make()
    with pytest.raises(_http.UnclearOutcome) as exc:
        client.request("POST", "/items", json_body={"name": "x"}, retry=False, settle=_http.SERVER_FAILURES)
    unclear = exc.value
    assert unclear.status == status and unclear.resend is resend and unclear.outcome == "HTTP %d" % status
    assert unclear.delay == 4.0  # the server's Retry-After
    assert unclear.vendor_text == "injected fault: HTTP %d" % status
    assert client.counts == {"POST": 1} and rec.sleeps == [] and app.state["items"] == {}


def test_settle_without_retry_after_names_a_backoff(app, make):
    app.add_fault({"path": "/items", "method": "POST", "status": 503})
    with pytest.raises(_http.UnclearOutcome) as exc:
        make().request("POST", "/items", json_body={"name": "x"}, retry=False, settle=(503,))
    assert exc.value.resend is True and 0.05 <= exc.value.delay <= _http.BACKOFF_BASE + 0.05


def test_settle_only_the_named_statuses(app, make):
    app.add_fault({"path": "/items", "method": "POST", "status": 500})
    with pytest.raises(ApiError) as exc:
        make().request("POST", "/items", json_body={"name": "x"}, retry=False, settle=(408,))
    assert not isinstance(exc.value, _http.UnclearOutcome) and exc.value.status == 500
    app.add_fault({"path": "/items", "method": "POST", "status": 400})
    with pytest.raises(ApiError) as exc:
        make().request("POST", "/items", json_body={"name": "x"}, retry=False, settle=_http.SERVER_FAILURES)
    assert not isinstance(exc.value, _http.UnclearOutcome) and exc.value.status == 400  # a clear refusal is never unclear


def test_settle_refused_connection_may_be_resent(make, rec):
    client = make(base_url=free_port_url())
    with pytest.raises(_http.UnclearOutcome) as exc:
        client.request("POST", "/items", json_body={"name": "x"}, retry=False, settle=_http.SERVER_FAILURES)
    assert exc.value.resend is True and exc.value.delay > 0 and client.counts == {"POST": 1}
    assert "could not connect" in str(exc.value)


def test_settle_tls_failure_is_clear(servers, make):
    _app, started = servers
    with pytest.raises(ApiError) as exc:
        make(base_url=started["untrusted"].url).request(
            "POST", "/items", json_body={"name": "x"}, retry=False, settle=_http.SERVER_FAILURES)
    assert not isinstance(exc.value, _http.UnclearOutcome) and "TLS verification failed" in str(exc.value)


def test_settle_with_retries_retries_first(app, make, rec):
    """retry=True and settle=: 429/503 are retried as before; only the last answer is settled."""
    app.add_fault({"path": "/items", "method": "POST", "status": 503, "times": 2, "retry_after": 1})
    client = make()
    assert client.request("POST", "/items", json_body={"name": "x"}, settle=_http.SERVER_FAILURES).status == 201
    assert client.counts == {"POST": 3} and rec.sleeps == [1.0, 1.0]
    app.add_fault({"path": "/items", "method": "POST", "status": 503, "times": -1, "retry_after": 1})
    with pytest.raises(_http.UnclearOutcome) as exc:
        make(retries=1).request("POST", "/items", json_body={"name": "y"}, settle=_http.SERVER_FAILURES)
    assert exc.value.status == 503 and exc.value.resend is True


@pytest.mark.parametrize("fault,method,path", [
    ({"status": 503, "times": -1}, "POST", "/items"),
    ({"drop": True}, "POST", "/items"),
    ({"status": 500}, "PUT", "/items/k"),
])
def test_without_the_policy_arguments_nothing_changed(app, make, rec, fault, method, path):
    """The defaults (retry=True, settle=None) keep the client's behaviour: retries where they were, ApiError."""
    app.state["items"]["k"] = {"name": "k"}
    app.add_fault(dict(fault, path="/items", method=method))
    client = make(retries=2)
    with pytest.raises(ApiError) as exc:
        client.request(method, path, json_body={"name": "k"})
    assert not isinstance(exc.value, _http.UnclearOutcome)
    expected = 3 if fault.get("status") == 503 else 1  # 503 is retried for every method; a drop of a POST is not
    assert client.counts == {method: expected} and len(rec.sleeps) == expected - 1


def test_auth_hook_sees_every_attempt(app, make):
    calls = []

    def auth(method, url, headers, body):
        calls.append((method, url, body))
        return {"Authorization": "Bearer good-token"}

    app.add_fault({"path": "/protected", "status": 503})
    client = make(auth=auth)
    assert client.request("GET", "/protected").json == {"ok": True}
    assert len(calls) == 2 and calls[0][0] == "GET" and calls[0][1].endswith("/protected")
    client.request("GET", "/protected", authenticated=False, allow_status=(401,))
    assert len(calls) == 2  # unauthenticated requests skip the hook


# --------------------------------------------------------------------------- 401 and reauth
class Token(object):
    def __init__(self, value, renewed="good-token", works=True):
        self.value = value
        self.renewed = renewed
        self.works = works
        self.reauths = 0

    def auth(self, method, url, headers, body):
        return {"Authorization": "Bearer %s" % self.value}

    def reauth(self):
        self.reauths += 1
        self.value = self.renewed
        return self.works


def test_reauth_once_on_401(app, make):
    token = Token("expired-token")
    client = make(auth=token.auth, reauth=token.reauth)
    assert client.request("GET", "/protected").json == {"ok": True}
    assert token.reauths == 1 and statuses(app) == [("GET", 401), ("GET", 200)]
    client.request("GET", "/protected")
    assert token.reauths == 1 and client.counts == {"GET": 3}


def test_reauth_that_does_not_help_fails_after_one_retry(app, make):
    token = Token("expired-token", renewed="still-bad")
    client = make(auth=token.auth, reauth=token.reauth)
    with pytest.raises(ApiError) as exc:
        client.request("GET", "/protected")
    assert token.reauths == 1 and client.counts == {"GET": 2}
    assert str(exc.value) == "Echo API GET /protected failed: HTTP 401: token expired"


def test_reauth_refused_sends_nothing_more(app, make):
    token = Token("expired-token", works=False)
    client = make(auth=token.auth, reauth=token.reauth)
    with pytest.raises(ApiError):
        client.request("GET", "/protected")
    assert token.reauths == 1 and client.counts == {"GET": 1}


# --------------------------------------------------------------------------- TLS
def test_right_ca_path(app, make):
    assert make().request("GET", "/items").status == 200


def test_wrong_ca_names_the_fix(app, make, pki):
    client = make(ca_path=pki.other_ca_path)
    with pytest.raises(ApiError) as exc:
        client.request("GET", "/items")
    msg = str(exc.value)
    assert "TLS verification failed (the server certificate is not trusted)" in msg
    assert "Set ca_path" in msg and "validate_certs=false" in msg
    assert client.counts == {"GET": 1}  # TLS errors are never retried
    assert app.requests == []


def test_ca_path_wins_over_requests_ca_bundle(app, make, pki, monkeypatch):
    # requests lets REQUESTS_CA_BUNDLE override a session's verify; the client passes verify per request.
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", pki.other_ca_path)
    monkeypatch.setenv("CURL_CA_BUNDLE", pki.other_ca_path)
    assert make().request("GET", "/items").status == 200
    assert make(ca_path=None, validate_certs=False).request("GET", "/items").status == 200
    with pytest.raises(ApiError):
        make(ca_path=None).request("GET", "/items")  # no ca_path: the environment's bundle applies


def test_validate_certs_false(servers, make):
    _app, started = servers
    for profile in ("untrusted", "expired", "wrong_host"):
        client = make(base_url=started[profile].url, ca_path=None, validate_certs=False)
        assert client.request("GET", "/items").status == 200


@pytest.mark.parametrize("profile,why", [
    ("expired", "the server certificate has expired"),
    ("wrong_host", "the certificate does not match the host name"),
    ("untrusted", "the server certificate is not trusted"),
])
def test_broken_certificates(servers, make, profile, why):
    _app, started = servers
    client = make(base_url=started[profile].url)
    with pytest.raises(ApiError) as exc:
        client.request("GET", "/items")
    assert "TLS verification failed (%s)" % why in str(exc.value)
    assert "ca_path" in str(exc.value)
    assert "Traceback" not in str(exc.value)


# --------------------------------------------------------------------------- error texts
def test_html_error_page_is_summarised(app, make):
    app.add_fault({"path": "/items", "status": 502, "html": True, "method": "POST"})
    with pytest.raises(ApiError) as exc:
        make().request("POST", "/items", json_body={"name": "a"})
    assert str(exc.value) == ("Echo API POST /items failed: HTTP 502: non-JSON response (HTML page: 502 Proxy Error). "
                              "Not retried, as POST is not idempotent: check whether the change was made before "
                              "trying again")


def test_malformed_json_error_body(app, make):
    app.add_fault({"path": "/items", "status": 400, "malformed": True})
    with pytest.raises(ApiError) as exc:
        make().request("GET", "/items")
    assert str(exc.value) == 'Echo API GET /items failed: HTTP 400: {"truncated": [1, 2'
    assert exc.value.body is None


def test_error_parser_and_request_id(app, make):
    app.config.update(echo="not-a-secret-here", request_id="req-42")
    client = make(error_parser=lambda resp: ("vendor says %s" % resp.json["code"], resp.json["code"]))
    with pytest.raises(ApiError) as exc:
        client.request("GET", "/echo-error")
    assert str(exc.value) == "Echo API GET /echo-error failed: HTTP 400: vendor says E_CRED (request id req-42)"
    assert exc.value.error_code == "E_CRED" and exc.value.request_id == "req-42"

    def broken(resp):
        raise KeyError("oops")

    with pytest.raises(ApiError) as exc:
        make(error_parser=broken).request("GET", "/echo-error")
    assert "invalid credential not-a-secret-here" in str(exc.value)  # falls back to the default text


# --------------------------------------------------------------------------- secrets
def _leaks(text, secret=SECRET):
    return sorted(v for v in secret_variants(secret) if v in text)


def test_secrets_never_in_errors(app, make):
    app.config["echo"] = SECRET
    client = make(secrets=[SECRET])
    with pytest.raises(ApiError) as exc:
        client.request("GET", "/echo-error")
    err = exc.value
    for text in (str(err), repr(err), repr(err.args), err.vendor_text, json.dumps(err.body)):
        assert _leaks(text) == [], text
    assert "invalid credential %s (base64 %s, url %s, b64url %s)" % ((MASK,) * 4) in str(err)
    with pytest.raises(ApiError) as exc:
        client.request("GET", "/echo-html")
    assert _leaks(str(exc.value)) == [] and MASK in str(exc.value)


def test_secrets_learned_later_and_in_queries(app, make, rec):
    token = "tok-" + base64.b64encode(b"learned at login").decode()
    client = make(secret_params=("api_key",))
    client.add_secret(token)
    app.add_fault({"path": "/items", "status": 503, "times": -1})
    with pytest.raises(ApiError) as exc:
        client.request("GET", "/items?api_key=%s" % urllib.parse.quote(SECRET, safe=""), params={"t": token},
                       headers={"Authorization": "Bearer " + token})
    texts = [str(exc.value)] + rec.warnings
    assert len(rec.warnings) == 5
    for text in texts:
        assert _leaks(text, token) == [] and SECRET not in text, text
        assert "api_key=" + MASK in text


def test_secret_in_connection_error(app, make, rec):
    app.add_fault({"path": "/items", "drop": True, "times": -1})
    client = make(secrets=[SECRET], retries=1)
    with pytest.raises(ApiError) as exc:
        client.request("GET", "/items", params={"password": SECRET})
    for text in [str(exc.value), repr(exc.value)] + rec.warnings:
        assert _leaks(text) == [], text


# --------------------------------------------------------------------------- pure helpers
@pytest.mark.parametrize("value,expected", [
    (None, None), ("", None), ("  ", None), ("5", 5.0), ("0", 0.0), ("1.5", 1.5), ("-3", 0.0),
    ("soon", None), ("Wed, 21 Oct 2015 07:28:00 GMT", 0.0),
])
def test_parse_retry_after(value, expected):
    assert parse_retry_after(value) == expected


def test_parse_retry_after_future_date():
    now = 1700000000.0
    assert parse_retry_after(email.utils.formatdate(now + 90, usegmt=True), now=now) == pytest.approx(90, abs=1)


def test_secret_variants_and_scrubber():
    assert secret_variants(None) == set() and secret_variants("abc") == set()
    variants = secret_variants(SECRET)
    assert SECRET in variants and urllib.parse.quote(SECRET, safe="") in variants
    assert urllib.parse.quote_plus(SECRET) in variants and json.dumps(SECRET)[1:-1] in variants
    assert base64.b64encode(SECRET.encode()).decode() in variants
    scrub = Scrubber(["abc", "long-secret", "long-secret-and-more", None])
    assert scrub("x long-secret-and-more y long-secret abc") == "x %s y %s abc" % (MASK, MASK)
    assert scrub(None) is None and scrub(5) == "5"
    data = {"a": ["long-secret", 1, {"b": "long-secret!"}], "long-secret": True, "n": None}
    assert scrub.scrub_data(data) == {"a": [MASK, 1, {"b": MASK + "!"}], MASK: True, "n": None}


def test_redact_query():
    assert redact_query("/a?key=1&x=2", ("KEY",)) == "/a?key=%s&x=2" % MASK
    assert redact_query("/a?x=2", ()) == "/a?x=2" and redact_query("/a", ("key",)) == "/a"


def test_short_body_and_default_error_text():
    html = Response(502, {"Content-Type": "text/html"}, "<html><head><title> Bad Gateway </title></head></html>")
    assert short_body(html) == "non-JSON response (HTML page: Bad Gateway)"
    assert short_body(Response(500, {}, "<!DOCTYPE html><p>x</p>")) == "non-JSON response (HTML page)"
    assert short_body(Response(500, {}, "")) == "(empty response body)"
    long = short_body(Response(500, {}, "word " * 200))
    assert long.endswith("...") and len(long) == 303
    assert default_error_text(Response(400, {}, '{"error_description": "bad grant", "error": "x"}')) == "bad grant"
    assert default_error_text(Response(400, {}, '{"errors": [1]}')) == '{"errors": [1]}'
    assert default_error_text(Response(400, {}, "plain  text\nbody")) == "plain text body"


def test_api_error_message_forms():
    assert str(ApiError("Svc", "GET", "/x")) == "Svc API GET /x failed"
    assert str(ApiError("Svc", "GET", "/x", vendor_text="no route", hint="Check it")) == \
        "Svc API GET /x failed: no route. Check it"
    assert str(ApiError("Svc", "PUT", "/x", status=409, vendor_text="exists", request_id="r1")) == \
        "Svc API PUT /x failed: HTTP 409: exists (request id r1)"


def test_quote_path_and_url():
    assert quote_path("a b/c") == "a%20b%2Fc"
    client = ApiClient("Svc", "https://h.example/api/")
    assert client.url("x") == "https://h.example/api/x" and client.url("/x") == "https://h.example/api/x"
    assert client.url("https://other.example/jwks") == "https://other.example/jwks"
    client.close()


# --------------------------------------------------------------------------- credentials in URL and host options
@pytest.mark.parametrize("value, userinfo, shown", [
    ("https://admin:Pa%40ss-word@cx.example.com:8443/cxrestapi", "admin:Pa%40ss-word", "https://cx.example.com:8443/cxrestapi"),
    ("root:Vc-Pass-1@vcenter.example.com", "root:Vc-Pass-1", "vcenter.example.com"),
    ("https://token@api.example.com/", "token", "https://api.example.com/"),
    ("https://a:b@c@host.example.com", "a:b@c", "https://host.example.com"),
])
def test_url_with_user_information_is_refused_naming_the_option_and_the_credentials(value, userinfo, shown):
    from ansible_collections.sso.oidc.plugins.module_utils._http import refuse_url_credentials, url_userinfo

    class Adapter(object):
        def __init__(self):
            self.no_log_values = set()

    class Sm(object):
        def __init__(self):
            self.adapter = Adapter()
            self.module = self.adapter
            self.learned = []

        def add_secret(self, value):
            self.learned.append(value)

    assert url_userinfo(value) == userinfo
    sm = Sm()
    msg = refuse_url_credentials("url", value, "username and password", module=sm)
    assert msg.startswith("url: the value carries a user name or password")
    assert "(%s) and the credentials in username and password" % shown in msg
    assert userinfo not in msg and userinfo.split(":")[-1] not in msg
    assert value in sm.learned and userinfo in sm.adapter.no_log_values and value in sm.adapter.no_log_values
    assert refuse_url_credentials("issuer", value, None).endswith("(it needs no credentials)")


@pytest.mark.parametrize("value", ["https://cx.example.com", "https://host/path@x", "https://host/?q=a@b", None, "",
                                   "vcenter.example.com"])
def test_url_without_user_information_passes(value):
    from ansible_collections.sso.oidc.plugins.module_utils._http import refuse_url_credentials

    assert refuse_url_credentials("url", value, "username and password") is None
