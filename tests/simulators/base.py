# Copyright (c) sso.oidc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The simulator harness: real HTTP(S) servers on loopback for vendor APIs.

A per-service simulator subclasses :class:`SimApp`, declares its routes and its
state, and answers like the vendor. The harness around it gives every
simulator the same machinery:

* a threaded HTTPS server (TLS from :mod:`simulators.tls`) on 127.0.0.1;
* state in memory, saved to ``<state_dir>/<name>.json`` after each write;
* a request log (method, path, status, kind: read / write / auth / check);
* fault injection: an HTTP status N times (with or without Retry-After), a
  delay, a dropped connection, a malformed JSON body, an HTML error page,
  either before the request is handled or after it (the write lands but the
  client sees the fault);
* a control API under ``/_sim/`` on the same server (loopback only, no auth):

  ``GET /_sim/health``, ``GET /_sim/state``, ``POST /_sim/reset`` (optional JSON
  body: seed), ``POST /_sim/seed``, ``GET|DELETE /_sim/requests``,
  ``GET|POST|DELETE /_sim/faults``, ``GET|POST /_sim/config``.
"""

import copy
import json
import os
import re
import socket
import ssl
import threading
import time
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

READ_METHODS = ("GET", "HEAD", "OPTIONS")


class Request(object):
    def __init__(self, method, raw_path, headers, body):
        self.method = method
        self.raw_path = raw_path
        parts = urllib.parse.urlsplit(raw_path)
        self.path = urllib.parse.unquote(parts.path)
        self.encoded_path = parts.path
        self.query_string = parts.query
        self.query = urllib.parse.parse_qs(parts.query, keep_blank_values=True)
        self.headers = headers
        self.body = body or b""
        self._json = None
        self._json_error = None
        self._parsed = False

    def header(self, name, default=None):
        return self.headers.get(name, default)

    def arg(self, name, default=None):
        values = self.query.get(name)
        return values[0] if values else default

    def _parse(self):
        if not self._parsed:
            self._parsed = True
            if self.body.strip():
                try:
                    self._json = json.loads(self.body.decode("utf-8"))
                except (ValueError, UnicodeDecodeError) as exc:
                    self._json_error = str(exc)

    @property
    def json(self):
        """The JSON body, or None; ``json_error`` tells why it could not be parsed."""
        self._parse()
        return self._json

    @property
    def json_error(self):
        self._parse()
        return self._json_error

    @property
    def form(self):
        return dict((k, v[0]) for k, v in urllib.parse.parse_qs(self.body.decode("utf-8"),
                                                                keep_blank_values=True).items())


class Response(object):
    def __init__(self, status=200, body=None, headers=None, content_type="application/json"):
        self.status = status
        self.headers = dict(headers or {})
        if body is None:
            self.body = b""
        elif isinstance(body, bytes):
            self.body = body
        elif isinstance(body, str):
            self.body = body.encode("utf-8")
        else:
            self.body = json.dumps(body).encode("utf-8")
        if self.body and content_type and "Content-Type" not in self.headers:
            self.headers["Content-Type"] = content_type


class Route(object):
    def __init__(self, method, pattern, handler, kind=None):
        self.method = method
        self.regex = re.compile("^" + pattern + "$")
        self.handler = handler
        self.kind = kind or ("read" if method in READ_METHODS else "write")


class SimApp(object):
    """Base of every simulator. Subclasses set ``name`` and implement
    :meth:`initial_state`, :meth:`register_routes` and :meth:`describe`."""

    name = "sim"

    def __init__(self, harness=None):
        self.harness = harness
        self.lock = threading.RLock()
        self.routes = []
        self.requests = []
        self.faults = []
        self.config = self.default_config()
        self.state = self.initial_state()
        self.state_file = None
        # Bumped by reset(): a request that began before a reset (a client gave up on a delayed answer) is not
        # logged after it, into the log of whatever the next test does.
        self.generation = 0
        self.url = None
        self.register_routes()

    # -- to override ------------------------------------------------------
    def default_config(self):
        return {}

    def initial_state(self):
        return {}

    def register_routes(self):
        pass

    def describe(self):
        """What the env JSON says about this simulator (URLs, credentials)."""
        return {"url": self.url, "control_url": self.url + "/_sim"}

    def seed(self, data):
        """Merge seed data into the state (default: top-level update)."""
        with self.lock:
            self.state.update(copy.deepcopy(data))

    def not_found(self, req):
        return Response(404, {"message": "no route for %s %s" % (req.method, req.path)})

    def method_not_allowed(self, req):
        return Response(405, {"message": "method %s not allowed on %s" % (req.method, req.path)})

    # -- routing ----------------------------------------------------------
    def add_route(self, method, pattern, handler, kind=None):
        self.routes.append(Route(method, pattern, handler, kind))

    def find_route(self, req):
        path_matched = False
        for route in self.routes:
            match = route.regex.match(req.path)
            if match:
                path_matched = True
                if route.method == req.method:
                    return route, match.groupdict(), True
        return None, None, path_matched

    def dispatch(self, req):
        route, args, path_matched = self.find_route(req)
        if route is None:
            resp = self.method_not_allowed(req) if path_matched else self.not_found(req)
            return resp, "read" if req.method in READ_METHODS else "write"
        with self.lock:
            resp = route.handler(req, **args)
        return resp, route.kind

    # -- state persistence ------------------------------------------------
    def attach_state_file(self, path):
        self.state_file = path
        if path and os.path.exists(path):
            with open(path) as handle:
                self.state = json.load(handle)

    def save_state(self):
        if not self.state_file:
            return
        tmp = self.state_file + ".tmp"
        with open(tmp, "w") as handle:
            json.dump(self.state, handle, indent=1, sort_keys=True)
        os.replace(tmp, self.state_file)

    def reset(self, seed=None):
        with self.lock:
            self.generation += 1
            self.state = self.initial_state()
            self.faults = []
            self.requests = []
            self.config = self.default_config()
            if seed:
                self.seed(seed)
            self.save_state()

    # -- faults -----------------------------------------------------------
    def add_fault(self, fault):
        fault = dict(fault)
        fault.setdefault("method", "*")
        fault.setdefault("path", ".*")
        fault.setdefault("times", 1)
        fault.setdefault("when", "before")
        fault["_regex"] = re.compile(fault["path"])
        with self.lock:
            self.faults.append(fault)

    def take_fault(self, req, when):
        with self.lock:
            for fault in self.faults:
                if fault["when"] != when or fault["times"] == 0:
                    continue
                if fault["method"] not in ("*", req.method):
                    continue
                if not fault["_regex"].search(req.path):
                    continue
                if fault["times"] > 0:
                    fault["times"] -= 1
                return fault
        return None

    def fault_response(self, fault):
        """Turn a fault into a response; None means 'drop the connection'."""
        if fault.get("drop"):
            return None
        status = int(fault.get("status", 500))
        headers = dict(fault.get("headers") or {})
        if fault.get("retry_after") is not None:
            headers["Retry-After"] = str(fault["retry_after"])
        if fault.get("malformed"):
            return Response(status if "status" in fault else 200, b'{"truncated": [1, 2', headers)
        if fault.get("html"):
            page = ("<!DOCTYPE html><html><head><title>%d Proxy Error</title></head>"
                    "<body><h1>Proxy Error</h1><p>The upstream server is unavailable.</p></body></html>" % status)
            return Response(status, page, headers, content_type="text/html")
        body = fault.get("body")
        if body is None:
            body = self.fault_body(status)
        return Response(status, body, headers)

    def fault_body(self, status):
        """The vendor-shaped error body for an injected status (override per vendor)."""
        return {"message": "injected fault: HTTP %d" % status}

    # -- log ----------------------------------------------------------------
    def record(self, req, status, kind, fault=None, generation=None):
        if generation is not None and generation != self.generation:
            return False  # the request began before the last reset
        entry = {
            "seq": len(self.requests) + 1,
            "time": time.time(),
            "method": req.method,
            "path": req.path,
            "query": req.query_string,
            "status": status,
            "kind": kind,
        }
        if fault is not None:
            entry["fault"] = dict((k, v) for k, v in fault.items() if not k.startswith("_"))
        with self.lock:
            self.requests.append(entry)
        return True

    # -- control API --------------------------------------------------------
    def control(self, req):
        sub = req.path[len("/_sim"):] or "/"
        body = req.json if req.body else None
        with self.lock:
            if sub == "/health":
                return Response(200, {"ok": True, "name": self.name})
            if sub == "/state" and req.method == "GET":
                return Response(200, self.state)
            if sub == "/reset" and req.method == "POST":
                self.reset(body)
                return Response(200, {"ok": True})
            if sub == "/seed" and req.method == "POST":
                self.seed(body or {})
                self.save_state()
                return Response(200, {"ok": True})
            if sub == "/requests":
                if req.method == "DELETE":
                    self.generation += 1  # as reset(): what began before is not logged after
                    self.requests = []
                    return Response(200, {"ok": True})
                return Response(200, {"requests": self.requests, "summary": self.summary()})
            if sub == "/faults":
                if req.method == "DELETE":
                    self.faults = []
                    return Response(200, {"ok": True})
                if req.method == "POST":
                    for fault in body if isinstance(body, list) else [body or {}]:
                        self.add_fault(fault)
                    return Response(200, {"ok": True})
                return Response(200, {"faults": [dict((k, v) for k, v in f.items() if not k.startswith("_"))
                                                 for f in self.faults]})
            if sub == "/config":
                if req.method == "POST":
                    self.config.update(body or {})
                return Response(200, self.config)
        return Response(404, {"message": "unknown control path %s" % req.path})

    def summary(self):
        out = {"total": len(self.requests), "read": 0, "write": 0, "auth": 0, "check": 0}
        for entry in self.requests:
            out[entry["kind"]] = out.get(entry["kind"], 0) + 1
        return out

    # -- helpers for simulators -------------------------------------------
    def fetch_json(self, url, timeout=5):
        """GET a JSON document (e.g. an OIDC discovery document) as the vendor's server would.

        Returns (document or None, error text or None)."""
        ctx = self.harness.pki.client_context() if self.harness and self.harness.pki else ssl.create_default_context()
        try:
            with urllib.request.urlopen(url, timeout=timeout, context=ctx) as resp:
                data = resp.read()
        except Exception as exc:  # any failure becomes the vendor's error text
            return None, "could not fetch %s: %s" % (url, exc)
        try:
            return json.loads(data.decode("utf-8")), None
        except ValueError:
            return None, "the document at %s is not JSON" % url


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "sso-oidc-sim/1.0"
    # Headers and body go out in two writes: without TCP_NODELAY, Nagle plus the
    # client's delayed ACK add ~40 ms to every keep-alive response.
    disable_nagle_algorithm = True

    def setup(self):
        ctx = self.server.tls_context
        if ctx is not None:
            self.request.settimeout(30)
            try:
                self.request = ctx.wrap_socket(self.request, server_side=True)
            except (ssl.SSLError, OSError):
                self.request = None
                self.rfile = self.wfile = None
                return
        BaseHTTPRequestHandler.setup(self)

    def handle(self):
        if self.request is None:
            return
        try:
            BaseHTTPRequestHandler.handle(self)
        except (ssl.SSLError, ConnectionError, socket.timeout):
            pass

    def finish(self):
        if self.request is None:
            return
        try:
            BaseHTTPRequestHandler.finish(self)
        except (ssl.SSLError, OSError):
            pass

    def log_message(self, *args):  # quiet
        pass

    def _serve(self):
        app = self.server.app
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        req = Request(self.command, self.path, self.headers, body)
        if req.path.startswith("/_sim/") or req.path == "/_sim":
            return self._send(app.control(req))
        generation = app.generation
        fault = app.take_fault(req, "before")
        if fault is not None:
            if fault.get("delay"):
                time.sleep(float(fault["delay"]))
            if any(fault.get(k) for k in ("status", "drop", "malformed", "html", "body")):
                resp = app.fault_response(fault)
                app.record(req, resp.status if resp else 0, "fault", fault, generation=generation)
                if resp is None:
                    return self._drop()
                return self._send(resp)
        try:
            resp, kind = app.dispatch(req)
        except Exception as exc:  # a simulator bug must show as a 500, not hang the client
            resp, kind = Response(500, {"message": "simulator error: %s" % exc}), "error"
        after = app.take_fault(req, "after")
        if kind == "write" and 200 <= resp.status < 300:
            with app.lock:
                app.save_state()
        app.record(req, resp.status, kind, after, generation=generation)
        if after is not None:
            fault_resp = app.fault_response(after)
            if fault_resp is None:
                return self._drop()
            resp = fault_resp
        return self._send(resp)

    def _drop(self):
        self.close_connection = True
        try:
            self.request.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def _send(self, resp):
        self.send_response(resp.status)
        for name, value in resp.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(resp.body)))
        self.end_headers()
        if self.command != "HEAD" and resp.body:
            self.wfile.write(resp.body)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _serve


class SimServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, app, host="127.0.0.1", port=0, tls_context=None):
        self.app = app
        self.tls_context = tls_context
        ThreadingHTTPServer.__init__(self, (host, port), _Handler)
        scheme = "https" if tls_context is not None else "http"
        self.url = "%s://%s:%d" % (scheme, host, self.server_address[1])
        self.thread = None

    def start(self):
        self.thread = threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.1},
                                       name="sim-%s" % self.app.name, daemon=True)
        self.thread.start()
        return self

    def stop(self):
        self.shutdown()
        self.server_close()
        if self.thread is not None:
            self.thread.join(2)
