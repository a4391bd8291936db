# -*- coding: utf-8 -*-
# Copyright (c) sso.oidc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""vCenter: the connection to the vSphere Automation API (private).

Service facts (vCenter 7.0.3 spec, ``/api`` endpoints):

* ``POST /api/session`` with HTTP Basic auth -> 201, the session token as a JSON string;
  the token goes in the ``vmware-api-session-id`` header; ``DELETE /api/session`` logs out.
* Errors are vAPI standard errors: ``{"error_type": ..., "messages": [{"default_message": ...}]}``.
* The server's vSphere API release is read at most once per task, without a session, from
  ``/sdk/vimServiceVersions.xml`` (what pyVmomi reads): a fact of the connection.

The identity providers themselves (their fields, normalisation and payloads) are in ``_vcenter_resource``.
"""

from __future__ import annotations

import base64
import re

from ansible_collections.sso.oidc.plugins.module_utils._env import env_fallback
from ansible_collections.sso.oidc.plugins.module_utils._http import ApiClient, ApiError, refuse_url_credentials
from ansible_collections.sso.oidc.plugins.module_utils._module import tls_options
from ansible_collections.sso.oidc.plugins.module_utils._reconcile import InputError

SERVICE = "vCenter"
SESSION_PATH = "/api/session"
SESSION_HEADER = "vmware-api-session-id"
VERSIONS_PATH = "/sdk/vimServiceVersions.xml"

_VIM25_RE = re.compile(r"<namespace>\s*<name>\s*urn:vim25\s*</name>\s*<version>\s*([0-9][0-9.]*)\s*</version>")

#: the credential options a hostname with user information should give way to
HOST_CREDENTIALS = "username and password (VMWARE_USER, VMWARE_PASSWORD), or session_id (VMWARE_SESSION_ID)"
HINT_403 = ("The vCenter user lacks a privilege: identity providers need VcIdentityProviders.Read and "
            "VcIdentityProviders.Manage (and VcIdentityProviders.Create to create one)")
HINT_SESSION_ID = ("The session given in session_id (VMWARE_SESSION_ID) is not valid: it expired or was logged out. "
                   "Get a new one, or leave session_id out to log in with username and password")


def connection_options():
    """hostname, username, password, port, session_id, and validate_certs, ca_path, timeout."""
    spec = {
        "hostname": {"type": "str", "required": True, "fallback": (env_fallback, ["VMWARE_HOST"])},
        "username": {"type": "str", "fallback": (env_fallback, ["VMWARE_USER"])},
        "password": {"type": "str", "no_log": True, "fallback": (env_fallback, ["VMWARE_PASSWORD"])},
        "port": {"type": "int", "default": 443, "fallback": (env_fallback, ["VMWARE_PORT"])},
        "session_id": {"type": "str", "no_log": True, "fallback": (env_fallback, ["VMWARE_SESSION_ID"])},
    }
    spec.update(tls_options(validate_certs_env=["VMWARE_VALIDATE_CERTS"]))
    return spec


# ---------------------------------------------------------------------------- errors
def parse_error(response):
    """(text, error type) from a vAPI error body (``/api`` style, or the legacy ``/rest`` wrapper)."""
    data = response.json
    if not isinstance(data, dict):
        return None, None
    error_type = data.get("error_type")
    body = data
    if isinstance(data.get("value"), dict) and isinstance(data.get("type"), str):
        body = data["value"]
        error_type = body.get("error_type") or data["type"].rsplit(".", 1)[-1].upper()
    texts = []
    for message in body.get("messages") or []:
        if isinstance(message, dict):
            text = message.get("default_message") or message.get("localized") or message.get("id")
            if text and text not in texts:
                texts.append(str(text))
    text = "; ".join(texts)
    if error_type and text:
        return "%s: %s" % (error_type, text), error_type
    return (text or error_type or None), error_type


class _Client(ApiClient):
    """ApiClient with vCenter's hints for 401 (session) and 403 (privileges)."""

    hint_401 = None

    def http_error(self, method, url, response):
        error = ApiClient.http_error(self, method, url, response)
        if error.status == 401 and self.hint_401 and not error.hint:
            error.hint = self.hint_401
        elif error.status == 403 and not error.hint:
            error.hint = HINT_403
        return error


# ---------------------------------------------------------------------------- input
def base_url(hostname, port):
    """https://host[:port] from the hostname and port options (InputError for a URL, a port in the host, ...)."""
    host = (hostname or "").strip()
    if not host:
        raise InputError("hostname: give the vCenter host name (or set VMWARE_HOST)")
    refused = refuse_host_credentials(host)
    if refused:
        raise InputError(refused)
    if "://" in host or "/" in host or "?" in host:
        raise InputError("hostname: give the host name only, for example vcenter.example.com, not a URL (%r); "
                         "the module always uses https and the port in the port option" % hostname)
    if host.count(":") == 1:
        raise InputError("hostname: %r holds a port; give the port in the port option (or VMWARE_PORT)" % hostname)
    if host.count(":") > 1 and not host.startswith("["):
        host = "[%s]" % host  # IPv6 literal
    if not isinstance(port, int) or not 0 < port < 65536:
        raise InputError("port: %r is not a TCP port (1-65535)" % (port,))
    return "https://%s" % host if port == 443 else "https://%s:%d" % (host, port)


def refuse_host_credentials(hostname, module=None):
    """hostname with user information (``user:password@host``): the message (the value never in it), or None.

    hostname is not a secret option, so Ansible prints it (at -vvvv, in ``invocation``); with ``module`` the
    user information becomes a secret at once (see ``_http.refuse_url_credentials``)."""
    text = (hostname or "").strip()
    host = text.split("://", 1)[-1].rsplit("@", 1)[-1]
    for stop in ("/", "?", "#"):
        host = host.split(stop, 1)[0]
    return refuse_url_credentials("hostname", hostname, HOST_CREDENTIALS, module=module, example=host)


def parse_api_version(text):
    """The vSphere API release (a tuple, e.g. (8, 0, 1)) that vimServiceVersions.xml names, or None."""
    match = _VIM25_RE.search(text or "")
    if not match:
        return None
    parts = [int(p) for p in match.group(1).split(".") if p.isdigit()]
    if not parts:
        return None
    return tuple((parts + [0, 0, 0])[:3])


def version_text(version):
    return ".".join(str(p) for p in version) if version else "unknown"


# ---------------------------------------------------------------------------- the connection
class VcenterConnection(object):
    """One vSphere Automation API session per module run: logs in lazily, logs out at the end.

    With ``session_id`` (a session obtained earlier) no login happens and the session is
    not logged out. A 401 on our own session logs in again, once per request.
    Building it checks the options and sends nothing.
    """

    def __init__(self, params, module=None, scrubber=None, warn=None):
        refused = refuse_host_credentials(params.get("hostname"), module=module)
        if refused:
            raise InputError(refused)
        self.username = params.get("username")
        self.password = params.get("password")
        self.user_session = params.get("session_id") or None
        if not self.user_session and not (self.username and self.password):
            raise InputError("username and password are required to log in to vCenter (or VMWARE_USER and "
                             "VMWARE_PASSWORD); or give session_id (VMWARE_SESSION_ID) to use an existing session")
        url = base_url(params.get("hostname"), params.get("port") or 443)
        if module is not None:
            scrubber = module.scrub
            warn = module.warn
        self.client = _Client(SERVICE, url, validate_certs=params.get("validate_certs", True),
                              ca_path=params.get("ca_path"), timeout=params.get("timeout") or 30,
                              headers={"Accept": "application/json"}, auth=self._auth, reauth=self._reauth,
                              error_parser=parse_error, warn=warn, scrubber=scrubber)
        self.token = self.user_session
        self.own = False
        self.logins = 0
        self._api_version = False  # not read yet
        if self.user_session:
            self.client.add_secret(self.user_session)
            self.client.hint_401 = HINT_SESSION_ID

    @property
    def retries(self):
        """How often the client retries a request the server cannot have processed (a write resends as often)."""
        return self.client.retries

    # requests ------------------------------------------------------------
    def request(self, method, path, **kwargs):
        return self.client.request(method, path, **kwargs)

    def api_version(self):
        """The server's vSphere API release as a tuple (e.g. (8, 0, 1)), or None when it cannot be told.

        Read at most once per connection, without a session, from ``/sdk/vimServiceVersions.xml``: the
        document pyVmomi reads to choose an API version (its ``urn:vim25`` version, e.g. 8.0.1.0, is the
        release number the vSphere Automation API uses too)."""
        if self._api_version is False:
            self._api_version = None
            try:
                response = self.client.request("GET", VERSIONS_PATH, authenticated=False,
                                               headers={"Accept": "text/xml, application/xml"},
                                               allow_status=(401, 403, 404))
            except ApiError:
                return None
            if response.status == 200:
                self._api_version = parse_api_version(response.text)
        return self._api_version

    def _auth(self, method, url, headers, body):
        if self.token is None:
            self.login()
        return {SESSION_HEADER: self.token}

    def login(self):
        raw = ("%s:%s" % (self.username, self.password)).encode("utf-8")
        try:
            response = self.client.request("POST", SESSION_PATH, authenticated=False, expected=(200, 201),
                                           headers={"Authorization": "Basic " + base64.b64encode(raw).decode("ascii")})
        except ApiError as exc:
            if exc.status == 401:
                exc.hint = ("vCenter refused the login of user %r: check username and password (VMWARE_USER, "
                            "VMWARE_PASSWORD)" % self.username)
            raise
        token = response.json
        if isinstance(token, dict):
            token = token.get("value")
        elif token is None and response.text and len(response.text.split()) == 1:
            token = response.text.strip().strip('"')  # a bare token, not JSON
        if not isinstance(token, str) or not token:
            raise ApiError(SERVICE, "POST", SESSION_PATH, status=response.status,
                           vendor_text="the response holds no session token")
        self.client.add_secret(token)
        self.token = token
        self.own = True
        self.logins += 1

    def _reauth(self):
        if not self.own:
            return False
        old, self.token = self.token, None
        self._logout(old)
        return True

    def _logout(self, token):
        """DELETE /api/session once (never retried: a logout must not hold the task up)."""
        try:
            self.client.request("DELETE", SESSION_PATH, authenticated=False, headers={SESSION_HEADER: token},
                                allow_status=(401, 404), retry=False)
        except ApiError:
            pass

    def close(self):
        """Log out the session this run created (never a session given in session_id)."""
        if self.own and self.token:
            token, self.token = self.token, None
            self._logout(token)
        self.client.close()


def connect(sm):
    """The connection of this module run, from its options: checks them, registers the client and the
    logout with ``sm``, sends nothing (the login waits for the first request)."""
    conn = VcenterConnection(sm.params, module=sm)
    sm.register_client(conn.client)
    sm.on_close(conn.close)
    return conn
