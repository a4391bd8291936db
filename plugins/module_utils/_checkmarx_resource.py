# -*- coding: utf-8 -*-
# Copyright (c) sso.oidc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Checkmarx CxSAST Access Control: OIDC clients (private: not part of the collection's public API).

The vendor's field facts, the one normalisation, the payload builders and the read/write calls of
``/OIDCClients``, the :class:`OidcClientResource` that the three modules (``cx_oidc_client``,
``cx_oidc_client_info``, ``cx_oidc_clients``) share, and their module definitions. The connection
(login, errors) is in ``_checkmarx_connection``.

Client secrets: the API returns ``clientSecrets`` as IdentityServer stores them, base64 of the
SHA-256 of the secret. Whether a write takes plaintext (and hashes it) or stores what it is sent is
not documented, so:

* a desired plaintext matches a stored value that is its hash (SHA-256, or SHA-512) or itself;
* a write sends the plaintext the user gave, except where the stored list proves that the server
  stores values as sent (some stored value is not shaped like a hash): then a stored form is sent back
  unchanged;
* an update that leaves ``client_secrets`` out sends the stored values back unchanged, as Checkmarx's own
  Go client does (``cxpsemea/CxSASTClientGo`` ``iam.go`` ``SaveOIDCClient`` PUTs the client as read,
  ``clientSecrets`` included), and the read-back must show exactly the values stored before; a server
  that re-hashed them fails the item with the way to restore the client (give ``client_secrets``).
  ``stored_secrets=refuse`` keeps the older behaviour: such an update fails before any write unless the
  server is seen to store secrets as sent.

Payloads carry the user's values (the engine's rule): lists in the user's order, the user's claims,
the plaintext secrets as given; the canonical form (sorted sets, enum names) is only compared.

Create-only fields: the update model generated from Checkmarx's Swagger (``UpdateOidcClientViewModel``)
lacks ``updateAccessTokenClaimsOnRefresh``, ``accessTokenType``, ``includeJwtId`` and
``alwaysIncludeUserClaimsInIdToken``; a server may ignore them on update. They are still sent, and the
read-back tells: a field the server did not take fails the item, saying how to recreate the client.
"""

from __future__ import annotations

import base64
import binascii
import copy
import hashlib

from urllib.parse import urlsplit

from ansible_collections.sso.oidc.plugins.module_utils._checkmarx_connection import (
    SERVICE, connect, connection_options,
)
from ansible_collections.sso.oidc.plugins.module_utils._http import MASK, ApiError, quote_path, short_body
from ansible_collections.sso.oidc.plugins.module_utils._module import (
    info_module, set_module, single_module, task_of,
)
from ansible_collections.sso.oidc.plugins.module_utils._reconcile import InputError, ItemFailure, Resource, text_key

CLIENTS_PATH = "/OIDCClients"
# Clients the product itself logs in with: never deleted by overridden/deleted/absent.
BUILTIN_CLIENTS = ("cxsast_client", "resource_owner_client", "resource_owner_sast_client")
MIN_SECRET_LENGTH = 4

STORED_SECRETS = ["send_back", "refuse"]
#: the task's fact (in ``task.memo``): a stored secret was seen that is not shaped like a hash
STORES_AS_SENT = "checkmarx.stores_as_sent"
#: fields the Swagger update model lacks: a server may take them only on create
CREATE_ONLY = ("update_access_token_claims_on_refresh", "access_token_type", "include_jwt_id",
               "always_include_user_claims_in_id_token")

GRANT_TYPES = ["authorization_code", "client_credentials", "hybrid", "implicit", "password"]
EXCLUSIVE_GRANTS = (("implicit", "authorization_code"), ("implicit", "hybrid"), ("authorization_code", "hybrid"))

# IdentityServer4 enum numbering (AccessTokenType, TokenUsage, TokenExpiration).
ENUMS = {
    "access_token_type": {"jwt": 0, "reference": 1},
    "refresh_token_usage": {"reuse": 0, "one_time_only": 1},
    "refresh_token_expiration": {"sliding": 0, "absolute": 1},
}

# option -> (API key, kind). Kinds: str, uri (empty = none), bool, int, enum, set (list compared as a
# set), secrets, claims, prefix (none = "").
FIELDS = (
    ("client_id", "clientId", "str"),
    ("name", "clientName", "str"),
    ("enabled", "enabled", "bool"),
    ("require_client_secret", "requireClientSecret", "bool"),
    ("require_pkce", "requirePkce", "bool"),
    ("client_secrets", "clientSecrets", "secrets"),
    ("allowed_grant_types", "allowedGrantTypes", "set"),
    ("allowed_scopes", "allowedScopes", "set"),
    ("redirect_uris", "redirectUris", "set"),
    ("post_logout_redirect_uris", "postLogoutRedirectUris", "set"),
    ("front_channel_logout_uri", "frontChannelLogoutUri", "uri"),
    ("front_channel_logout_session_required", "frontChannelLogoutSessionRequired", "bool"),
    ("back_channel_logout_uri", "backChannelLogoutUri", "uri"),
    ("back_channel_logout_session_required", "backChannelLogoutSessionRequired", "bool"),
    ("allow_offline_access", "allowOfflineAccess", "bool"),
    ("access_token_type", "accessTokenType", "enum"),
    ("update_access_token_claims_on_refresh", "updateAccessTokenClaimsOnRefresh", "bool"),
    ("include_jwt_id", "includeJwtId", "bool"),
    ("always_include_user_claims_in_id_token", "alwaysIncludeUserClaimsInIdToken", "bool"),
    ("identity_token_lifetime", "identityTokenLifetime", "int"),
    ("access_token_lifetime", "accessTokenLifetime", "int"),
    ("authorization_code_lifetime", "authorizationCodeLifetime", "int"),
    ("absolute_refresh_token_lifetime", "absoluteRefreshTokenLifetime", "int"),
    ("sliding_refresh_token_lifetime", "slidingRefreshTokenLifetime", "int"),
    ("refresh_token_usage", "refreshTokenUsage", "enum"),
    ("refresh_token_expiration", "refreshTokenExpiration", "enum"),
    ("allowed_cors_origins", "allowedCorsOrigins", "set"),
    ("allow_access_tokens_via_browser", "allowAccessTokensViaBrowser", "bool"),
    ("claims", "claims", "claims"),
    ("client_claims_prefix", "clientClaimsPrefix", "prefix"),
)
OPTION_NAMES = tuple(f[0] for f in FIELDS)
API_KEYS = tuple(f[1] for f in FIELDS)
#: keys that newer models added (the vendor sample and older servers lack them): a list entry without
#: them is still a full client, and a server that does not show them does not have the feature
LATER_KEYS = ("requirePkce",)
FULL_KEYS = tuple(k for k in API_KEYS if k not in LATER_KEYS)
KIND = dict((f[0], f[2]) for f in FIELDS)
API_KEY = dict((f[0], f[1]) for f in FIELDS)

# Server defaults of an omitted field (vendor sample, IdentityServer4 model defaults). Used to build a
# create payload, and by state=replaced/overridden for options left out. ``name`` and ``client_secrets``
# are deliberately absent: replaced never clears a name or the secrets the user did not mention.
DEFAULTS = {
    "enabled": True,
    "require_client_secret": True,
    "require_pkce": False,
    "allowed_grant_types": [],
    "allowed_scopes": [],
    "redirect_uris": [],
    "post_logout_redirect_uris": [],
    "front_channel_logout_uri": None,
    "front_channel_logout_session_required": True,
    "back_channel_logout_uri": None,
    "back_channel_logout_session_required": True,
    "allow_offline_access": False,
    "access_token_type": "jwt",
    "update_access_token_claims_on_refresh": False,
    "include_jwt_id": False,
    "always_include_user_claims_in_id_token": False,
    "identity_token_lifetime": 300,
    "access_token_lifetime": 3600,
    "authorization_code_lifetime": 300,
    "absolute_refresh_token_lifetime": 2592000,
    "sliding_refresh_token_lifetime": 1296000,
    "refresh_token_usage": "one_time_only",
    "refresh_token_expiration": "absolute",
    "allowed_cors_origins": [],
    "allow_access_tokens_via_browser": False,
    "claims": [],
    "client_claims_prefix": "",
}
POSITIVE_LIFETIMES = ("identity_token_lifetime", "access_token_lifetime", "authorization_code_lifetime")
LIFETIMES = POSITIVE_LIFETIMES + ("absolute_refresh_token_lifetime", "sliding_refresh_token_lifetime")


# ---------------------------------------------------------------------------- option specs
def resource_options():
    """Options of one OIDC client (the single module's resource options, a set module's config entry)."""
    lifetime = {"type": "int", "no_log": False}
    return {
        "client_id": {"type": "str", "required": True},
        "name": {"type": "str"},
        "enabled": {"type": "bool"},
        "require_client_secret": {"type": "bool"},
        "require_pkce": {"type": "bool"},
        "client_secrets": {"type": "list", "elements": "str", "no_log": True},
        "allowed_grant_types": {"type": "list", "elements": "str", "choices": list(GRANT_TYPES)},
        "allowed_scopes": {"type": "list", "elements": "str"},
        "redirect_uris": {"type": "list", "elements": "str"},
        "post_logout_redirect_uris": {"type": "list", "elements": "str"},
        "front_channel_logout_uri": {"type": "str"},
        "front_channel_logout_session_required": {"type": "bool"},
        "back_channel_logout_uri": {"type": "str"},
        "back_channel_logout_session_required": {"type": "bool"},
        "allow_offline_access": {"type": "bool"},
        "access_token_type": {"type": "str", "choices": ["jwt", "reference"]},
        "update_access_token_claims_on_refresh": {"type": "bool"},
        "include_jwt_id": {"type": "bool"},
        "always_include_user_claims_in_id_token": {"type": "bool"},
        "identity_token_lifetime": dict(lifetime),
        "access_token_lifetime": dict(lifetime),
        "authorization_code_lifetime": dict(lifetime),
        "absolute_refresh_token_lifetime": dict(lifetime),
        "sliding_refresh_token_lifetime": dict(lifetime),
        "refresh_token_usage": {"type": "str", "choices": ["reuse", "one_time_only"]},
        "refresh_token_expiration": {"type": "str", "choices": ["sliding", "absolute"]},
        "allowed_cors_origins": {"type": "list", "elements": "str"},
        "allow_access_tokens_via_browser": {"type": "bool"},
        "claims": {"type": "list", "elements": "dict", "options": {
            "type": {"type": "str", "required": True},
            "value": {"type": "str", "required": True},
        }},
        "client_claims_prefix": {"type": "str"},
    }


def task_options():
    """The options of the task beside the clients (``task.options``): the single and the set module take them."""
    return {"stored_secrets": {"type": "str", "default": "send_back", "choices": list(STORED_SECRETS),
                               "no_log": False}}


def info_options():
    spec = connection_options()
    spec["client_id"] = {"type": "str"}
    return spec


# ---------------------------------------------------------------------------- secrets
def secret_hash(value, algorithm="sha256"):
    """IdentityServer's ``Sha256()`` / ``Sha512()``: base64 of the digest of the UTF-8 bytes."""
    digest = hashlib.new(algorithm, str(value).encode("utf-8")).digest()
    return base64.b64encode(digest).decode("ascii")


def secret_forms(plain):
    """Every stored form that proves ``plain`` is already configured: its hashes and itself."""
    return (secret_hash(plain), secret_hash(plain, "sha512"), plain)


def looks_hashed(value):
    """True when a stored value has the shape of an IdentityServer hash (base64 of 32 or 64 bytes)."""
    if not isinstance(value, str):
        return False
    try:
        raw = base64.b64decode(value.encode("ascii"), validate=True)
    except (binascii.Error, ValueError, UnicodeEncodeError):
        return False
    return len(raw) in (32, 64)


def stored_form(plain, stored):
    """The value of ``stored`` that is ``plain`` (itself or one of its hashes), or None."""
    for form in secret_forms(plain):
        if form in stored:
            return form
    return None


def secrets_match(plains, stored):
    """Whether the plaintext list ``plains`` is exactly the stored list (order and form aside)."""
    remaining = set(stored or [])
    for plain in set(plains or []):
        form = stored_form(plain, remaining)
        if form is None:
            return False
        remaining.discard(form)
    return not remaining


# ---------------------------------------------------------------------------- canonical form
def _sorted_set(values):
    return sorted(set(str(v) for v in values or []))


def _claims(values):
    seen = set()
    out = []
    for claim in values or []:
        if not isinstance(claim, dict):
            continue
        pair = (str(claim.get("type") or ""), "" if claim.get("value") is None else str(claim.get("value")))
        if pair not in seen:
            seen.add(pair)
            out.append(pair)
    return [{"type": t, "value": v} for t, v in sorted(out)]


def to_canonical(option, value):
    """One value (API side or option side) -> canonical option-space value."""
    kind = KIND[option]
    if kind == "enum":
        if isinstance(value, str):
            # A server that spells enums as .NET names ("OneTimeOnly", "Jwt") means the same words.
            squashed = value.replace("_", "").lower()
            for name in ENUMS[option]:
                if name.replace("_", "") == squashed:
                    return name
            return value
        names = dict((number, name) for name, number in ENUMS[option].items())
        return names.get(value, value)
    if kind == "set":
        return _sorted_set(value)
    if kind == "secrets":
        return sorted(set(value or []))
    if kind == "claims":
        return _claims(value)
    if kind == "uri":
        return value or None
    if kind == "prefix":
        return value or ""
    if kind == "bool" and value is not None:
        return bool(value)
    if option == "require_pkce":
        return False  # a server whose clients do not show requirePkce has no PKCE requirement
    if kind == "int" and value is not None and not isinstance(value, bool):
        try:
            return int(value)
        except (TypeError, ValueError):
            return value
    return value


def to_api(option, value):
    """Canonical value -> API value."""
    kind = KIND[option]
    if kind == "enum":
        return ENUMS[option].get(value, value)
    if kind in ("set", "secrets"):
        return list(value or [])
    if kind == "claims":
        return [{"type": c["type"], "value": c["value"]} for c in value or []]
    return value


# ---------------------------------------------------------------------------- the resource
class OidcClientResource(Resource):
    """An OIDC client of Access Control, keyed by its OAuth ``client_id``."""

    service = SERVICE
    kind = "OIDC client"
    key = "client_id"
    secret_fields = ("client_secrets",)
    # The API shows every secret as a hash: compared, and rewritten anyway with update_secret=always.
    always_rewrites_secrets = True
    defaults = DEFAULTS
    builtin_protected = BUILTIN_CLIENTS
    task_options = ("stored_secrets",)

    # -- validation --------------------------------------------------------
    def validate(self, task, entry, where):
        text_key(entry, "client_id", where, "must be a non-empty string")
        if task.state == "deleted":
            return
        secrets = entry.get("client_secrets")
        if secrets is not None:
            for index, secret in enumerate(secrets):
                if secret is None or len(str(secret)) < MIN_SECRET_LENGTH:
                    raise InputError("%sclient_secrets[%d]: a secret must have at least %d characters"
                                     % (where, index, MIN_SECRET_LENGTH))
            if len(set(secrets)) != len(secrets):
                raise InputError("%sclient_secrets: the same secret is listed twice" % where)
        grants = entry.get("allowed_grant_types") or []
        for one, other in EXCLUSIVE_GRANTS:
            if one in grants and other in grants:
                raise InputError("%sallowed_grant_types: %s and %s cannot be combined (IdentityServer refuses "
                                 "it); keep one of them" % (where, one, other))
        for index, origin in enumerate(entry.get("allowed_cors_origins") or []):
            parts = urlsplit(origin or "")
            if not parts.scheme or not parts.netloc or parts.path or parts.query or parts.fragment:
                raise InputError("%sallowed_cors_origins[%d]: %r is not an origin; write scheme://host[:port] "
                                 "without a path or trailing slash" % (where, index, origin))
        for option in LIFETIMES:
            value = entry.get(option)
            if value is None:
                continue
            if option in POSITIVE_LIFETIMES and value <= 0:
                raise InputError("%s%s: must be a positive number of seconds" % (where, option))
            if value < 0:
                raise InputError("%s%s: must not be negative" % (where, option))
        for option in ("redirect_uris", "post_logout_redirect_uris", "allowed_scopes"):
            for index, value in enumerate(entry.get(option) or []):
                if not value or not str(value).strip():
                    raise InputError("%s%s[%d]: must not be empty" % (where, option, index))
        for index, claim in enumerate(entry.get("claims") or []):
            if not (claim.get("type") or "").strip():
                raise InputError("%sclaims[%d].type: must not be empty" % (where, index))

    # -- reading -----------------------------------------------------------
    def read_all(self, task, keys=None):
        response = self.conn.request("GET", CLIENTS_PATH)
        data = response.json
        if isinstance(data, dict):
            # The documented answer is a JSON array; accept it wrapped in an object as well.
            lists = [data[k] for k in ("value", "items", "clients", "data") if isinstance(data.get(k), list)]
            data = lists[0] if lists else data
        if not isinstance(data, list):
            raise ApiError(SERVICE, "GET", CLIENTS_PATH, status=response.status,
                           vendor_text="expected a JSON list of clients, got %s" % short_body(response))
        raws = [raw for raw in data if isinstance(raw, dict)]
        wanted = None if keys is None else set(keys)
        out = []
        for raw in raws:
            # A server whose list shows summaries only: read the full client, for those the task names.
            if (wanted is None or raw.get("clientId") in wanted) and not all(k in raw for k in FULL_KEYS):
                if raw.get("id") is not None:
                    raw = self.conn.request("GET", "%s/%s" % (CLIENTS_PATH, quote_path(raw["id"]))).json or raw
            out.append(raw)
        for raw in out:
            for value in raw.get("clientSecrets") or []:
                task.add_secret(value)  # stored secrets and hashes never reach a message either
                if not looks_hashed(value):
                    task.memo[STORES_AS_SENT] = True
        return out

    def normalize(self, task, raw):
        canon = {}
        for option, api_key, _kind in FIELDS:
            canon[option] = to_canonical(option, raw.get(api_key))
        return canon

    def desired(self, task, entry):
        for plain in entry.get("client_secrets") or []:
            for form in secret_forms(plain):
                task.add_secret(form)
        want = {}
        for option in OPTION_NAMES:
            value = entry.get(option)
            if value is not None:
                want[option] = to_canonical(option, copy.deepcopy(value))
        return want

    def equal(self, task, field, want, have, item):
        if field == "client_secrets":
            return task.secret_unchanged(want, have, same=secrets_match, compares_shown=self.always_rewrites_secrets)
        return want == have

    def written(self, task, field, want, have, item):
        if field == "client_secrets":
            return secrets_match(want, have)
        return want == have

    # -- writing -----------------------------------------------------------
    def create_payload(self, task, want, given, replacing=None):
        """The POST body: the user's values as written, the server defaults for the rest."""
        canon = copy.deepcopy(DEFAULTS)
        del canon["require_pkce"]  # sent only when given: older servers do not know the field
        # A new client without a name is shown by its client_id (the API's samples always carry a name).
        canon.update({"name": want["client_id"], "client_secrets": []})
        body = {}
        for option, api_key, _kind in FIELDS:
            if option in given:
                body[api_key] = to_api(option, copy.deepcopy(given[option]))
            elif option in canon:
                body[api_key] = to_api(option, canon[option])
        # New secrets go as plaintext, in the user's order: the documented meaning of clientSecrets on a write.
        body["clientSecrets"] = list(given.get("client_secrets") or [])
        return body

    def update_payload(self, task, item, want, changed, given):
        """The PUT body: the client as the server stores it, the changed fields at the user's values."""
        raw = item["raw"]
        body = dict((k, copy.deepcopy(v)) for k, v in raw.items() if k != "id")
        for option, api_key, _kind in FIELDS:
            if api_key not in body and api_key not in LATER_KEYS:
                body[api_key] = to_api(option, item["canon"][option])
        for option in changed:
            if option != "client_secrets":
                # A field the user gave carries the user's value; one that replaced/overridden resets
                # carries the default.
                value = given[option] if option in given else want[option]
                body[API_KEY[option]] = to_api(option, copy.deepcopy(value))
        body["clientSecrets"] = self.secrets_to_send(task, item, want, changed, given)
        return body

    def secrets_to_send(self, task, item, want, changed, given):
        """The clientSecrets of a PUT: what keeps (or rotates to) the wanted secrets on any server."""
        stored = list(item["raw"].get("clientSecrets") or [])
        stores_as_sent = task.memo.get(STORES_AS_SENT, False)
        if "client_secrets" in want:
            out = []
            for plain in given.get("client_secrets", want["client_secrets"]):
                form = stored_form(plain, stored)
                if form == plain or (form is not None and stores_as_sent):
                    out.append(form)
                else:
                    out.append(plain)
            return out
        if not stored or stores_as_sent:
            return stored
        if task.options.get("stored_secrets") == "refuse":
            raise ItemFailure(
                "client_secrets: the client has %d secret(s), which the API shows only as hashes, and the update of "
                "%s has to send the whole client. With stored_secrets=refuse the module does not send the stored "
                "values back (a server that hashed what it receives would replace each secret by the hash of its "
                "hash). Give client_secrets (the plaintext, unchanged or new) with this change, or set "
                "stored_secrets=send_back to send the stored values back unchanged as Checkmarx's own client does "
                "(the read-back then checks that the server kept them)"
                % (len(stored), ", ".join(changed)),
                key=want.get("client_id"), option=task.where.get(want.get("client_id"), "") + "client_secrets")
        # Sent back unchanged, as the vendor's own client does; verify_write checks that they were kept.
        return stored

    def verify_write(self, task, before, after, want, fields):
        problems = []
        for field, text in Resource.verify_write(self, task, before, after, want, fields):
            if field in CREATE_ONLY and before is not None:
                text += (" (Checkmarx's update model lacks this field, so the server may take it only when a client "
                         "is created: to change it, delete the client (state=absent) and create it again with "
                         "client_secrets)")
            problems.append((field, text))
        if before is not None and "client_secrets" not in want:
            had = sorted(before["raw"].get("clientSecrets") or [])
            kept = sorted(after["raw"].get("clientSecrets") or [])
            if had != kept:
                problems.append(("client_secrets", (
                    "client_secrets: the server re-hashed the %d stored secret(s) of %s %r that this update sent back "
                    "unchanged, so the values it stored before are gone and the client's secrets no longer work. "
                    "Restore the client: run the task again with client_secrets (the plaintext, unchanged or new); "
                    "set stored_secrets=refuse to have such updates refused before any write on this server"
                    % (len(had), self.kind, after["canon"].get("client_id")))))
        return problems

    def send_create(self, task, payload, want):
        self.conn.request("POST", CLIENTS_PATH, json_body=payload)
        return None

    def send_update(self, task, item, payload, want):
        self.conn.request("PUT", "%s/%s" % (CLIENTS_PATH, quote_path(item["raw"]["id"])), json_body=payload)
        return item["raw"]["id"]

    def send_delete(self, task, item):
        # 404: somebody else deleted it meanwhile, which is what was wanted.
        self.conn.request("DELETE", "%s/%s" % (CLIENTS_PATH, quote_path(item["raw"]["id"])), allow_status=(404,))

    def predict(self, task, item, want, changed, payload):
        """What the server stores for ``payload``: the body's fields, the secrets in their stored form."""
        stored = [] if item is None else list(item["raw"].get("clientSecrets") or [])
        canon = self.normalize(task, payload)
        if "client_secrets" in want:
            forms = []
            for plain in want["client_secrets"]:
                form = stored_form(plain, stored)
                if form is None:
                    form = plain if task.memo.get(STORES_AS_SENT, False) else secret_hash(plain)
                forms.append(form)
            canon["client_secrets"] = sorted(set(forms))
        else:
            canon["client_secrets"] = sorted(set(stored))
        return canon

    def match_written(self, task, hint, want, fresh):
        if hint is not None:
            for item in fresh:
                if item["raw"].get("id") == hint:
                    return item
        return self.match(task, want, fresh)

    # -- output ------------------------------------------------------------
    def mask_payload(self, payload):
        if payload is None:
            return None
        out = copy.deepcopy(payload)
        if out.get("clientSecrets"):
            out["clientSecrets"] = [MASK for _value in out["clientSecrets"]]
        return out

    def info(self, task, raw):
        """A client as the info module returns it: the options (secrets masked) and the server's id."""
        out = self.mask(self.normalize(task, raw))
        out["id"] = raw.get("id")
        return out


def run_info(sm):
    """cx_oidc_client_info: one client by client_id, or all; never changes anything."""
    resource = OidcClientResource(connect(sm))
    task = task_of(sm, resource, "gathered", [])
    client_id = sm.params.get("client_id")
    raws = resource.read_all(task, [client_id] if client_id else None)
    clients = [resource.info(task, raw) for raw in raws if not client_id or raw.get("clientId") == client_id]
    if client_id:
        msg = "OIDC client %r %s" % (client_id, "found" if clients else "not found")
    else:
        msg = "%d OIDC client(s) found" % len(clients)
    sm.exit(changed=False, msg=msg, clients=clients, api_calls=sm.api_calls())


# ---------------------------------------------------------------------------- the modules
#: the module cx_oidc_client (its ``stored_secrets`` is a task option beside the client's options)
SINGLE = single_module(connection_options, resource_options, connect, OidcClientResource, extra_options=task_options)
#: the module cx_oidc_clients
SET = set_module(connection_options, resource_options, connect, OidcClientResource, extra_options=task_options)
#: the module cx_oidc_client_info
INFO = info_module(info_options, run_info)
