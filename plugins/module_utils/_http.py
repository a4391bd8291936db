# -*- coding: utf-8 -*-
# Copyright (c) sso.oidc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one HTTP client of sso.oidc (private: not part of the collection's public API).

Every service module_utils builds an ``ApiClient`` with its own base URL, headers,
authentication hook and error parser. The client owns what is generic:
one ``requests`` session per module run, timeouts, TLS settings, retries with
backoff (honouring ``Retry-After``), a request count by method, and the
scrubbing of every registered secret from every message it produces.
"""

from __future__ import annotations

import base64
import email.utils
import json
import random
import time
import traceback

from urllib.parse import parse_qsl, quote, quote_plus, unquote, urlencode, urlsplit, urlunsplit

REQUESTS_IMPORT_ERROR = None
try:
    import requests
    from requests import exceptions as rexc
except ImportError:  # pragma: no cover - exercised by the sanity import test
    requests = None
    rexc = None
    REQUESTS_IMPORT_ERROR = traceback.format_exc()

COLLECTION_VERSION = "0.2.0"
USER_AGENT = "sso.oidc-ansible-collection/%s" % COLLECTION_VERSION
MASK = "********"

IDEMPOTENT_METHODS = frozenset(("GET", "HEAD", "OPTIONS", "PUT", "DELETE"))
RETRY_ANY_METHOD = frozenset((429, 503))
RETRY_IDEMPOTENT_ONLY = frozenset((502, 504))

DEFAULT_RETRIES = 5
DEFAULT_RETRY_BUDGET = 60.0
BACKOFF_BASE = 0.5
BACKOFF_CAP = 8.0


def secret_variants(value):
    """Every form in which a secret could appear in text we produce."""
    if value is None:
        return set()
    text = str(value)
    if len(text) < 4:
        # Scrubbing a 1-3 character value would mangle every message; such values
        # are not secrets worth the name, and the modules refuse them as secrets.
        return set()
    out = {text, quote(text, safe=""), quote_plus(text), json.dumps(text)[1:-1]}
    # Python's own escapes too: an exception message often holds the repr() of a payload
    out.update((repr(text)[1:-1], ascii(text)[1:-1], json.dumps(text, ensure_ascii=False)[1:-1]))
    raw = text.encode("utf-8")
    out.add(base64.b64encode(raw).decode("ascii"))
    out.add(base64.urlsafe_b64encode(raw).decode("ascii").rstrip("="))
    out.add(base64.b64encode(raw).decode("ascii").rstrip("="))
    return {v for v in out if v}


def url_userinfo(value):
    """The user information of a URL or host option (``user:pw`` of ``https://user:pw@host``), or None.

    A value without a scheme (``user:pw@vcenter.example.com``, as a host option may be given) is read
    the same way: everything before the last ``@`` of the authority.
    """
    if not isinstance(value, str):
        return None
    text = value.strip()
    rest = text.split("://", 1)[1] if "://" in text else text
    authority = rest
    for stop in ("/", "?", "#"):
        authority = authority.split(stop, 1)[0]
    if "@" not in authority:
        return None
    return authority.rsplit("@", 1)[0]


def _no_log_sets(module):
    """The ``no_log_values`` sets behind an SsoModule: its adapter's (the in-process runner) and the
    AnsibleModule's, which mask ``invocation`` when the result is returned."""
    found, seen, todo = [], set(), [module]
    while todo:
        obj = todo.pop()
        if obj is None or id(obj) in seen:
            continue
        seen.add(id(obj))
        values = getattr(obj, "no_log_values", None)
        if isinstance(values, set):
            found.append(values)
        todo.extend(getattr(obj, name, None) for name in ("adapter", "module"))
    return found


def refuse_url_credentials(option, value, instead, module=None, example=None):
    """The message refusing a URL or host option that carries user information, or None when it has none.

    Such an option is not secret, so Ansible would print it (and its password) at ``-vvvv`` and in
    ``invocation``. Call this before any request and before any other message that could quote the
    value. With ``module`` (an ``SsoModule``), the user information, the password and their decoded
    forms become secrets at once: scrubbed from every message and masked in ``invocation``.
    ``instead`` names the credential options to use (None: the option needs no credentials); ``example``
    is a value without credentials to show (default: the value with its user information removed).
    """
    userinfo = url_userinfo(value)
    if userinfo is None:
        return None
    if module is not None:
        _user, _sep, password = userinfo.partition(":")
        # The whole value and the user information always (they are long enough to mask safely); the
        # password and the decoded forms when they are long enough not to mangle every message.
        found = [value, userinfo] + [v for v in (password, unquote(userinfo), unquote(password)) if len(v) >= 4]
        for secret in found:
            if hasattr(module, "add_secret"):
                module.add_secret(secret)
            for no_log_values in _no_log_sets(module):
                no_log_values.add(secret)
    text = value.strip()
    scheme, sep, rest = text.partition("://")
    if not sep:
        scheme, rest = "", text
    host_part = rest[len(userinfo) + 1:]
    cleaned = example or ("%s://%s" % (scheme, host_part) if scheme else host_part)
    where = ("and the credentials in %s" % instead) if instead else "(it needs no credentials)"
    return ("%s: the value carries a user name or password (user information before '@'); %s is not a secret "
            "option, so Ansible would show it in its output. Give %s without them (%s) %s"
            % (option, option, option, cleaned, where))


class Scrubber(object):
    """Removes registered secrets (and their encodings) from text."""

    def __init__(self, secrets=None):
        self._variants = set()
        for secret in secrets or ():
            self.add(secret)

    def add(self, secret):
        self._variants.update(secret_variants(secret))
        self._ordered = None

    def __call__(self, text):
        if text is None:
            return text
        text = str(text)
        # Longest first, so a secret that contains another is removed whole. Sorted once per
        # change, not per string: scrub_data calls this for every string of a result.
        ordered = getattr(self, "_ordered", None)
        if ordered is None:
            ordered = self._ordered = sorted(self._variants, key=len, reverse=True)
        for variant in ordered:
            if variant in text:
                text = text.replace(variant, MASK)
        return text

    def scrub_data(self, data):
        """Scrub secrets from every string inside a JSON-like structure."""
        if isinstance(data, dict):
            return dict((self(k) if isinstance(k, str) else k, self.scrub_data(v)) for k, v in data.items())
        if isinstance(data, (list, tuple)):
            return [self.scrub_data(v) for v in data]
        if isinstance(data, str):
            return self(data)
        return data


class ApiError(Exception):
    """A failed API call, or a failed connection to the API.

    ``str(error)`` is the user-facing message, for example
    ``Checkmarx API PUT /OIDCClients/7 failed: HTTP 400: <vendor text>``.
    """

    def __init__(self, service, method, path, status=None, vendor_text=None,
                 request_id=None, hint=None, body=None, error_code=None):
        self.service = service
        self.method = method
        self.path = path
        self.status = status
        self.vendor_text = vendor_text
        self.request_id = request_id
        self.hint = hint
        self.body = body
        self.error_code = error_code
        super(ApiError, self).__init__(self.message)

    @property
    def message(self):
        parts = ["%s API %s %s failed" % (self.service, self.method, self.path)]
        if self.status is not None:
            detail = "HTTP %s" % self.status
            if self.vendor_text:
                detail += ": %s" % self.vendor_text
            parts.append(detail)
        elif self.vendor_text:
            parts.append(self.vendor_text)
        msg = ": ".join(parts)
        if self.request_id:
            msg += " (request id %s)" % self.request_id
        if self.hint:
            msg += ". %s" % self.hint
        return msg

    def __str__(self):
        return self.message


class UnclearOutcome(ApiError):
    """A write whose outcome is not known: the server may or may not have made the change.

    Raised only for a request sent with ``settle=`` (see :meth:`ApiClient.request`), when no
    answer came (a timeout, a reset connection) or the answer's status is one the request named.
    The engine settles it by reading (``_reconcile.confirm_write``). ``resend`` is True when the
    server cannot have processed the write (a refused connection, HTTP 429 or 503), so it may be
    sent again once a read shows it did not land; ``delay`` is the wait before that (the server's
    ``Retry-After`` or the client's backoff).
    """

    def __init__(self, service, method, path, resend=False, delay=0.0, **kwargs):
        self.resend = resend
        self.delay = delay
        super(UnclearOutcome, self).__init__(service, method, path, **kwargs)

    @property
    def outcome(self):
        """What made the outcome unclear, for a message: ``HTTP 503`` or ``no answer``."""
        return "HTTP %s" % self.status if self.status is not None else "no answer"


#: the outcomes after which a write may or may not have been applied (for ``settle=``): no answer
#: (``None``), 408, 429 and every 5xx
SERVER_FAILURES = (None, 408, 429) + tuple(range(500, 600))


class Response(object):
    """What a call returns: status, headers, text and parsed JSON (or None)."""

    def __init__(self, status, headers, text):
        self.status = status
        self.headers = headers
        self.text = text
        self._json = None
        self._parsed = False

    @property
    def json(self):
        if not self._parsed:
            self._parsed = True
            try:
                self._json = json.loads(self.text) if self.text and self.text.strip() else None
            except ValueError:
                self._json = None
        return self._json


def default_error_text(response):
    """Best-effort vendor text: a JSON message, else the start of the body."""
    data = response.json
    if isinstance(data, dict):
        for key in ("message", "Message", "error_description", "error", "detail", "title"):
            value = data.get(key)
            if isinstance(value, str) and value:
                return value
        return json.dumps(data, sort_keys=True)[:500]
    return short_body(response)


def short_body(response):
    """A one-line extract of a non-JSON body (e.g. an HTML page from a proxy)."""
    text = (response.text or "").strip()
    if not text:
        return "(empty response body)"
    ctype = response.headers.get("Content-Type", "") if response.headers else ""
    if "html" in ctype.lower() or text.lower().startswith(("<!doctype", "<html")):
        title = ""
        low = text.lower()
        start = low.find("<title>")
        end = low.find("</title>")
        if 0 <= start < end:
            title = text[start + 7:end].strip()
        return "non-JSON response (HTML page%s)" % (": %s" % title if title else "")
    text = " ".join(text.split())
    return text[:300] + ("..." if len(text) > 300 else "")


def parse_retry_after(value, now=None):
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP-date)."""
    if value is None:
        return None
    value = str(value).strip()
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    now = time.time() if now is None else now
    return max(0.0, when.timestamp() - now)


def redact_query(path, secret_params=()):
    """Drop the values of secret query parameters from a path for messages."""
    if "?" not in path or not secret_params:
        return path
    parts = urlsplit(path)
    lowered = set(p.lower() for p in secret_params)
    query = [(k, MASK if k.lower() in lowered else v) for k, v in parse_qsl(parts.query, keep_blank_values=True)]
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query, safe="*"), parts.fragment))


class ApiClient(object):
    """HTTP client for one service, shared by every request of one module run.

    :param service: the service name used in messages ("Checkmarx").
    :param base_url: scheme://host[:port][/prefix]; paths are joined to it.
    :param headers: default headers for every request (media types, ...).
    :param auth: callable(method, url, headers, body) -> headers to add; called
        before every attempt, so request signing (SigV4) sees the final request.
    :param reauth: callable() -> bool, called once on an HTTP 401; when it
        returns True the request is sent again once (expired tokens).
    :param error_parser: callable(Response) -> (vendor text, error code or None).
    :param warn: callable(message), one warning per retry.
    :param secret_params: query parameter names whose values never appear in messages.
    """

    def __init__(self, service, base_url, validate_certs=True, ca_path=None, timeout=30,
                 headers=None, auth=None, reauth=None, error_parser=None, warn=None,
                 secrets=None, scrubber=None, secret_params=(), retries=DEFAULT_RETRIES,
                 retry_budget=DEFAULT_RETRY_BUDGET, sleep=time.sleep):
        if requests is None:
            raise RuntimeError("the Python library 'requests' is required")
        self.service = service
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.headers = dict(headers or {})
        self.headers.setdefault("User-Agent", USER_AGENT)
        self.auth = auth
        self.reauth = reauth
        self.error_parser = error_parser
        self.warn = warn or (lambda msg: None)
        self.scrub = scrubber if scrubber is not None else Scrubber()
        for secret in secrets or ():
            self.scrub.add(secret)
        self.secret_params = tuple(secret_params)
        self.retries = retries
        self.retry_budget = retry_budget
        self.sleep = sleep
        self.counts = {}
        self.validate_certs = validate_certs
        self.ca_path = ca_path
        self.session = requests.Session()
        # Proxies and the like come from the environment, as requests does by default.
        # ``verify`` is also passed with every request: requests lets REQUESTS_CA_BUNDLE /
        # CURL_CA_BUNDLE override a session's verify (ca_path and validate_certs=false alike).
        self.verify = ca_path if (validate_certs and ca_path) else bool(validate_certs)
        if not validate_certs:
            self.session.verify = False
            try:
                import urllib3
                urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)
            except Exception:  # pragma: no cover
                pass
        elif ca_path:
            self.session.verify = ca_path

    # ------------------------------------------------------------------ helpers
    def add_secret(self, value):
        self.scrub.add(value)

    def url(self, path):
        if path.startswith("http://") or path.startswith("https://"):
            return path
        if not path.startswith("/"):
            path = "/" + path
        return self.base_url + path

    def total_requests(self):
        return sum(self.counts.values())

    def close(self):
        try:
            self.session.close()
        except Exception:  # pragma: no cover
            pass

    def _display_path(self, url):
        parts = urlsplit(url)
        base_path = urlsplit(self.base_url).path.rstrip("/")
        path = parts.path
        if base_path and path.startswith(base_path):
            path = path[len(base_path):] or "/"
        if parts.query:
            path += "?" + parts.query
        return self.scrub(redact_query(path, self.secret_params))

    def _error(self, method, url, status=None, text=None, request_id=None, hint=None, body=None, code=None):
        return ApiError(self.service, method, self._display_path(url), status=status,
                        vendor_text=self.scrub(text) if text else text,
                        request_id=request_id, hint=self.scrub(hint) if hint else hint,
                        body=self.scrub.scrub_data(body), error_code=code)

    def _transport_hint(self, exc, method="GET"):
        text = str(exc)
        if isinstance(exc, rexc.SSLError):
            low = text.lower()
            if "hostname" in low or "match" in low:
                why = "the certificate does not match the host name"
            elif "expired" in low:
                why = "the server certificate has expired"
            else:
                why = "the server certificate is not trusted"
            return ("TLS verification failed (%s): %s. Set ca_path to a PEM bundle with the CA that signed "
                    "the server certificate, or validate_certs=false for a lab only" % (why, _short(text)))
        maybe_landed = ""
        if method not in IDEMPOTENT_METHODS and not isinstance(exc, rexc.ConnectTimeout):
            maybe_landed = ("; %s is not retried as it is not idempotent: the server may have made the change, "
                            "so check its state (or run the task again, which reads first)" % method)
        if isinstance(exc, (rexc.ConnectTimeout, rexc.ReadTimeout, rexc.Timeout)):
            return ("no answer within timeout=%ss; check that the URL is right and the server is up, "
                    "or raise timeout%s" % (self.timeout, maybe_landed))
        if isinstance(exc, rexc.ConnectionError) and ("aborted" in text.lower() or "reset" in text.lower()
                                                      or "remote end closed" in text.lower()):
            return "the connection was closed before an answer came (%s)%s" % (_short(text), maybe_landed)
        if isinstance(exc, rexc.ConnectionError):
            return "could not connect (%s); check the URL, the port and any proxy settings" % _short(text)
        return _short(text)

    # ------------------------------------------------------------------ request
    def request(self, method, path, json_body=None, data=None, params=None, headers=None,
                expected=None, allow_status=(), authenticated=True, retry=True, settle=None):
        """Send one request (with retries) and return a Response.

        The request's own policy (nothing else changes how the client behaves):

        :param expected: statuses that count as success (default: any 2xx).
        :param allow_status: further statuses returned to the caller instead of
            raising (e.g. 404 for "not there").
        :param retry: False sends the request once: no automatic retry of any kind (a 401 still
            logs in again once). True (the default) retries 429/503 for every method and
            502/504 and connection failures for idempotent methods, with backoff.
        :param settle: for a write whose outcome must be settled by reading: the outcomes after
            which :class:`UnclearOutcome` is raised instead of :class:`ApiError`: statuses, and
            ``None`` for no answer at all (a timeout, a reset connection). E.g.
            :data:`SERVER_FAILURES` (no answer, 408, 429, any 5xx) or ``(408,)`` (only that status).
        """
        method = method.upper()
        url = self.url(path)
        if params:
            query = urlencode([(k, v) for k, v in params.items() if v is not None], doseq=True)
            if query:
                url += ("&" if "?" in url else "?") + query
        body = None
        req_headers = dict(self.headers)
        if json_body is not None:
            body = json.dumps(json_body, separators=(",", ":")).encode("utf-8")
            req_headers.setdefault("Content-Type", "application/json")
        elif data is not None:
            body = data.encode("utf-8") if isinstance(data, str) else data
        if headers:
            req_headers.update(headers)
        for name in [k for k, v in req_headers.items() if v is None]:
            del req_headers[name]

        start = time.time()
        attempt = 0
        reauthed = False
        while True:
            attempt += 1
            send_headers = dict(req_headers)
            if authenticated and self.auth is not None:
                send_headers.update(self.auth(method, url, send_headers, body) or {})
            self.counts[method] = self.counts.get(method, 0) + 1
            try:
                raw = self.session.request(method, url, data=body, headers=send_headers,
                                           timeout=self.timeout, allow_redirects=False, verify=self.verify)
            except rexc.RequestException as exc:
                retriable = (isinstance(exc, rexc.ConnectionError)
                             and not isinstance(exc, (rexc.SSLError, rexc.Timeout))
                             and (method in IDEMPOTENT_METHODS or isinstance(exc, rexc.ConnectTimeout)))
                delay = self._backoff(attempt)
                if retry and retriable and self._may_retry(attempt, start, delay):
                    self.warn(self.scrub("%s API %s %s: connection failed (%s); retrying in %.1fs (retry %d of %d)"
                                         % (self.service, method, self._display_path(url), _short(str(exc)),
                                            delay, attempt, self.retries)))
                    self.sleep(delay)
                    continue
                if settle is not None and None in settle and not isinstance(exc, rexc.SSLError):
                    refused = isinstance(exc, rexc.ConnectTimeout) or (
                        isinstance(exc, rexc.ConnectionError) and not isinstance(exc, rexc.Timeout)
                        and "could not connect" in self._transport_hint(exc, method))
                    raise UnclearOutcome(self.service, method, self._display_path(url), resend=refused,
                                         delay=delay, hint=self.scrub(self._transport_hint(exc, method)))
                raise self._error(method, url, hint=self._transport_hint(exc, method))

            response = Response(raw.status_code, raw.headers, raw.text)
            response.attempts = attempt
            status = response.status
            ok = (status in expected) if expected else (200 <= status < 300)
            if ok or status in allow_status:
                return response

            if status == 401 and authenticated and self.reauth is not None and not reauthed:
                reauthed = True
                if self.reauth():
                    continue

            if status in RETRY_ANY_METHOD or (status in RETRY_IDEMPOTENT_ONLY and method in IDEMPOTENT_METHODS):
                wait = parse_retry_after(response.headers.get("Retry-After"))
                delay = wait if wait is not None else self._backoff(attempt)
                if retry and self._may_retry(attempt, start, delay):
                    self.warn(self.scrub("%s API %s %s: HTTP %s; retrying in %.1fs (retry %d of %d)"
                                         % (self.service, method, self._display_path(url), status, delay,
                                            attempt, self.retries)))
                    self.sleep(delay)
                    continue
            error = self.http_error(method, url, response)
            if settle is not None and status in settle:
                wait = parse_retry_after(response.headers.get("Retry-After"))
                raise UnclearOutcome(self.service, error.method, error.path, resend=status in RETRY_ANY_METHOD,
                                     delay=wait if wait is not None else self._backoff(attempt), status=status,
                                     vendor_text=error.vendor_text, request_id=error.request_id, body=error.body,
                                     error_code=error.error_code)
            raise error

    def http_error(self, method, url, response):
        text, code = None, None
        if self.error_parser is not None:
            try:
                parsed = self.error_parser(response)
            except Exception:  # a broken body must never turn into a traceback
                parsed = None
            if isinstance(parsed, tuple):
                text, code = parsed
            else:
                text = parsed
        if not text:
            text = default_error_text(response)
        request_id = None
        for name in ("x-amzn-requestid", "x-request-id", "x-correlation-id", "request-id"):
            if response.headers and response.headers.get(name):
                request_id = response.headers.get(name)
                break
        hint = None
        if response.status in (429, 502, 503, 504):
            attempts = getattr(response, "attempts", None) or min(self.retries + 1, 99)
            wait = parse_retry_after(response.headers.get("Retry-After")) if response.headers else None
            if attempts > 1:
                hint = "The server kept failing after %d attempts; try again later" % attempts
            elif response.status in RETRY_IDEMPOTENT_ONLY and method not in IDEMPOTENT_METHODS:
                hint = ("Not retried, as %s is not idempotent: check whether the change was made before "
                        "trying again" % method)
            elif wait is not None and wait > 0:
                hint = "The server asked to wait %.0fs (Retry-After), beyond the retry budget; try again later" % wait
            else:
                hint = "Try again later"
        return self._error(method, url, status=response.status, text=text, request_id=request_id,
                           hint=hint, body=response.json, code=code)

    def _backoff(self, attempt):
        # Exponential backoff with full jitter, capped.
        return random.uniform(0, min(BACKOFF_CAP, BACKOFF_BASE * (2 ** (attempt - 1)))) + 0.05

    def _may_retry(self, attempt, start, delay):
        if attempt > self.retries:
            return False
        return (time.time() - start) + delay <= self.retry_budget


def _short(text, limit=240):
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[:limit] + "..."


def quote_path(value):
    """URL-encode one path segment (keys can hold '/', spaces, ...)."""
    return quote(str(value), safe="")
