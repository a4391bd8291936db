# -*- coding: utf-8 -*-
# Copyright (c) sso.oidc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""AWS Wickr OIDC configuration (private): the vendor's field facts, the one normalisation,
payloads, reads and writes, and the module definitions.

* :class:`WickrOidcConfig`, the one stateless ``Resource`` behind ``wickr_oidc_config``
  (:data:`SINGLE`) and ``wickr_oidc_configs`` (:data:`SET`);
* :func:`run_info` behind ``wickr_oidc_info`` (:data:`INFO`) and :func:`run_network_info`
  behind ``wickr_network_info`` (:data:`NETWORK_INFO`).

The connection (endpoint, credentials, SigV4 signing, errors) is in ``_wickr_connection``.
"""

from __future__ import annotations

import copy
import re

from urllib.parse import quote, urlsplit

from ansible_collections.sso.oidc.plugins.module_utils._http import MASK, ApiError
from ansible_collections.sso.oidc.plugins.module_utils._module import (
    info_module, set_module, single_module,
)
from ansible_collections.sso.oidc.plugins.module_utils._reconcile import InputError, ItemFailure, Resource
from ansible_collections.sso.oidc.plugins.module_utils._wickr_connection import (
    SERVICE, connect, connection_options,
)

NETWORK_ID_RE = re.compile(r"^[0-9]{8}$")
LIST_PAGE_SIZE = 100  # ListNetworks: the model's documented maximum for maxResults

RESOURCE_SPEC = {
    "network_id": {"type": "str", "required": True},
    "company_id": {"type": "str"},
    "issuer": {"type": "str"},
    "scopes": {"type": "list", "elements": "str"},
    "client_id": {"type": "str"},
    "secret": {"type": "str", "no_log": True},
    "custom_username": {"type": "str"},
    "extra_auth_params": {"type": "str"},
    "sso_token_buffer_minutes": {"type": "int", "no_log": False},
    "validate": {"type": "bool", "default": True},
    "ca_certificate": {"type": "str"},
    "update_secret": {"type": "str", "default": "on_create", "choices": ["on_create", "always"]},
}

INFO_SPEC = {
    "network_id": {"type": "str", "required": True},
    "code": {"type": "str", "no_log": True},
    "grant_type": {"type": "str"},
    "redirect_uri": {"type": "str"},
    "code_verifier": {"type": "str", "no_log": True},
    "token_client_id": {"type": "str", "no_log": False},
    "token_client_secret": {"type": "str", "no_log": True},
    "url": {"type": "str"},
    "certificate": {"type": "str"},
}

#: the set module's states: the Wickr API cannot remove an OIDC configuration
SET_STATES = ["merged", "replaced", "gathered"]

# option -> GetOidcInfo query parameter (token exchange)
TOKEN_QUERY = (
    ("token_client_id", "clientId"), ("code", "code"), ("grant_type", "grantType"),
    ("redirect_uri", "redirectUri"), ("url", "url"), ("token_client_secret", "clientSecret"),
    ("code_verifier", "codeVerifier"), ("certificate", "certificate"),
)

# canonical option <-> RegisterOidcConfig / OidcConfigInfo member (the fields a save carries)
SAVE_FIELDS = (
    ("company_id", "companyId"), ("issuer", "issuer"), ("scopes", "scopes"), ("client_id", "userId"),
    ("secret", "secret"), ("custom_username", "customUsername"), ("extra_auth_params", "extraAuthParams"),
    ("sso_token_buffer_minutes", "ssoTokenBufferMinutes"),
)
CANONICAL_FIELDS = ("network_id",) + tuple(opt for opt, _api in SAVE_FIELDS)
REQUIRED_ON_CREATE = ("company_id", "issuer", "scopes")

_MASK_WORDS = frozenset(("redacted", "<redacted>", "hidden", "sensitive", "masked", "<sensitive>"))


def resource_options():
    """The options of one OIDC configuration: the single module's beside the connection, one ``config`` entry."""
    return copy.deepcopy(RESOURCE_SPEC)


def info_options():
    spec = connection_options()
    spec.update(copy.deepcopy(INFO_SPEC))
    return spec


def network_info_options():
    return connection_options()


# ---------------------------------------------------------------- small helpers
def api_scopes(value):
    """scopes in the API's form (one space-separated string) from what the user wrote: a string as it is,
    a list joined with spaces, in the user's order."""
    if value is None or isinstance(value, str):
        return value
    return " ".join(str(v) for v in value if v is not None)


def oidc_path(network_id, suffix=""):
    return "/networks/%s/oidc%s" % (quote(str(network_id), safe=""), suffix)


def encode_query(pairs):
    """RFC 3986 query encoding (spaces as %20, never '+'), the form SigV4 canonicalises."""
    return "&".join("%s=%s" % (quote(k, safe="-_.~"), quote(str(v), safe="-_.~")) for k, v in pairs)


def split_scopes(value):
    """Scopes as a list of unique tokens in the given order, from a list or a space-separated string."""
    if value is None:
        return None
    if isinstance(value, str):
        value = [value]
    out = []
    for element in value:
        if element is None:
            continue
        for token in str(element).replace(",", " ").split():
            if token not in out:
                out.append(token)
    return out


def is_masked(value):
    """True when an API value looks like a masked secret rather than the secret itself."""
    text = str(value).strip()
    if not text:
        return False
    if text.lower() in _MASK_WORDS:
        return True
    if "***" in text or "\u2022\u2022\u2022" in text or "\u25cf\u25cf\u25cf" in text:
        return True
    return set(text) <= set("*\u2022\u25cfxX#")


def secret_visibility(raw):
    """How the read shows the stored secret: 'clear', 'masked' or 'omitted'."""
    values = [raw.get(name) for name in ("secret", "clientSecret") if raw.get(name) not in (None, "")]
    if not values:
        return "omitted"
    if any(not is_masked(v) for v in values):
        return "clear"
    return "masked"


def clear_secrets(raw):
    return [raw.get(name) for name in ("secret", "clientSecret")
            if raw.get(name) not in (None, "") and not is_masked(raw.get(name))]


def _empty(value):
    return value is None or value == "" or value == []


def _to_int(value):
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def is_configured(info):
    return bool((info.get("issuer") or "").strip() or (info.get("companyId") or "").strip())


def read_client_id(raw):
    """The module's client_id as read: the read's userId, else its clientId (see docs/wickr.md)."""
    for name in ("userId", "clientId"):
        value = raw.get(name)
        if value not in (None, ""):
            return value
    return None


def normalize_raw(raw):
    """A GetOidcInfo/RegisterOidcConfig object (plus networkId) -> canonical dict in option space."""
    canon = {"network_id": str(raw.get("networkId"))}
    for option, member in SAVE_FIELDS:
        if option in ("client_id", "secret"):
            continue
        value = raw.get(member)
        if option == "scopes":
            value = split_scopes(value) or None
        elif option == "sso_token_buffer_minutes":
            value = _to_int(value)
        if not _empty(value):
            canon[option] = value
    client_id = read_client_id(raw)
    if client_id is not None:
        canon["client_id"] = client_id
    shown = clear_secrets(raw)
    if shown:
        canon["secret"] = shown[0]
    return canon


def _payload(values):
    """RegisterOidcConfig body from option values in the user's (or the server's stored) form."""
    payload = {}
    for option, member in SAVE_FIELDS:
        value = values.get(option)
        if value is None:
            continue
        if option == "scopes":
            value = api_scopes(value)
        payload[member] = value
    return payload


def _given_values(want, given):
    """The save fields as the user wrote them (``given``); a field only ``want`` has (a default that
    replaced adds) in its canonical form."""
    values = {}
    for option, _member in SAVE_FIELDS:
        if given.get(option) is not None:
            values[option] = copy.deepcopy(given[option])
        elif option in want:
            values[option] = copy.deepcopy(want[option])
    return values


# ---------------------------------------------------------------- reads shared by the modules
def list_networks(conn):
    """ListNetworks (``GET /networks``), every page: follows ``nextToken`` until the service gives none."""
    networks, token, seen = [], None, set()
    while True:
        query = [("maxResults", str(LIST_PAGE_SIZE))]
        if token:
            query.append(("nextToken", token))
        response = conn.request("GET", "/networks?" + encode_query(query))
        data = response.json
        if not isinstance(data, dict) or not isinstance(data.get("networks") or [], list):
            raise ApiError(SERVICE, "GET", "/networks", status=response.status,
                           vendor_text="the response is not a JSON object with a networks list")
        networks.extend(n for n in data.get("networks") or [] if isinstance(n, dict))
        token = data.get("nextToken")
        if not token:
            return networks
        if token in seen:
            raise ApiError(SERVICE, "GET", "/networks", status=response.status,
                           vendor_text="ListNetworks gave the same nextToken twice; the pages would never end")
        seen.add(token)


# ---------------------------------------------------------------- the resource
class WickrOidcConfig(Resource):
    """The OIDC configuration of one Wickr network (key: network_id).

    Canonical form: network_id, company_id, issuer, scopes (list), client_id,
    secret (only when the API shows it in clear), custom_username,
    extra_auth_params, sso_token_buffer_minutes. Empty values are left out.

    Per-task facts in ``task.memo``: ``wickr.read_errors`` (network id -> the ApiError of its
    read, e.g. an HTTP 404 for an unknown network) and ``wickr.secret_shown`` (whether the API
    showed a secret in clear during this run).
    """

    service = SERVICE
    kind = "Wickr OIDC config"
    key = "network_id"
    secret_fields = ("secret",)
    write_only = ()  # the secret is compared when the read shows it in clear; see equal()
    #: what replaced resets when an entry leaves it out (required fields, client_id and the secret are kept)
    defaults = {"custom_username": "", "extra_auth_params": "", "sso_token_buffer_minutes": None}
    can_delete = False  # the Wickr API has no operation that removes an OIDC configuration

    # -- validation ----------------------------------------------------------
    def validate(self, task, entry, where):
        if not task.memo.get("wickr.connection_checked"):
            self.conn.validate()
            task.memo["wickr.connection_checked"] = True
        if task.state not in SET_STATES:
            raise InputError("state: the Wickr API has no way to remove an OIDC configuration, so %s is not "
                             "supported" % task.state)
        network_id = entry.get("network_id")
        if network_id is None or not NETWORK_ID_RE.match(str(network_id)):
            raise InputError("%snetwork_id: %r is not a Wickr network ID; it is exactly 8 digits, e.g. '12345678' "
                             "(quote it in YAML so leading zeros are kept)" % (where, network_id))
        company_id = entry.get("company_id")
        if company_id is not None and not company_id.strip():
            raise InputError("%scompany_id: must not be empty; it is the identifier your users type to sign in "
                             "with SSO" % where)
        issuer = entry.get("issuer")
        if issuer is not None:
            parts = urlsplit(issuer)
            if parts.scheme != "https" or not parts.netloc or parts.query or parts.fragment:
                raise InputError("%sissuer: %r is not an OpenID Connect issuer; it must be an https:// URL without "
                                 "query or fragment, e.g. https://login.example.com" % (where, issuer))
        if entry.get("scopes") is not None:
            scopes = split_scopes(entry["scopes"])
            if not scopes:
                raise InputError("%sscopes: must name at least one scope, e.g. [openid, profile, email]" % where)
            if "openid" not in scopes:
                task.warn("%sscopes: %s does not include 'openid'; OpenID Connect sign-in needs it"
                          % (where, " ".join(scopes)))
        secret = entry.get("secret")
        if secret is not None and len(secret) < 4:
            raise InputError("%ssecret: too short to be a client secret (at least 4 characters)" % where)
        minutes = entry.get("sso_token_buffer_minutes")
        if minutes is not None and minutes < 0:
            raise InputError("%ssso_token_buffer_minutes: must be 0 or more minutes" % where)
        cert = entry.get("ca_certificate")
        if cert is not None and "-----BEGIN CERTIFICATE-----" not in cert:
            raise InputError("%sca_certificate: must be PEM text (-----BEGIN CERTIFICATE-----...), e.g. "
                             "\"{{ lookup('ansible.builtin.file', 'idp-ca.pem') }}\"" % where)

    # -- reading -------------------------------------------------------------
    def read_one(self, task, network_id):
        """GetOidcInfo for one network: the raw config (with networkId), None when none is set.

        A 404 (no such network) is kept per network in ``task.memo``, so one unknown network
        fails only its own item (in :meth:`match`)."""
        path = oidc_path(network_id)
        response = self.conn.request("GET", path, allow_status=(404,))
        if response.status == 404:
            api = self.conn.api
            task.memo.setdefault("wickr.read_errors", {})[network_id] = api.http_error("GET", api.url(path), response)
            return None
        data = response.json
        if not isinstance(data, dict):
            raise ApiError(SERVICE, "GET", path, status=response.status,
                           vendor_text="the response is not a JSON object")
        info = data.get("openidConnectInfo") or {}
        if not isinstance(info, dict):
            info = {}
        if clear_secrets(info):
            task.memo["wickr.secret_shown"] = True
        if not is_configured(info):
            return None
        raw = dict(info)
        raw["networkId"] = network_id
        return raw

    def read_all(self, task, keys=None):
        if keys is None:
            listed = [e.get("network_id") for e in task.entries if e.get("network_id")]
            keys = listed or [str(n["networkId"]) for n in list_networks(self.conn) if n.get("networkId")]
        out = []
        for network_id in keys:
            raw = self.read_one(task, str(network_id))
            if raw is not None:
                out.append(raw)
        return out

    def normalize(self, task, raw):
        return normalize_raw(raw)

    def desired(self, task, entry):
        want = {}
        for field in CANONICAL_FIELDS:
            value = entry.get(field)
            if value is None:
                continue
            if field == "scopes":
                value = split_scopes(value)
            elif field == "network_id":
                value = str(value)
            want[field] = copy.deepcopy(value)
        return want

    def match(self, task, want, existing):
        key = want.get("network_id")
        read_error = task.memo.get("wickr.read_errors", {}).get(key)
        if read_error is not None:
            raise read_error  # the vendor's HTTP error of this network's read (the engine fails the item)
        found = [item for item in existing if item["canon"].get("network_id") == key]
        if not found:
            return None
        item = found[0]
        raw, canon = item["raw"], item["canon"]
        adjusted = None
        # client_id goes out as userId; the read may show it as userId or as clientId (see docs/wickr.md).
        # An empty client_id is compared with the primary reading only: the read cannot tell a cleared
        # client ID from a claim name in userId, and a false "unchanged" would be worse than a change.
        wanted = want.get("client_id")
        if wanted and canon.get("client_id") != wanted and wanted in (raw.get("userId"), raw.get("clientId")):
            adjusted = dict(canon, client_id=wanted)
        # A secret shown in clear may come back as secret or as clientSecret.
        wanted = want.get("secret")
        shown = clear_secrets(raw)
        if wanted is not None and wanted in shown and canon.get("secret") != wanted:
            adjusted = dict(adjusted or canon, secret=wanted)
        if adjusted is not None:
            return {"raw": raw, "canon": adjusted}
        return item

    def equal(self, task, field, want, have, item):
        if _empty(want) and _empty(have):
            return True
        if field == "scopes":
            return set(split_scopes(want) or []) == set(split_scopes(have) or [])
        if field == "issuer":
            return isinstance(have, str) and want.rstrip("/") == have.rstrip("/")
        if field == "secret":
            # shown in clear: compared; not shown (None): the update_secret policy decides
            return task.secret_unchanged(want, have)
        if field == "sso_token_buffer_minutes":
            return _to_int(want) == _to_int(have)
        return want == have

    def written(self, task, field, want, have, item):
        """The read-back check of one written field. A secret the API does not show in clear cannot be
        checked (update_secret=always would otherwise count it as not kept); every other field must read
        back equal."""
        if field == "secret" and have is None:
            return True
        return self.equal(task, field, want, have, item)

    # -- writing -------------------------------------------------------------
    def _test_issuer(self, task, network_id, values):
        """RegisterOidcConfigTest before a save (validate=true), in check mode too."""
        entry = task.entry(network_id) or {}
        if entry.get("validate", True) is False:
            return None
        body = {"issuer": values.get("issuer"), "scopes": api_scopes(values.get("scopes")) or ""}
        if values.get("extra_auth_params"):
            body["extraAuthParams"] = values["extra_auth_params"]
        if entry.get("ca_certificate"):
            body["certificate"] = entry["ca_certificate"]
        try:
            return self.conn.request("POST", oidc_path(network_id, "/test"), json_body=body).json
        except ApiError as exc:
            if exc.status is None or exc.status >= 500 or exc.status in (401, 403, 429):
                raise
            raise ItemFailure.from_api(
                exc, hint="The issuer did not pass RegisterOidcConfigTest, so nothing was saved; fix issuer, "
                          "scopes, extra_auth_params or ca_certificate, or set validate=false to skip the test")

    def create_payload(self, task, want, given, replacing=None):
        network_id = want["network_id"]
        missing = [f for f in REQUIRED_ON_CREATE if _empty(want.get(f))]
        if missing:
            raise ItemFailure(
                "network %s has no OIDC configuration yet; to register one set %s (missing: %s)"
                % (network_id, ", ".join(REQUIRED_ON_CREATE), ", ".join(missing)),
                option=task.where.get(network_id, "") + missing[0])
        values = dict((k, v) for k, v in _given_values(want, given).items()
                      if not (k in self.defaults and _empty(v)))
        self._test_issuer(task, network_id, values)
        return _payload(values)

    def update_payload(self, task, item, want, changed, given):
        network_id = want["network_id"]
        raw, current = item["raw"], item["canon"]
        # RegisterOidcConfig saves the whole configuration: what the task leaves out is sent as the server
        # stores it (the raw read, not our comparison form); the secret only when the read shows it in clear
        values = {}
        for option, member in SAVE_FIELDS:
            if option in ("client_id", "secret"):
                values[option] = current.get(option)
            elif option == "sso_token_buffer_minutes":
                values[option] = _to_int(raw.get(member))
            elif not _empty(raw.get(member)):
                values[option] = raw.get(member)
        values.update(_given_values(want, given))
        if "client_id" not in want:
            user_id, client_id = raw.get("userId") or "", raw.get("clientId") or ""
            if user_id and client_id and user_id != client_id:
                raise ItemFailure(
                    "network %s: the read shows userId %r and clientId %r, and RegisterOidcConfig saves the whole "
                    "configuration; set client_id so that the save sends the right client ID as userId (nothing "
                    "was saved)" % (network_id, user_id, client_id),
                    option=task.where.get(network_id, "") + "client_id")
            values["client_id"] = user_id or client_id or None
        if values.get("secret") is None and secret_visibility(raw) == "masked":
            task.warn("network %s: RegisterOidcConfig saves the whole configuration and the API shows the stored "
                      "secret only masked, so it could not be sent again; set secret so the save keeps it"
                      % network_id)
        self._test_issuer(task, network_id, values)
        return _payload(values)

    def _save(self, task, network_id, payload):
        response = self.conn.request("POST", oidc_path(network_id, "/save"), json_body=payload)
        data = response.json if isinstance(response.json, dict) else {}
        if clear_secrets(data):
            task.memo["wickr.secret_shown"] = True
        return network_id

    def send_create(self, task, payload, want):
        return self._save(task, want["network_id"], payload)

    def send_update(self, task, item, payload, want):
        return self._save(task, want["network_id"], payload)

    def send_delete(self, task, item):  # pragma: no cover - the engine never gets here (can_delete is False)
        raise ItemFailure("the Wickr API has no operation to remove an OIDC configuration")

    def predict(self, task, item, want, changed, payload):
        base = copy.deepcopy(item["canon"]) if item else {}
        for field in changed:
            if field in want:
                base[field] = copy.deepcopy(want[field])
        if item is None:
            base.update(copy.deepcopy(want))
        # The read-back shows the secret only when the API shows secrets in clear.
        shown = ("secret" in item["canon"]) if item else task.memo.get("wickr.secret_shown", False)
        if not shown:
            base.pop("secret", None)
        for field in list(base):
            if _empty(base[field]):
                del base[field]
        if "scopes" in base:
            base["scopes"] = split_scopes(base["scopes"])
        return base

    def mask_payload(self, payload):
        out = copy.deepcopy(payload)
        for name in ("secret", "clientSecret"):
            if out.get(name):
                out[name] = MASK
        return out


# ---------------------------------------------------------------- the info module
def describe_config(network_id, info):
    """GetOidcInfo's openidConnectInfo in option space, plus the read-only fields."""
    info = info if isinstance(info, dict) else {}
    configured = is_configured(info)
    out = {"network_id": network_id, "configured": configured}
    if not configured:
        return out
    raw = dict(info, networkId=network_id)
    out.update(normalize_raw(raw))
    visibility = secret_visibility(info)
    out["secret_visibility"] = visibility
    if visibility != "omitted":
        out["secret"] = MASK
    for option, member in (("user_id", "userId"), ("oauth_client_id", "clientId"),
                           ("application_name", "applicationName"), ("application_id", "applicationId"),
                           ("redirect_url", "redirectUrl"), ("ca_certificate", "caCertificate")):
        value = info.get(member)
        if not _empty(value):
            out[option] = value
    return out


TOKEN_FIELDS = (
    ("access_token", "accessToken"), ("id_token", "idToken"), ("refresh_token", "refreshToken"),
    ("token_type", "tokenType"), ("expires_in", "expiresIn"), ("code_verifier", "codeVerifier"),
    ("code_challenge", "codeChallenge"),
)


def run_info(sm):
    """wickr_oidc_info: GetOidcInfo of one network, with the token exchange when its options are given."""
    conn = connect(sm)
    conn.validate()
    p = sm.params
    network_id = p.get("network_id")
    if network_id is None or not NETWORK_ID_RE.match(str(network_id)):
        raise InputError("network_id: %r is not a Wickr network ID; it is exactly 8 digits, e.g. '12345678'"
                         % (network_id,))
    query = [(param, p[option]) for option, param in TOKEN_QUERY if p.get(option) is not None]
    path = oidc_path(network_id)
    if query:
        path += "?" + encode_query(query)
    data = conn.request("GET", path).json
    if not isinstance(data, dict):
        raise ApiError(SERVICE, "GET", oidc_path(network_id), vendor_text="the response is not a JSON object")
    result = {
        "changed": False,
        "oidc_config": describe_config(network_id, data.get("openidConnectInfo")),
        "api_calls": sm.api_calls(),
    }
    if query:
        # Asked for: the token exchange. Tokens go back to the caller only; register with no_log.
        token = data.get("tokenInfo") if isinstance(data.get("tokenInfo"), dict) else {}
        result["token_info"] = dict((option, token.get(member)) for option, member in TOKEN_FIELDS
                                    if token.get(member) is not None)
    sm.exit(**result)


# ---------------------------------------------------------------- the network info module
#: option-space name <-> member of the botocore model's Network shape (ListNetworks)
NETWORK_FIELDS = (
    ("network_id", "networkId"), ("network_name", "networkName"), ("access_level", "accessLevel"),
    ("standing", "standing"), ("aws_account_id", "awsAccountId"), ("network_arn", "networkArn"),
    ("free_trial_expiration", "freeTrialExpiration"), ("migration_state", "migrationState"),
    ("encryption_key_arn", "encryptionKeyArn"),
)


def describe_network(raw):
    """A Network of ListNetworks in option-space names (members the service leaves out are left out)."""
    out = {}
    for option, member in NETWORK_FIELDS:
        if raw.get(member) is not None:
            out[option] = str(raw[member]) if option == "network_id" else raw[member]
    return out


def run_network_info(sm):
    """wickr_network_info: every network the credentials can see, all pages of ListNetworks."""
    conn = connect(sm)
    conn.validate()
    networks = [describe_network(n) for n in list_networks(conn)]
    sm.exit(changed=False, networks=networks, msg="%d Wickr network(s) found" % len(networks),
            api_calls=sm.api_calls())


# ---------------------------------------------------------------- the modules
#: wickr_oidc_config
SINGLE = single_module(connection_options, resource_options, connect, WickrOidcConfig, absent=False)
#: wickr_oidc_configs
# Nothing is ever deleted through the Wickr API, so there is nothing to protect: no ``protected`` option.
SET = set_module(connection_options, resource_options, connect, WickrOidcConfig, states=SET_STATES, protected=False)
#: wickr_oidc_info
INFO = info_module(info_options, run_info)
#: wickr_network_info
NETWORK_INFO = info_module(network_info_options, run_network_info)
