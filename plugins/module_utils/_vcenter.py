# -*- coding: utf-8 -*-
# Copyright (c) sso.oidc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""vCenter identity federation: everything the vSphere Automation API needs (private).

Service facts (vCenter 7.0.3 spec, ``/api`` endpoints):

* ``POST /api/session`` with HTTP Basic auth -> 201, the session token as a JSON string;
  the token goes in the ``vmware-api-session-id`` header; ``DELETE /api/session`` logs out.
* ``GET /api/vcenter/identity/providers`` -> ``[Summary]`` (no org_ids, claims, claim_map, LDAP
  or client secret), ``GET .../{provider}`` -> ``Info`` (everything, but no provider id),
  ``POST`` CreateSpec -> 201 + id, ``PATCH`` UpdateSpec -> 204 (unset fields unchanged,
  ``config_tag`` required), ``DELETE`` -> 204.
* Errors are vAPI standard errors: ``{"error_type": ..., "messages": [{"default_message": ...}]}``.
* ``name`` is not unique; the id is assigned by vCenter. The first provider is always the default;
  ``is_default`` (create) / ``make_default`` (update) move the flag, nothing clears it.
* ``federation_type`` (vSphere API 8.0.1.0: ``DIRECT_FEDERATION``, ``INDIRECT_FEDERATION``; 9.0.0.0 adds
  ``VMWARE_SSO_FEDERATION``) is in Summary, Info, CreateSpec and UpdateSpec from 8.0.1 on (official SDK
  bindings). It is sent only to a server whose API has it: the release is read once, from
  ``/sdk/vimServiceVersions.xml`` (no session; what pyVmomi reads), and only when a write would carry it.
* Payloads carry the user's values (the API's forms of them); the canonical forms are for comparison only.
* Whether Info shows ``client_secret`` and the LDAP ``password`` in clear is not documented:
  they are compared when shown in clear (or when the Summary's ``authentication_header``,
  ``Basic base64(client_id:secret)``, reveals the client secret), otherwise ``update_secret`` applies.
"""

from __future__ import annotations

import base64
import binascii
import copy
import re

try:
    from urllib.parse import parse_qs, unquote_plus, urlsplit
except ImportError:  # pragma: no cover
    pass

from ansible_collections.sso.oidc.plugins.module_utils._env import env_fallback

from ansible_collections.sso.oidc.plugins.module_utils._http import (
    MASK, ApiClient, ApiError, quote_path, refuse_url_credentials,
)
from ansible_collections.sso.oidc.plugins.module_utils._module import run_set, run_single, single_spec, set_spec
from ansible_collections.sso.oidc.plugins.module_utils._reconcile import InputError, Resource

SERVICE = "vCenter"
SESSION_PATH = "/api/session"
SESSION_HEADER = "vmware-api-session-id"
PROVIDERS_PATH = "/api/vcenter/identity/providers"
VERSIONS_PATH = "/sdk/vimServiceVersions.xml"

FEDERATION_TYPES = ["DIRECT_FEDERATION", "INDIRECT_FEDERATION", "VMWARE_SSO_FEDERATION"]
#: the vSphere API release that added each federation_type value (SDK bindings, identity_client.FederationType)
FEDERATION_SINCE = {"DIRECT_FEDERATION": (8, 0, 1), "INDIRECT_FEDERATION": (8, 0, 1),
                    "VMWARE_SSO_FEDERATION": (9, 0, 0)}
_VIM25_RE = re.compile(r"<namespace>\s*<name>\s*urn:vim25\s*</name>\s*<version>\s*([0-9][0-9.]*)\s*</version>")

API_TAG = {"oidc": "Oidc", "oauth2": "Oauth2"}
OPTION_TAG = dict((v.lower(), k) for k, v in API_TAG.items())

IDM_PROTOCOLS = ["REST", "SCIM", "SCIM2_0", "LDAP"]
AUTH_METHODS = ["CLIENT_SECRET_BASIC", "CLIENT_SECRET_POST", "CLIENT_SECRET_JWT", "PRIVATE_KEY_JWT"]

#: canonical top-level fields that only GET .../providers/{id} (Info) shows
INFO_ONLY = frozenset(("org_ids", "upn_claim", "groups_claim", "idm_protocol", "idm_endpoints",
                       "active_directory_over_ldap"))
#: canonical fields of the oidc / oauth2 specs that only Info shows (client_secret: see _needs_info)
INFO_ONLY_SUB = {
    "oidc": frozenset(("claim_map",)),
    "oauth2": frozenset(("public_key_uri", "claim_map", "issuer", "authentication_method")),
}
#: discovered / read-only fields shown by the info module
READ_ONLY_SUB = ("issuer", "auth_endpoint", "token_endpoint", "public_key_uri", "logout_endpoint",
                 "authentication_method")
SECRET_PATHS = ("oidc.client_secret", "oauth2.client_secret", "active_directory_over_ldap.password")
SET_STATES = ("merged", "replaced", "overridden", "deleted", "gathered")

_MASK_WORDS = ("masked", "redacted", "hidden", "secret", "not shown")


# ---------------------------------------------------------------------------- argument specs
def connection_spec():
    """hostname, username, password, port, validate_certs, ca_path, timeout, session_id."""
    return {
        "hostname": {"type": "str", "required": True, "fallback": (env_fallback, ["VMWARE_HOST"])},
        "username": {"type": "str", "fallback": (env_fallback, ["VMWARE_USER"])},
        "password": {"type": "str", "no_log": True, "fallback": (env_fallback, ["VMWARE_PASSWORD"])},
        "port": {"type": "int", "default": 443, "fallback": (env_fallback, ["VMWARE_PORT"])},
        "validate_certs": {"type": "bool", "default": True, "fallback": (env_fallback, ["VMWARE_VALIDATE_CERTS"])},
        "ca_path": {"type": "path"},
        "timeout": {"type": "int", "default": 30},
        "session_id": {"type": "str", "no_log": True, "fallback": (env_fallback, ["VMWARE_SESSION_ID"])},
    }


OIDC_SPEC = {
    "discovery_endpoint": {"type": "str", "required": True},
    "client_id": {"type": "str", "required": True},
    "client_secret": {"type": "str", "required": True, "no_log": True},
    "claim_map": {"type": "dict"},
}

OAUTH2_SPEC = {
    "auth_endpoint": {"type": "str", "required": True},
    "token_endpoint": {"type": "str", "required": True, "no_log": False},
    "public_key_uri": {"type": "str", "required": True, "no_log": False},
    "client_id": {"type": "str", "required": True},
    "client_secret": {"type": "str", "required": True, "no_log": True},
    "claim_map": {"type": "dict"},
    "issuer": {"type": "str", "required": True},
    "authentication_method": {"type": "str", "required": True, "choices": AUTH_METHODS},
    "auth_query_params": {"type": "dict"},
}

LDAP_SPEC = {
    "user_name": {"type": "str", "required": True},
    "password": {"type": "str", "required": True, "no_log": True},
    "users_base_dn": {"type": "str", "required": True},
    "groups_base_dn": {"type": "str", "required": True},
    "server_endpoints": {"type": "list", "elements": "str", "required": True},
    "cert_chain": {"type": "list", "elements": "str"},
}


def resource_spec():
    """The options of one identity provider (the single module, and each entry of the set module)."""
    return {
        "name": {"type": "str"},
        "provider_id": {"type": "str"},
        "config_tag": {"type": "str", "choices": ["oidc", "oauth2"]},
        "oidc": {"type": "dict", "options": copy.deepcopy(OIDC_SPEC)},
        "oauth2": {"type": "dict", "options": copy.deepcopy(OAUTH2_SPEC)},
        "is_default": {"type": "bool"},
        "domain_names": {"type": "list", "elements": "str"},
        "auth_query_params": {"type": "dict"},
        "idm_protocol": {"type": "str", "choices": IDM_PROTOCOLS},
        "idm_endpoints": {"type": "list", "elements": "str"},
        "active_directory_over_ldap": {"type": "dict", "options": copy.deepcopy(LDAP_SPEC)},
        "upn_claim": {"type": "str"},
        "groups_claim": {"type": "str"},
        "org_ids": {"type": "list", "elements": "str"},
        "federation_type": {"type": "str", "choices": FEDERATION_TYPES},
        "recreate": {"type": "bool", "default": False},
        "update_secret": {"type": "str", "default": "on_create", "choices": ["on_create", "always"]},
    }


def single_argument_spec():
    return single_spec(connection_spec(), resource_spec())


def set_argument_spec():
    return set_spec(connection_spec(), resource_spec())


def info_argument_spec():
    spec = connection_spec()
    spec.update({"name": {"type": "str"}, "provider_id": {"type": "str"}})
    return spec


SINGLE_KWARGS = {"mutually_exclusive": [("oidc", "oauth2")], "required_one_of": [("name", "provider_id")]}
INFO_KWARGS = {"mutually_exclusive": [("name", "provider_id")]}


# ---------------------------------------------------------------------------- errors
def parse_vapi_error(response):
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


class ItemError(ApiError):
    """A per-provider failure found after the read (not an HTTP error): reported for that item only."""

    def __init__(self, text):
        self._text = text
        ApiError.__init__(self, SERVICE, "", "")

    @property
    def message(self):
        return self._text


class _Client(ApiClient):
    """ApiClient with vCenter's hints for 401 (session) and 403 (privileges)."""

    hint_401 = None

    def http_error(self, method, url, response):
        error = ApiClient.http_error(self, method, url, response)
        if error.status == 401 and self.hint_401 and not error.hint:
            error.hint = self.hint_401
        elif error.status == 403 and not error.hint:
            error.hint = ("The vCenter user lacks a privilege: identity providers need VcIdentityProviders.Read and "
                          "VcIdentityProviders.Manage (and VcIdentityProviders.Create to create one)")
        return error


# ---------------------------------------------------------------------------- connection
def _base_url(hostname, port):
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


#: the credential options a hostname with user information should give way to
HOST_CREDENTIALS = "username and password (VMWARE_USER, VMWARE_PASSWORD), or session_id (VMWARE_SESSION_ID)"


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


class VcenterConnection(object):
    """One vSphere Automation API session per module run: logs in lazily, logs out at the end.

    With ``session_id`` (a session obtained earlier) no login happens and the session is
    not logged out. A 401 on our own session logs in again, once per request.
    """

    def __init__(self, params, sm=None, scrubber=None, warn=None):
        refused = refuse_host_credentials(params.get("hostname"), module=sm)
        if refused:
            raise InputError(refused)
        self.params = params
        self.username = params.get("username")
        self.password = params.get("password")
        self.user_session = params.get("session_id") or None
        if not self.user_session and not (self.username and self.password):
            raise InputError("username and password are required to log in to vCenter (or VMWARE_USER and "
                             "VMWARE_PASSWORD); or give session_id (VMWARE_SESSION_ID) to use an existing session")
        base_url = _base_url(params.get("hostname"), params.get("port") or 443)
        if sm is not None:
            scrubber = sm.scrub
            warn = sm.warn
        self.client = _Client(SERVICE, base_url, validate_certs=params.get("validate_certs", True),
                              ca_path=params.get("ca_path"), timeout=params.get("timeout") or 30,
                              headers={"Accept": "application/json"}, auth=self._auth, reauth=self._reauth,
                              error_parser=parse_vapi_error, warn=warn, scrubber=scrubber)
        self.token = self.user_session
        self.own = False
        self.logins = 0
        self._api_version = False  # not read yet
        if self.user_session:
            self.client.add_secret(self.user_session)
            self.client.hint_401 = ("The session given in session_id (VMWARE_SESSION_ID) is not valid: it expired or "
                                    "was logged out. Get a new one, or leave session_id out to log in with username "
                                    "and password")
        if sm is not None:
            sm.register_client(self.client)
            sm.on_close(self.close)

    # requests ------------------------------------------------------------
    def request(self, method, path, **kwargs):
        return self.client.request(method, path, **kwargs)

    def api_version(self):
        """The server's vSphere API release as a tuple (e.g. (8, 0, 1)), or None when it cannot be told.

        Read at most once per task, without a session, from ``/sdk/vimServiceVersions.xml``: the document
        pyVmomi reads to choose an API version (its ``urn:vim25`` version, e.g. 8.0.1.0, is the release
        number the vSphere Automation API uses too)."""
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
        retries = self.client.retries
        self.client.retries = 0
        try:
            self.client.request("DELETE", SESSION_PATH, authenticated=False, headers={SESSION_HEADER: token},
                                allow_status=(401, 404))
        except ApiError:
            pass
        finally:
            self.client.retries = retries

    def close(self):
        """Log out the session this run created (never a session given in session_id)."""
        if self.own and self.token:
            token, self.token = self.token, None
            self._logout(token)
        self.client.close()


# ---------------------------------------------------------------------------- normalisation
def _is_masked(value):
    if value is None:
        return True
    text = str(value).strip()
    if not text:
        return True
    if re.match(r"^[*\u2022]+$", text):
        return True
    return text.strip("<>[]() ").lower() in _MASK_WORDS


def _str_list(value):
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value if v is not None]
    return [str(value)]


def _set_list(value, lower=False):
    items = [v.strip() for v in _str_list(value)]
    if lower:
        items = [v.lower() for v in items]
    return sorted(set(v for v in items if v))


def _query_params(value):
    """auth_query_params: {key: [values]} with values sorted (a value may be given as one string)."""
    if not isinstance(value, dict):
        return value
    return dict((str(k), sorted(_str_list(v))) for k, v in value.items())


def _claim_map(value):
    """claim_map: {claim: {external group: [vCenter groups]}}, group lists compared as sets."""
    if not isinstance(value, dict):
        return value
    out = {}
    for claim, mapping in value.items():
        if isinstance(mapping, dict):
            out[str(claim)] = dict((str(g), _set_list(v)) for g, v in mapping.items())
        else:
            out[str(claim)] = mapping
    return out


def _pem_list(value):
    return [str(v).replace("\r\n", "\n").strip() for v in _str_list(value)]


def header_secret(header, client_id=None):
    """The client secret an ``authentication_header`` reveals, or None.

    ``Authorization: Basic base64(client_id:secret)`` (the vendor's example) and a
    form-encoded ``client_id=..&client_secret=..`` are understood; a masked header reveals nothing.
    """
    if not isinstance(header, str) or _is_masked(header):
        return None
    text = header.strip()
    if text.lower().startswith("authorization:"):
        text = text.split(":", 1)[1].strip()
    if text.lower().startswith("basic "):
        try:
            decoded = base64.b64decode(text[6:].strip(), validate=True).decode("utf-8")
        except (binascii.Error, ValueError, UnicodeDecodeError):
            return None
        cid, sep, secret = decoded.partition(":")
        if not sep or not secret:
            return None
        if client_id is None or cid == client_id:
            return secret
        if unquote_plus(cid) == client_id:  # RFC 6749 2.3.1 form-encodes both parts
            return unquote_plus(secret)
        return None
    if "client_secret=" in text:
        values = parse_qs(text, keep_blank_values=True)
        secret = (values.get("client_secret") or [None])[0]
        cid = (values.get("client_id") or [None])[0]
        if secret and (client_id is None or cid in (None, client_id)):
            return secret
    return None


def _check_url(where, value, schemes=("https", "http")):
    parts = urlsplit(value or "")
    if parts.scheme.lower() not in schemes or not parts.netloc:
        raise InputError("%s: %r is not a URL (%s)" % (where, value, " or ".join("%s://..." % s for s in schemes)))


def _check_secret(where, value):
    if value is None:
        return
    if value == MASK or re.match(r"^\*+$", value or ""):
        raise InputError("%s: the value is a mask (%s), for example from a gathered result; give the real secret"
                         % (where, value))
    if len(value) < 4:
        raise InputError("%s: a secret needs at least 4 characters" % where)


def _check_str_dict(where, value, what):
    if value is None:
        return
    if not isinstance(value, dict):
        raise InputError("%s: must be a dictionary of %s" % (where, what))


def _check_query_params(where, value):
    _check_str_dict(where, value, "parameter names and lists of values")
    for key, values in (value or {}).items():
        if not str(key):
            raise InputError("%s: a parameter name must not be empty" % where)
        items = values if isinstance(values, (list, tuple)) else ([] if values is None else [values])
        for item in items:
            if isinstance(item, (dict, list, tuple)):
                raise InputError("%s.%s: values must be strings (a list of strings for a repeated parameter)"
                                 % (where, key))


def _check_claim_map(where, value):
    _check_str_dict(where, value, "claims, each mapping external groups to lists of vCenter groups")
    for claim, mapping in (value or {}).items():
        if not isinstance(mapping, dict):
            raise InputError("%s.%s: must map each external group to a list of vCenter groups, for example "
                             "{perms: {'ExternalAdmins': ['vsphere.local\\\\Administrators']}}" % (where, claim))
        for group, targets in mapping.items():
            items = targets if isinstance(targets, (list, tuple)) else [targets]
            if any(isinstance(t, (dict, list, tuple)) or t is None for t in items):
                raise InputError("%s.%s.%s: must be a vCenter group name or a list of them" % (where, claim, group))


def _as_written(value):
    """A list option as the user wrote it (a single string as a list of one): no sorting, no de-duplication."""
    return _str_list(value)


def _api_query_params(value):
    """{name: [values]} in the user's order (a single value may be written as a string)."""
    if not isinstance(value, dict):
        return value
    return dict((str(k), _str_list(v)) for k, v in value.items())


def _api_claim_map(value):
    """claim_map in the user's order (a single vCenter group may be written as a string)."""
    if not isinstance(value, dict):
        return value
    out = {}
    for claim, mapping in value.items():
        out[str(claim)] = (dict((str(g), _str_list(v)) for g, v in mapping.items())
                           if isinstance(mapping, dict) else mapping)
    return out


def _federation_message(version, values, keys):
    since = max(FEDERATION_SINCE.get(v, (8, 0, 1)) for v in values)
    return ("federation_type: this vCenter's API is vSphere API %s, and federation_type %s needs vSphere API %s or "
            "later (DIRECT_FEDERATION and INDIRECT_FEDERATION came with 8.0.1, VMWARE_SSO_FEDERATION with 9.0); "
            "leave federation_type out for this vCenter, or upgrade it. Nothing was written (identity provider(s) %s)"
            % (version_text(version), " / ".join(sorted(set(values))), version_text(since),
               ", ".join(repr(k) for k in keys)))


def _api_ldap(ldap):
    out = dict((k, copy.deepcopy(v)) for k, v in ldap.items() if k != "cert_chain" and v is not None)
    if ldap.get("cert_chain") is not None:
        out["cert_chain"] = {"cert_chain": list(ldap["cert_chain"])}
    return out


# ---------------------------------------------------------------------------- the resource
class IdentityProvider(Resource):
    """A vCenter identity provider, in option space.

    The key is ``name`` (not unique on the server: an ambiguous name fails unless ``provider_id``
    is given). A provider protected by its id is keyed by its id, so ``protected`` accepts both.
    """

    service = SERVICE
    kind = "identity provider"
    key = "name"
    secret_fields = SECRET_PATHS
    defaults = {"domain_names": [], "auth_query_params": {}, "org_ids": [], "upn_claim": "acct", "groups_claim": ""}

    def __init__(self, client, params=None, entries=(), state="merged", warn=None, add_secret=None):
        Resource.__init__(self, client, params)
        self.entries = [e for e in entries or () if isinstance(e, dict)]
        self.state = state
        self.update_secret = (params or {}).get("update_secret") or "on_create"
        self.warn = warn or (lambda msg: None)
        self.add_secret = add_secret or (lambda value: None)
        self.protected_ids = set((params or {}).get("protected") or ())
        if state == "overridden":
            # overridden never deletes a provider whose name the task lists: such a provider is either the
            # one an entry addresses, or one of several that share an ambiguous name (that entry fails)
            self.builtin_protected = tuple(sorted(set(e["name"] for e in self.entries if e.get("name"))))
        self.default_wanted = any(e.get("is_default") for e in self.entries if state != "deleted")
        self.sent = {}          # (provider id, secret path) -> secret sent in this run
        self.created = set()    # provider ids created in this run
        self.live_count = None  # providers on the server as the task goes (predicts the first-is-default rule)
        self.create_default = False
        self.current = None     # the key being compared (for messages)
        self.recreating = False  # the next create replaces a provider deleted just before it
        self.known_ids = None   # provider ids of the first read
        self.user_entries = {}  # key -> the user's entry (payloads carry its values)
        self.server_version = None  # the vSphere API release, when a write needed it (see _check_federation)
        self.federation_checked = False

    # -- validation ----------------------------------------------------------
    def validate(self, entry, where, state):
        name, pid = entry.get("name"), entry.get("provider_id")
        if name is None and pid is None:
            raise InputError("%sname: set name (or provider_id) to say which identity provider" % where)
        if name is not None and not name.strip():
            raise InputError("%sname: must not be empty" % where)
        if pid is not None and not pid.strip():
            raise InputError("%sprovider_id: must not be empty" % where)
        if state == "deleted":
            return
        tag, oidc, oauth2 = entry.get("config_tag"), entry.get("oidc"), entry.get("oauth2")
        if oidc is not None and oauth2 is not None:
            raise InputError("%soidc, oauth2: give one of them (with config_tag oidc or oauth2), not both" % where)
        if tag == "oidc" and oauth2 is not None:
            raise InputError("%soauth2: is only used with config_tag=oauth2 (config_tag is oidc)" % where)
        if tag == "oauth2" and oidc is not None:
            raise InputError("%soidc: is only used with config_tag=oidc (config_tag is oauth2)" % where)
        if oidc is not None:
            _check_url(where + "oidc.discovery_endpoint", oidc.get("discovery_endpoint"))
            _check_secret(where + "oidc.client_secret", oidc.get("client_secret"))
            _check_claim_map(where + "oidc.claim_map", oidc.get("claim_map"))
            if not (oidc.get("client_id") or "").strip():
                raise InputError("%soidc.client_id: must not be empty" % where)
        if oauth2 is not None:
            for field in ("auth_endpoint", "token_endpoint", "public_key_uri"):
                _check_url(where + "oauth2." + field, oauth2.get(field))
            _check_secret(where + "oauth2.client_secret", oauth2.get("client_secret"))
            _check_claim_map(where + "oauth2.claim_map", oauth2.get("claim_map"))
            _check_query_params(where + "oauth2.auth_query_params", oauth2.get("auth_query_params"))
            for field in ("client_id", "issuer"):
                if not (oauth2.get(field) or "").strip():
                    raise InputError("%soauth2.%s: must not be empty" % (where, field))
        for index, domain in enumerate(entry.get("domain_names") or []):
            if not domain or not domain.strip() or "/" in domain or " " in domain.strip():
                raise InputError("%sdomain_names[%d]: %r is not a domain name (for example corp.example.com)"
                                 % (where, index, domain))
        for index, org in enumerate(entry.get("org_ids") or []):
            if not (org or "").strip():
                raise InputError("%sorg_ids[%d]: must not be empty" % (where, index))
        _check_query_params(where + "auth_query_params", entry.get("auth_query_params"))
        protocol, endpoints, ldap = entry.get("idm_protocol"), entry.get("idm_endpoints"), \
            entry.get("active_directory_over_ldap")
        if endpoints is not None:
            if not endpoints:
                raise InputError("%sidm_endpoints: give at least one endpoint (vCenter refuses an empty list)" % where)
            if protocol == "LDAP":
                raise InputError("%sidm_endpoints: are used with idm_protocol REST, SCIM or SCIM2_0; LDAP uses "
                                 "active_directory_over_ldap.server_endpoints" % where)
            for index, endpoint in enumerate(endpoints):
                _check_url("%sidm_endpoints[%d]" % (where, index), endpoint)
        if protocol == "LDAP" and ldap is None:
            raise InputError("%sactive_directory_over_ldap: is required with idm_protocol=LDAP" % where)
        if ldap is not None:
            if protocol is not None and protocol != "LDAP":
                raise InputError("%sactive_directory_over_ldap: is only used with idm_protocol=LDAP (idm_protocol is "
                                 "%s)" % (where, protocol))
            _check_secret(where + "active_directory_over_ldap.password", ldap.get("password"))
            servers = ldap.get("server_endpoints") or []
            if not servers:
                raise InputError("%sactive_directory_over_ldap.server_endpoints: give at least one server" % where)
            for index, server in enumerate(servers):
                _check_url("%sactive_directory_over_ldap.server_endpoints[%d]" % (where, index), server,
                           schemes=("ldap", "ldaps"))
            if ldap.get("cert_chain") is not None and not [c for c in ldap["cert_chain"] if (c or "").strip()]:
                raise InputError("%sactive_directory_over_ldap.cert_chain: give at least one PEM certificate, or leave "
                                 "it out" % where)
        if entry.get("upn_claim") is not None and not entry["upn_claim"].strip():
            raise InputError("%supn_claim: must not be empty (vCenter's default is acct)" % where)

    # -- canonical form ------------------------------------------------------
    def desired(self, entry):
        want = self._desired(entry)
        self.user_entries[self.key_of(want)] = entry
        return want

    def _desired(self, entry):
        want = {}
        for key in ("name", "provider_id", "is_default", "upn_claim", "groups_claim", "idm_protocol",
                    "federation_type"):
            if entry.get(key) is not None:
                want[key] = entry[key]
        tag = entry.get("config_tag")
        if tag is None and entry.get("oauth2") is not None:
            tag = "oauth2"
        elif tag is None and entry.get("oidc") is not None:
            tag = "oidc"
        if tag is not None:
            want["config_tag"] = tag
        if entry.get("domain_names") is not None:
            want["domain_names"] = _set_list(entry["domain_names"], lower=True)
        for key in ("org_ids", "idm_endpoints"):
            if entry.get(key) is not None:
                want[key] = _set_list(entry[key])
        if entry.get("auth_query_params") is not None:
            want["auth_query_params"] = _query_params(entry["auth_query_params"])
        full = self.state in ("replaced", "overridden")
        for key in ("oidc", "oauth2"):
            spec = entry.get(key)
            if spec is None:
                continue
            sub = dict((k, copy.deepcopy(v)) for k, v in spec.items() if v is not None)
            if "claim_map" in sub:
                sub["claim_map"] = _claim_map(sub["claim_map"])
            elif full:
                sub["claim_map"] = {}
            if key == "oauth2":
                if "auth_query_params" in sub:
                    sub["auth_query_params"] = _query_params(sub["auth_query_params"])
                elif full:
                    sub["auth_query_params"] = {}
            want[key] = sub
        ldap = entry.get("active_directory_over_ldap")
        if ldap is not None:
            sub = dict((k, copy.deepcopy(v)) for k, v in ldap.items() if v is not None)
            if "server_endpoints" in sub:
                sub["server_endpoints"] = [s.strip() for s in _str_list(sub["server_endpoints"])]
            if "cert_chain" in sub:
                sub["cert_chain"] = _pem_list(sub["cert_chain"])
            want["active_directory_over_ldap"] = sub
        return want

    def normalize(self, raw):
        summary = raw.get("summary") or {}
        info = raw.get("info")
        src = info if info is not None else summary
        pid = summary.get("provider")
        tag = str(src.get("config_tag") or summary.get("config_tag") or "")
        canon = {
            "provider_id": pid,
            "name": src.get("name", summary.get("name", "")) or "",
            "config_tag": OPTION_TAG.get(tag.lower(), tag.lower()),
            "is_default": bool(src.get("is_default", summary.get("is_default"))),
            "domain_names": _set_list(src.get("domain_names") or summary.get("domain_names"), lower=True),
            "auth_query_params": _query_params(src.get("auth_query_params") or summary.get("auth_query_params") or {}),
        }
        federation = src.get("federation_type") or summary.get("federation_type")
        if federation:
            canon["federation_type"] = federation
        if info is not None:
            canon["org_ids"] = _set_list(info.get("org_ids"))
            canon["upn_claim"] = info.get("upn_claim") or "acct"
            canon["groups_claim"] = info.get("groups_claim") or ""
            if info.get("idm_protocol"):
                canon["idm_protocol"] = info["idm_protocol"]
            if info.get("idm_endpoints"):
                canon["idm_endpoints"] = _set_list(info["idm_endpoints"])
            ldap = info.get("active_directory_over_ldap")
            if isinstance(ldap, dict):
                sub = {}
                for field in ("user_name", "users_base_dn", "groups_base_dn"):
                    if ldap.get(field) is not None:
                        sub[field] = ldap[field]
                sub["server_endpoints"] = [str(s) for s in ldap.get("server_endpoints") or []]
                chain = (ldap.get("cert_chain") or {}).get("cert_chain") if isinstance(ldap.get("cert_chain"), dict) \
                    else ldap.get("cert_chain")
                if chain:
                    sub["cert_chain"] = _pem_list(chain)
                sub["password"] = self._secret(pid, "active_directory_over_ldap.password", ldap.get("password"), None)
                canon["active_directory_over_ldap"] = sub
        for key, fields in (("oidc", ("discovery_endpoint", "client_id")),
                            ("oauth2", ("auth_endpoint", "token_endpoint", "client_id"))):
            if canon["config_tag"] != key:
                continue
            s_sub = summary.get(key) if isinstance(summary.get(key), dict) else {}
            i_sub = info.get(key) if info is not None and isinstance(info.get(key), dict) else None
            if not s_sub and i_sub is None:
                continue
            sub = {}
            for field in fields:
                value = (i_sub or {}).get(field, s_sub.get(field))
                if value is not None:
                    sub[field] = value
            if key == "oauth2":
                sub["auth_query_params"] = _query_params(((i_sub or s_sub).get("auth_query_params")) or {})
            if i_sub is not None:
                sub["claim_map"] = _claim_map(i_sub.get("claim_map") or {})
                if key == "oauth2":
                    for field in ("public_key_uri", "issuer", "authentication_method"):
                        if i_sub.get(field) is not None:
                            sub[field] = i_sub[field]
            header = s_sub.get("authentication_header")
            if isinstance(header, str) and not _is_masked(header):
                self.add_secret(header)
            sub["client_secret"] = self._secret(pid, key + ".client_secret", (i_sub or {}).get("client_secret"),
                                                header_secret(header, sub.get("client_id")))
            canon[key] = sub
        return canon

    def _secret(self, pid, path, shown, from_header):
        """A secret in canonical form: the clear value when the server reveals it (or we just sent
        it), else MASK, which means "set, but not shown"."""
        if shown is not None and not _is_masked(shown):
            self.add_secret(shown)
            return shown
        if from_header is not None:
            self.add_secret(from_header)
            return from_header
        if (pid, path) in self.sent:
            return self.sent[(pid, path)]
        return MASK

    def key_of(self, canon):
        pid = canon.get("provider_id")
        if pid is not None and pid in self.protected_ids:
            return pid
        name = canon.get("name")
        return name if name is not None else pid

    def match(self, want, existing):
        self.current = self.key_of(want)
        self.recreating = False
        pid = want.get("provider_id")
        if pid is not None:
            for item in existing:
                if item["canon"].get("provider_id") == pid:
                    return item
            if self.state == "deleted":
                return None
            raise InputError("provider_id %r: vCenter has no identity provider with this id. vCenter assigns the id "
                             "when it creates a provider: leave provider_id out to create one by name" % pid)
        name = want.get("name")
        found = [item for item in existing if item["canon"].get("name") == name]
        if len(found) > 1:
            raise InputError("name %r matches %d identity providers (provider_id %s); set provider_id to choose one"
                             % (name, len(found), ", ".join(str(i["canon"].get("provider_id")) for i in found)))
        return found[0] if found else None

    def match_written(self, hint, want, existing):
        if hint is not None:
            for item in existing:
                if item["canon"].get("provider_id") == hint:
                    return item
        try:
            return self.match(want, existing)
        except InputError:
            return None

    def equal(self, field, want, have):
        if field == "is_default":
            if want or not have:
                return bool(want) == bool(have)
            if not self.default_wanted:
                self.warn("identity provider %r is the default provider and is_default=false cannot change that: "
                          "vCenter has no call to unset the default; set is_default=true on the provider that "
                          "should be the default instead" % (self.current,))
            return True
        if field in ("oidc", "oauth2", "active_directory_over_ldap"):
            if not isinstance(have, dict) or not isinstance(want, dict):
                return want == have
            secret = "password" if field == "active_directory_over_ldap" else "client_secret"
            for sub, value in want.items():
                if sub == secret:
                    if not self.secret_equal(value, have.get(sub)):
                        return False
                elif value != have.get(sub):
                    return False
            return True
        return want == have

    def written(self, field, want, have, item):
        """The read-back check of one written field. ``is_default: true`` must read back as the default;
        ``false`` is vCenter's to decide (the first provider is always the default, nothing clears the flag),
        so it is not checked and does not warn again. Every other field as :meth:`equal` compares it."""
        if field == "is_default":
            return bool(have) or not want
        return self.equal(field, want, have)

    def secret_equal(self, want, have):
        if have is None or have == MASK:
            return self.update_secret != "always"
        return want == have

    # -- reading -------------------------------------------------------------
    def list_summaries(self):
        response = self.client.request("GET", PROVIDERS_PATH)
        data = response.json
        if isinstance(data, dict) and isinstance(data.get("value"), list):
            data = data["value"]
        if not isinstance(data, list):
            raise ApiError(SERVICE, "GET", PROVIDERS_PATH, status=response.status,
                           vendor_text="expected a JSON list of identity providers, got %s" % type(data).__name__)
        return [s for s in data if isinstance(s, dict) and s.get("provider")]

    def get_info(self, pid):
        """The Info of one provider, or None when it is gone (deleted since the list)."""
        path = "%s/%s" % (PROVIDERS_PATH, quote_path(pid))
        response = self.client.request("GET", path, allow_status=(404,))
        if response.status == 404:
            return None
        data = response.json
        if isinstance(data, dict) and isinstance(data.get("value"), dict) and "config_tag" not in data:
            data = data["value"]
        if not isinstance(data, dict):
            raise ApiError(SERVICE, "GET", path, status=response.status,
                           vendor_text="expected a JSON object, got %s" % type(data).__name__)
        return data

    def _needs_info(self, want, summary):
        """Whether comparing ``want`` needs the provider's Info (one GET), beside the list's Summary."""
        if self.state == "deleted":
            return False
        if self.state in ("replaced", "overridden"):
            return True
        if set(want) & INFO_ONLY:
            return True
        for field in ("name", "domain_names", "auth_query_params"):
            if field in want and field not in summary:
                return True
        for key in ("oidc", "oauth2"):
            sub = want.get(key)
            if not sub:
                continue
            if set(sub) & INFO_ONLY_SUB[key]:
                return True
            s_sub = summary.get(key) if isinstance(summary.get(key), dict) else {}
            if any(f not in s_sub for f in sub if f not in INFO_ONLY_SUB[key] and f != "client_secret"):
                return True
            if "client_secret" in sub and header_secret(s_sub.get("authentication_header"),
                                                        s_sub.get("client_id")) is None:
                return True
        return False

    def read_all(self, keys=None):
        summaries = self.list_summaries()
        if self.live_count is None:
            self.live_count = len(summaries)
        if self.known_ids is None:
            self.known_ids = set(s["provider"] for s in summaries)
        infos = {}
        summaries = self._settle_duplicates(summaries, infos)
        self._check_federation(summaries, infos)
        wants = [self.desired(entry) for entry in self.entries]
        if self.state == "gathered":
            need = set(s["provider"] for s in summaries)
        else:
            need = set(pid for pid in self.created)
            for want in wants:
                if keys is not None and self.key_of(want) not in keys:
                    continue
                if want.get("provider_id") is not None:
                    found = [s for s in summaries if s["provider"] == want["provider_id"]]
                else:
                    found = [s for s in summaries if self._name_of(s, infos) == want.get("name")]
                if len(found) == 1 and self._needs_info(want, found[0]):
                    need.add(found[0]["provider"])
        raws = []
        for summary in summaries:
            pid = summary["provider"]
            if pid in infos:
                info = infos[pid]
            elif pid in need:
                info = self.get_info(pid)
            else:
                raws.append({"summary": summary, "info": None})
                continue
            if info is not None:  # None: deleted since the list
                raws.append({"summary": summary, "info": info})
        return raws

    def _name_of(self, summary, infos):
        if "name" in summary:
            return summary.get("name") or ""
        pid = summary["provider"]
        if pid not in infos:
            infos[pid] = self.get_info(pid)
        return ((infos.get(pid) or {}).get("name")) or ""

    def _settle_duplicates(self, summaries, infos):
        """Names are not unique: two runs that read at the same moment may each create the provider.

        After this run's creates, a provider of the same name listed before ours wins (vCenter lists
        in a stable order, so every racing run picks the same one): ours is deleted and the task goes
        on with that one, with a warning. Without a race this costs nothing (it uses the read-back list).
        """
        gone = set()
        for pid in sorted(self.created):
            mine = [s for s in summaries if s["provider"] == pid]
            if not mine:
                continue
            name = self._name_of(mine[0], infos)
            same = [s for s in summaries if s["provider"] not in gone and self._name_of(s, infos) == name]
            first = same[0]["provider"]
            if len(same) < 2 or first == pid:
                continue
            self.client.request("DELETE", "%s/%s" % (PROVIDERS_PATH, quote_path(pid)), expected=(200, 204),
                                allow_status=(404,))
            gone.add(pid)
            self.created.discard(pid)
            if first not in self.created:
                self.created.add(first)
                self.warn("identity provider %r was created by another run at the same time (provider_id %s); the "
                          "one this run created (provider_id %s) was deleted again and the task goes on with the "
                          "other" % (name, first, pid))
        return [s for s in summaries if s["provider"] not in gone]

    def _check_federation(self, summaries, infos):
        """Before any write: when an entry's federation_type would be written (a create, or a provider that
        shows another value), make sure the server's API has it; fail the task otherwise.

        Costs nothing when no entry sets federation_type, or every provider already shows the value asked
        for (a rerun). A provider that shows any federation_type proves 8.0.1 (VMWARE_SSO_FEDERATION: 9.0);
        otherwise the release is read once (VcenterConnection.api_version)."""
        if self.federation_checked or self.state in ("deleted", "gathered"):
            return
        self.federation_checked = True
        needed, keys = set(), []
        for entry in self.entries:
            value = entry.get("federation_type")
            if value is None:
                continue
            want = self._desired(entry)
            if want.get("provider_id") is not None:
                found = [s for s in summaries if s["provider"] == want["provider_id"]]
            else:
                found = [s for s in summaries if self._name_of(s, infos) == want.get("name")]
            if len(found) == 1 and (found[0].get("federation_type") or
                                    (infos.get(found[0]["provider"]) or {}).get("federation_type")) == value:
                continue
            needed.add(value)
            keys.append(self.key_of(want))
        if not needed:
            return
        since = max(FEDERATION_SINCE.get(v, (8, 0, 1)) for v in needed)
        shown = set(s.get("federation_type") for s in summaries if s.get("federation_type"))
        if shown and since <= ((9, 0, 0) if "VMWARE_SSO_FEDERATION" in shown else (8, 0, 1)):
            return
        getter = getattr(self.client, "api_version", None)
        version = getter() if getter is not None else None
        if version is None:
            self.warn("federation_type: the vSphere API release of this vCenter could not be read (%s); "
                      "federation_type is sent, and the read-back shows whether vCenter kept it" % VERSIONS_PATH)
            return
        self.server_version = version
        too_old = sorted(v for v in needed if version < FEDERATION_SINCE.get(v, (8, 0, 1)))
        if too_old:
            raise InputError(_federation_message(version, too_old, keys))

    def read_selected(self, name=None, provider_id=None):
        """Info module: the providers with this name / id (all when neither is given), with their Info."""
        out = []
        for summary in self.list_summaries():
            if provider_id is not None and summary["provider"] != provider_id:
                continue
            if name is not None and (summary.get("name") or "") != name:
                continue
            info = self.get_info(summary["provider"])
            if info is not None:
                out.append({"summary": summary, "info": info})
        return out

    def view(self, raw):
        """The info module's view: the canonical form plus the discovered, read-only fields, masked."""
        canon = self.mask(self.normalize(raw))
        summary, info = raw.get("summary") or {}, raw.get("info") or {}
        for key in ("oidc", "oauth2"):
            if key not in canon:
                continue
            s_sub = summary.get(key) if isinstance(summary.get(key), dict) else {}
            i_sub = info.get(key) if isinstance(info.get(key), dict) else {}
            for field in READ_ONLY_SUB:
                value = i_sub.get(field, s_sub.get(field))
                if value is not None:
                    canon[key][field] = value
            if s_sub.get("authentication_header") is not None:
                canon[key]["authentication_header"] = MASK if s_sub["authentication_header"] else ""
        return canon

    # -- writing -------------------------------------------------------------
    def _entry_for(self, want, entry=None):
        """The user's entry (option values as written, the engine's ``given``) behind ``want``; payloads are
        built from it. Without one (a direct build_* call) the entry this task gave for the key."""
        if entry is not None:
            return entry
        return self.user_entries.get(self.key_of(want)) or {}

    def _api_value(self, field, want, entry):
        """The API form of the user's value of a top-level field (the canonical value when the user left it
        out, e.g. a default that replaced adds)."""
        value = entry.get(field)
        if value is None:
            return copy.deepcopy(want.get(field))
        if field in ("domain_names", "org_ids", "idm_endpoints"):
            return _as_written(value)
        if field == "auth_query_params":
            return _api_query_params(value)
        return copy.deepcopy(value)

    def _api_sub(self, key, want, entry):
        """The API form of the user's oidc / oauth2 spec (the canonical one for what the user left out)."""
        out = dict((k, copy.deepcopy(v)) for k, v in (want.get(key) or {}).items())
        for sub, value in (entry.get(key) or {}).items():
            if value is None:
                continue
            if sub == "claim_map":
                value = _api_claim_map(value)
            elif sub == "auth_query_params":
                value = _api_query_params(value)
            out[sub] = copy.deepcopy(value)
        return out

    def _api_ldap_of(self, want, entry):
        out = dict((k, copy.deepcopy(v)) for k, v in (want.get("active_directory_over_ldap") or {}).items())
        for sub, value in (entry.get("active_directory_over_ldap") or {}).items():
            if value is not None:
                out[sub] = _as_written(value) if sub == "server_endpoints" else copy.deepcopy(value)
        return out

    def _federation_allowed(self, value, key):
        """Fail this item before its write when the server's API is known to lack ``federation_type`` ``value``."""
        version = self.server_version
        if value and version and version < FEDERATION_SINCE.get(value, (8, 0, 1)):
            raise ItemError(_federation_message(version, [value], [key]))

    def build_create(self, want, entry=None):
        entry = self._entry_for(want, entry)
        tag = want.get("config_tag")
        if tag is None or not want.get(tag):
            raise ItemError("identity provider %r does not exist and creating it needs oidc (discovery_endpoint, "
                            "client_id, client_secret), or oauth2 with config_tag=oauth2" % self.key_of(want))
        self._federation_allowed(want.get("federation_type"), self.key_of(want))
        payload = {"config_tag": API_TAG[tag]}
        for field in ("name", "is_default", "idm_protocol", "upn_claim", "federation_type"):
            if want.get(field) is not None:
                payload[field] = self._api_value(field, want, entry)
        if want.get("groups_claim"):
            payload["groups_claim"] = self._api_value("groups_claim", want, entry)
        for field in ("domain_names", "org_ids", "idm_endpoints", "auth_query_params"):
            if want.get(field) is not None:
                payload[field] = self._api_value(field, want, entry)
        spec = self._api_sub(tag, want, entry)
        spec.setdefault("claim_map", {})
        payload[tag] = spec
        ldap = want.get("active_directory_over_ldap")
        if ldap is not None:
            if any(str(e).lower().startswith("ldaps://") for e in ldap.get("server_endpoints") or []) \
                    and not ldap.get("cert_chain"):
                raise ItemError("identity provider %r does not exist and creating it with an ldaps:// server needs "
                                "active_directory_over_ldap.cert_chain (the PEM certificate chain of the LDAP "
                                "servers)" % self.key_of(want))
            payload["active_directory_over_ldap"] = _api_ldap(self._api_ldap_of(want, entry))
        if self.live_count is None:
            self.live_count = 0
        if self.recreating:  # the provider it replaces is deleted first
            self.live_count = max(0, self.live_count - 1)
            self.recreating = False
        self.create_default = bool(want.get("is_default")) or self.live_count == 0
        self.live_count += 1
        return payload

    def _plan_update(self, item, want, changed, entry=None):
        """(PATCH body, predicted canonical state): only the fields that differ, with the user's values."""
        entry = self._entry_for(want, entry)
        have = item["canon"]
        tag = have.get("config_tag")
        payload = {"config_tag": API_TAG.get(tag, tag)}
        new = copy.deepcopy(have)
        for field in changed:
            value = copy.deepcopy(want.get(field))
            if field in ("provider_id", "config_tag"):
                continue
            if field == "is_default":
                if value:
                    payload["make_default"] = True
                    new["is_default"] = True
            elif field == "groups_claim" and value == "":
                payload["reset_groups_claim"] = True
                new[field] = ""
            elif field in ("oidc", "oauth2"):
                sub_payload, sub_new = {}, copy.deepcopy(have.get(field) or {})
                api_sub = self._api_sub(field, want, entry)
                for sub, sub_value in value.items():
                    if sub == "client_secret":
                        if self.secret_equal(sub_value, sub_new.get(sub)):
                            continue
                    elif sub_value == sub_new.get(sub):
                        continue
                    sub_payload[sub] = api_sub[sub]
                    sub_new[sub] = copy.deepcopy(sub_value)
                payload[field] = sub_payload
                new[field] = sub_new
            elif field == "active_directory_over_ldap":
                kept = dict((k, v) for k, v in (have.get(field) or {}).items() if k != "password")
                merged = dict(kept, **value)
                sent = dict(kept, **self._api_ldap_of(want, entry))
                payload[field] = _api_ldap(sent)
                new[field] = merged
            else:
                if field == "federation_type":
                    self._federation_allowed(value, self.key_of(want))
                payload[field] = self._api_value(field, want, entry)
                new[field] = value
        return payload, new

    def build_update(self, item, want, changed, entry=None):
        return self._plan_update(item, want, changed, entry)[0]

    def create_payload(self, want, given):
        return self.build_create(want, given)

    def update_payload(self, item, want, changed, given):
        return self.build_update(item, want, changed, given)

    def predict(self, item, want, changed):
        if item is not None:
            return self._plan_update(item, want, changed)[1]
        tag = want.get("config_tag")
        canon = {
            "name": want.get("name", ""),
            "config_tag": tag,
            "is_default": self.create_default,
            "domain_names": copy.deepcopy(want.get("domain_names", [])),
            "auth_query_params": copy.deepcopy(want.get("auth_query_params", {})),
            "org_ids": copy.deepcopy(want.get("org_ids", [])),
            "upn_claim": want.get("upn_claim") or "acct",
            "groups_claim": want.get("groups_claim") or "",
        }
        for field in ("idm_protocol", "idm_endpoints", "active_directory_over_ldap", "federation_type"):
            if want.get(field):
                canon[field] = copy.deepcopy(want[field])
        if tag and want.get(tag):
            sub = copy.deepcopy(want[tag])
            sub.setdefault("claim_map", {})
            if tag == "oauth2":
                sub.setdefault("auth_query_params", {})
            canon[tag] = sub
        return canon

    def _remember_secrets(self, pid, payload):
        for path in SECRET_PATHS:
            key, sub = path.split(".")
            value = (payload.get(key) or {}).get(sub)
            if value is not None:
                self.sent[(pid, path)] = value

    def send_create(self, payload, want):
        """POST the CreateSpec; never blindly again, since names are not unique and a second POST
        would create a second provider.

        The shared client retries 429/503 for every method; here the POST goes out without automatic
        retries. When it fails in a way that may hide a create that landed (no answer, 429, 5xx), the
        list is read again: a new provider with this name is taken as ours; otherwise a 429 or 503 (or
        a refused connection) is retried after a backoff, a bounded number of times.
        """
        http = getattr(self.client, "client", self.client)  # the ApiClient under the connection
        attempt = 0
        while True:
            attempt += 1
            retries, http.retries = http.retries, 0
            try:
                response = self.client.request("POST", PROVIDERS_PATH, json_body=payload, expected=(200, 201))
            except ApiError as exc:
                if exc.status is not None and exc.status != 429 and exc.status < 500:
                    raise
                landed = self._landed(payload.get("name", ""))
                if landed is not None:
                    self.warn("vCenter API POST %s: %s; the identity provider was created nonetheless "
                              "(provider_id %s)" % (PROVIDERS_PATH, exc.status and "HTTP %s" % exc.status
                                                    or "no answer", landed))
                    pid = landed
                    break
                # as the shared client: 429 and 503 mean "not processed"; 502/504 are retried for idempotent
                # methods only, so a POST that met them fails (after the check above that it did not land)
                transient = exc.status in (429, 503) or (exc.status is None and "could not connect" in
                                                         str(exc.hint or ""))
                if not transient or attempt > retries:
                    raise
                delay = http._backoff(attempt)  # pylint: disable=protected-access
                self.warn("vCenter API POST %s: %s, and the provider was not created; retrying in %.1fs (retry %d "
                          "of %d)" % (PROVIDERS_PATH, "HTTP %s" % exc.status if exc.status else "no connection",
                                      delay, attempt, retries))
                http.sleep(delay)
                continue
            finally:
                http.retries = retries
            pid = response.json
            if isinstance(pid, dict):
                pid = pid.get("value")
            if not isinstance(pid, str) or not pid:
                raise ApiError(SERVICE, "POST", PROVIDERS_PATH, status=response.status,
                               vendor_text="the response holds no provider id")
            break
        self.created.add(pid)
        self._remember_secrets(pid, payload)
        return pid

    def _landed(self, name):
        """The id of a provider named ``name`` that the first read did not see, or None."""
        try:
            summaries = self.list_summaries()
        except ApiError:
            return None
        known = (self.known_ids or set()) | self.created
        infos = {}
        for summary in summaries:
            if summary["provider"] not in known and self._name_of(summary, infos) == name:
                return summary["provider"]
        return None

    def send_update(self, item, payload, want):
        pid = item["canon"]["provider_id"]
        self.client.request("PATCH", "%s/%s" % (PROVIDERS_PATH, quote_path(pid)), json_body=payload,
                            expected=(200, 204))
        self._remember_secrets(pid, payload)
        return pid

    def send_delete(self, item):
        pid = item["canon"]["provider_id"]
        self.client.request("DELETE", "%s/%s" % (PROVIDERS_PATH, quote_path(pid)), expected=(200, 204),
                            allow_status=(404,))

    def recreate_needed(self, item, want):
        tag = want.get("config_tag")
        if tag is not None and tag != item["canon"].get("config_tag"):
            self.recreating = True
            return ["config_tag"]
        return []

    def mask_payload(self, payload):
        out = copy.deepcopy(payload)
        for path in SECRET_PATHS:
            key, sub = path.split(".")
            if isinstance(out.get(key), dict) and out[key].get(sub) is not None:
                out[key][sub] = MASK
        return out


# ---------------------------------------------------------------------------- module entry points
def _resource(sm, entries, state):
    conn = VcenterConnection(sm.params, sm)
    return IdentityProvider(conn, sm.params, entries=entries, state=state, warn=sm.warn, add_secret=sm.add_secret)


def entry_of(params):
    """The resource options of the single module's parameters."""
    return dict((k, params.get(k)) for k in resource_spec() if k != "update_secret")


def run_provider(sm):
    """vcenter_identity_provider: a set of one."""
    entry = entry_of(sm.params)
    state = {"present": "merged", "absent": "deleted"}[sm.params["state"]]
    run_single(sm, _resource(sm, [entry], state), entry)


def run_providers(sm):
    """vcenter_identity_providers: one login, one list, then only the writes that differ."""
    run_set(sm, _resource(sm, sm.params.get("config") or [], sm.params["state"]))


def run_info(sm):
    """vcenter_identity_provider_info: one provider (by name or id) or all."""
    res = _resource(sm, [], "gathered")
    name, pid = sm.params.get("name"), sm.params.get("provider_id")
    providers = [res.view(raw) for raw in res.read_selected(name=name, provider_id=pid)]
    if pid is not None:
        what = "identity provider %r" % pid
    elif name is not None:
        what = "identity provider(s) named %r" % name
    else:
        what = "identity provider(s)"
    sm.exit(changed=False, providers=providers, msg="%d %s found" % (len(providers), what), api_calls=sm.api_calls())
