# -*- coding: utf-8 -*-
# Copyright (c) sso.oidc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Checkmarx CxSAST Access Control: the connection (private: not part of the collection's public API).

The connection options and their ``CX_*`` environment variables, the password-grant login (lazy,
once per module run, again once on a 401), the versioned media types, the error parser and the
error hints. The OIDC clients themselves are in ``_checkmarx_resource``. ``cx_token`` is the login
alone, so its module definition (:data:`TOKEN`) lives here.
"""

from __future__ import annotations

import time

from urllib.parse import urlencode, urlsplit

from ansible_collections.sso.oidc.plugins.module_utils._env import env_fallback
from ansible_collections.sso.oidc.plugins.module_utils._http import (
    ApiClient, ApiError, refuse_url_credentials, short_body,
)
from ansible_collections.sso.oidc.plugins.module_utils._module import info_module, tls_options
from ansible_collections.sso.oidc.plugins.module_utils._reconcile import InputError

SERVICE = "Checkmarx"
API_PREFIX = "/cxrestapi/auth"
TOKEN_PATH = "/identity/connect/token"
ACCEPT = "application/json;v=1.0"
CONTENT_TYPE = "application/json;v=1.0"
ORIGIN = "sso.oidc ansible"
DEFAULT_AUTH_CLIENT_ID = "resource_owner_client"
# The vendor-documented secret of the built-in resource owner clients (public, same on every install).
DEFAULT_AUTH_CLIENT_SECRET = "014DF517-39D1-4453-B7B3-9930C563627C"
# The scope the OIDCClients endpoints need, plus the one each documented login client pairs it with.
REQUIRED_SCOPE = "access_control_api"
COMPANION_SCOPES = {"resource_owner_client": "sast_rest_api", "resource_owner_sast_client": "sast_api"}


def connection_options():
    """The connection options of every Checkmarx module, with their ``CX_*`` environment variables."""
    spec = {
        "url": {"type": "str", "fallback": (env_fallback, ["CX_URL"])},
        "username": {"type": "str", "fallback": (env_fallback, ["CX_USERNAME"])},
        "password": {"type": "str", "no_log": True, "fallback": (env_fallback, ["CX_PASSWORD"])},
        "auth_client_id": {"type": "str", "default": DEFAULT_AUTH_CLIENT_ID,
                           "fallback": (env_fallback, ["CX_AUTH_CLIENT_ID"])},
        "auth_client_secret": {"type": "str", "no_log": True, "default": DEFAULT_AUTH_CLIENT_SECRET,
                               "fallback": (env_fallback, ["CX_AUTH_CLIENT_SECRET"])},
        "token": {"type": "str", "no_log": True, "fallback": (env_fallback, ["CX_TOKEN"])},
    }
    spec.update(tls_options(validate_certs_env=["CX_VALIDATE_CERTS"], ca_path_env=["CX_CA_PATH"]))
    return spec


def normalize_url(url):
    """Server base URL (``https://host[:port]``); a pasted ``/cxrestapi[/auth]`` suffix is dropped."""
    text = (url or "").strip().rstrip("/")
    for suffix in (API_PREFIX, "/cxrestapi"):
        if text.lower().endswith(suffix):
            text = text[:-len(suffix)]
    return text


# ---------------------------------------------------------------------------- errors
def parse_error(response):
    """(vendor text, error code) from any error body Access Control may send.

    The format is not documented, so every plausible one is read: the OAuth token errors, the
    CxSAST ``messageCode``/``messageDetails`` pair, ``message``/``Message``/``ErrorMessage``, ASP.NET
    ProblemDetails and ModelState dictionaries, a JSON list of messages, plain text, and an empty
    401 whose reason is in ``WWW-Authenticate``.
    """
    data = response.json
    if isinstance(data, dict):
        if isinstance(data.get("error"), str) and data.get("error"):
            text = data["error"]
            if data.get("error_description"):
                text = "%s (%s)" % (data["error"], data["error_description"])
            return text, data["error"]
        for key in ("messageDetails", "MessageDetails", "errorMessage", "ErrorMessage", "message", "Message"):
            if isinstance(data.get(key), str) and data.get(key):
                code = data.get("messageCode", data.get("MessageCode", data.get("errorCode", data.get("ErrorCode"))))
                return data[key], None if code is None else str(code)
        errors = data.get("errors")
        if isinstance(errors, dict) and errors:
            details = _field_messages(errors)
            title = data.get("title") or "Validation failed"
            return ("%s %s" % (title, details)).strip(), None
        if isinstance(data.get("title"), str) and data.get("title"):
            return data["title"], None
        if data and all(isinstance(v, list) for v in data.values()):
            return _field_messages(data), None
    if isinstance(data, list) and data and all(isinstance(v, str) for v in data):
        return "; ".join(data), None
    if isinstance(data, str) and data:
        return data, None
    if data is None and not (response.text or "").strip():
        challenge = response.headers.get("WWW-Authenticate") if response.headers else None
        if challenge:
            return "WWW-Authenticate: %s" % challenge, None
        return "(empty response body)", None
    return short_body(response), None


def _field_messages(errors):
    parts = []
    for field in sorted(errors):
        messages = errors[field]
        if isinstance(messages, list):
            messages = " ".join(str(m) for m in messages)
        parts.append("%s: %s" % (field, messages) if field else str(messages))
    return "; ".join(parts)


def login_hint(exc, auth_client_id):
    """What to do about a refused login, by the OAuth error code."""
    code = exc.error_code or ""
    if code == "invalid_client":
        return ("Check auth_client_id and auth_client_secret (CX_AUTH_CLIENT_ID, CX_AUTH_CLIENT_SECRET); "
                "the built-in %s uses the vendor-documented default secret" % DEFAULT_AUTH_CLIENT_ID)
    if code == "invalid_grant":
        return ("Check username and password (CX_USERNAME, CX_PASSWORD); the user must be an application "
                "user: Active Directory users cannot use the REST API")
    if code == "invalid_scope":
        return ("The login client %r must allow the scope %s" % (auth_client_id, REQUIRED_SCOPE))
    if code in ("unauthorized_client", "unsupported_grant_type"):
        return "The login client %r must allow the password grant" % auth_client_id
    return exc.hint


def check_connection(params):
    """Connection options, checked before any request."""
    url = params.get("url")
    if not url:
        raise InputError("url: the CxSAST server URL is required (for example https://cxsast.example.com); "
                         "set url or the CX_URL environment variable")
    parts = urlsplit(normalize_url(url))
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise InputError("url: %r is not an http(s) URL; give the server base URL such as "
                         "https://cxsast.example.com" % url)
    if not (params.get("token") or "").strip():
        missing = [name for name in ("username", "password") if not params.get(name)]
        if missing:
            raise InputError("%s: required to log in unless token is given; set %s or the environment "
                             "variable%s %s" % (" and ".join(missing), " and ".join(missing),
                                                "s" if len(missing) > 1 else "",
                                                " and ".join("CX_" + m.upper() for m in missing)))
    if params.get("timeout") is not None and params["timeout"] <= 0:
        raise InputError("timeout: must be a positive number of seconds")


# ---------------------------------------------------------------------------- the connection
class CheckmarxConnection(object):
    """One Access Control session per module run: lazy password-grant login, bearer header, re-login on 401."""

    def __init__(self, url, username=None, password=None, auth_client_id=None, auth_client_secret=None, token=None,
                 validate_certs=True, ca_path=None, timeout=30, scrubber=None, warn=None, add_secret=None,
                 sleep=time.sleep):
        self.username = username
        self.password = password
        self.auth_client_id = auth_client_id or DEFAULT_AUTH_CLIENT_ID
        self.auth_client_secret = auth_client_secret or ""
        self.add_secret = add_secret or (lambda value: None)
        self.base_url = normalize_url(url)
        self.api = ApiClient(
            SERVICE, self.base_url + API_PREFIX,
            validate_certs=validate_certs, ca_path=ca_path, timeout=timeout or 30,
            headers={"Accept": ACCEPT, "cxOrigin": ORIGIN},
            auth=self._auth_header, reauth=self._reauth, error_parser=parse_error,
            warn=warn, scrubber=scrubber, sleep=sleep,
        )
        token = (token or "").strip()
        if token.lower().startswith("bearer "):
            token = token[7:].strip()
        self.given_token = bool(token)
        self.token = token or None
        self.token_type = "Bearer"
        self.expires_at = None
        self.logins = 0

    @classmethod
    def from_params(cls, params, **kwargs):
        """The connection of a module's parameters (the options of :func:`connection_options`)."""
        return cls(params.get("url"), username=params.get("username"), password=params.get("password"),
                   auth_client_id=params.get("auth_client_id"), auth_client_secret=params.get("auth_client_secret"),
                   token=params.get("token"), validate_certs=params.get("validate_certs", True),
                   ca_path=params.get("ca_path"), timeout=params.get("timeout") or 30, **kwargs)

    @property
    def can_login(self):
        return bool(self.username and self.password)

    def scope(self):
        companion = COMPANION_SCOPES.get(self.auth_client_id)
        return "%s %s" % (REQUIRED_SCOPE, companion) if companion else REQUIRED_SCOPE

    def _auth_header(self, method, url, headers, body):
        expired = self.expires_at is not None and time.time() >= self.expires_at
        if self.token is None or (expired and self.can_login):
            self.login()
        return {"Authorization": "%s %s" % (self.token_type, self.token)}

    def _reauth(self):
        if not self.can_login:
            return False
        self.login()
        return True

    def login(self):
        form = urlencode([
            ("username", self.username or ""),
            ("password", self.password or ""),
            ("grant_type", "password"),
            ("scope", self.scope()),
            ("client_id", self.auth_client_id),
            ("client_secret", self.auth_client_secret),
        ])
        try:
            response = self.api.request("POST", TOKEN_PATH, data=form, authenticated=False, headers={
                "Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"})
        except ApiError as exc:
            exc.hint = login_hint(exc, self.auth_client_id)
            raise
        data = response.json if isinstance(response.json, dict) else {}
        token = data.get("access_token")
        if not isinstance(token, str) or not token:
            raise ApiError(SERVICE, "POST", TOKEN_PATH, status=response.status,
                           vendor_text="the answer carries no access_token",
                           hint="Check that url points at the CxSAST server (%s)" % self.base_url)
        self.add_secret(token)
        self.token = token
        token_type = data.get("token_type") or "Bearer"
        self.token_type = "Bearer" if token_type.lower() == "bearer" else token_type
        try:
            lifetime = float(data.get("expires_in"))
        except (TypeError, ValueError):
            lifetime = None
        # Log in again a little before the token runs out, rather than wait for the 401.
        self.expires_at = time.time() + lifetime - min(30.0, lifetime * 0.1) if lifetime else None
        self.logins += 1

    def request(self, method, path, **kwargs):
        headers = dict(kwargs.pop("headers", None) or {})
        if method in ("POST", "PUT", "PATCH", "DELETE"):
            headers["Content-Type"] = CONTENT_TYPE
        try:
            return self.api.request(method, path, headers=headers, **kwargs)
        except ApiError as exc:
            if exc.status == 401:
                if self.given_token and not self.can_login:
                    exc.hint = ("The token given in token (or CX_TOKEN) was refused: it has expired or does not "
                                "belong to this server. Get a new token, or give username and password so the "
                                "module can log in itself")
                else:
                    exc.hint = "The server refused a fresh token from its own token endpoint"
            elif exc.status == 403:
                exc.hint = ("The user needs the 'Manage Clients' permission, and the token the %s scope"
                            % REQUIRED_SCOPE)
            raise

    def close(self):
        self.api.close()


def connect(sm):
    """Check the connection options and build the connection (no request is sent here: the login is lazy)."""
    refused = refuse_url_credentials(
        "url", sm.params.get("url"), "username and password (CX_USERNAME and CX_PASSWORD), or token (CX_TOKEN)",
        module=sm)
    if refused:
        raise InputError(refused)
    check_connection(sm.params)
    conn = CheckmarxConnection.from_params(sm.params, scrubber=sm.scrub, warn=sm.warn, add_secret=sm.add_secret)
    sm.register_client(conn.api)
    sm.on_close(conn.close)
    return conn


# ---------------------------------------------------------------------------- cx_token
def run_token(sm):
    """cx_token: log in once and return the token (nothing sent when a token is given)."""
    conn = connect(sm)
    logged_in = not conn.given_token
    if logged_in:
        conn.login()
        msg = "Logged in to %s as %s" % (conn.base_url, sm.params.get("username"))
    else:
        msg = "A token is given in token (or CX_TOKEN): no login"
    # Everything but the token is scrubbed like every other result; the token is the one value this
    # module exists to return (the task that registers it has no_log).
    sm.exit_with_secret("token", conn.token if logged_in else None, changed=False, msg=msg, logged_in=logged_in,
                        api_calls=sm.api_calls())


#: the module cx_token
TOKEN = info_module(connection_options, run_token)
