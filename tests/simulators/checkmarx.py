# Copyright (c) sso.oidc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Simulator of the Checkmarx CxSAST Access Control REST API: the token endpoint and OIDC clients.

Vendor facts (see shared/api/checkmarx.md and the vendor sample in shared/seeds/002):

* ``POST /cxrestapi/auth/identity/connect/token``: form-encoded password grant. The client id and
  secret are checked against the OIDC clients of this very server (as IdentityServer does): the
  built-in ``resource_owner_client`` and ``resource_owner_sast_client`` carry the documented default
  secret. Wrong values give HTTP 400 with an OAuth error body (``invalid_client``, ``invalid_grant``,
  ``invalid_scope``, ``unauthorized_client``, ``unsupported_grant_type``).
* ``/cxrestapi/auth/OIDCClients``: GET list, GET by integer id, POST (201), PUT full replacement (204),
  DELETE (204). A bearer token is required (401 otherwise, with ``WWW-Authenticate``); the token needs
  the ``access_control_api`` scope and its user the "Manage Clients" permission (403 otherwise).
  Unknown id: 404 "Client not found". Duplicate ``clientId`` or invalid values: 400.
* Versioned media types: GET answers ``application/json;v=1.0``; a write whose ``Content-Type`` is not
  JSON gets 415; a version other than 1.0 in ``Accept`` (406) or ``Content-Type`` (415) is refused.
* Client secrets are stored as IdentityServer stores them (base64 of the SHA-256 of the secret) and
  only those hashes are returned. Omitted fields take the server defaults of the vendor sample.

Config switches (``POST /_sim/config``), for the facts the vendor does not document:

* ``secrets_stored_as``: ``hash`` (default: a value received in ``clientSecrets`` is hashed) or ``as_sent``
  (stored and returned as received).
* ``resent_secrets`` (UNCONFIRMED: what a hashing server does with a value a PUT sends that the client
  already stores, as Checkmarx's own Go client sends them): ``keep`` (default: kept as it is) or ``rehash``
  (hashed like any other value, so the stored secret becomes the hash of its hash).
* ``put_create_only`` (UNCONFIRMED: the Swagger update model lacks ``updateAccessTokenClaimsOnRefresh``,
  ``accessTokenType``, ``includeJwtId``, ``alwaysIncludeUserClaimsInIdToken``): ``apply`` (default: a PUT
  sets them like any field) or ``ignore`` (a PUT leaves them as they were).
* ``put_omitted``: ``default`` (default: PUT is a full replacement, an omitted field takes its default)
  or ``keep`` (an omitted field keeps its value).
* ``list_summary``: when true, the list returns only ``id``, ``clientId``, ``clientName``, ``enabled``.
* ``error_format``: ``messages`` (default: ``{"messageCode", "messageDetails"}``), ``problem``
  (ASP.NET ProblemDetails with ``errors``) or ``text`` (plain text).
* ``token_lifetime``: seconds a token lives (default: the auth client's ``accessTokenLifetime``).

Control API extras: ``POST /_sim/tokens/expire`` expires every token issued so far; ``GET /_sim/bodies``
lists the JSON bodies of the writes received (``{method, path, body}``), cleared with the request log.
"""

import base64
import copy
import hashlib
import re
import secrets as pysecrets
import time
import urllib.parse

from simulators.base import Response, SimApp

DEFAULT_AUTH_CLIENT_SECRET = "014DF517-39D1-4453-B7B3-9930C563627C"
MANAGE_CLIENTS = "Manage Clients"
MEDIA_TYPE = "application/json;v=1.0; charset=utf-8"
SUPPORTED_VERSIONS = ("1.0",)
AC = "(?i:/cxrestapi/auth)"

GRANT_TYPES = ("client_credentials", "implicit", "authorization_code", "hybrid", "password")
# IdentityServer4 refuses these combinations (GrantTypes validation).
EXCLUSIVE_GRANTS = (("implicit", "authorization_code"), ("implicit", "hybrid"), ("authorization_code", "hybrid"))
ENUM_FIELDS = ("accessTokenType", "refreshTokenUsage", "refreshTokenExpiration")

# (JSON key, kind, default) in the order of the vendor sample.
FIELDS = (
    ("updateAccessTokenClaimsOnRefresh", "bool", False),
    ("accessTokenType", "enum", 0),
    ("includeJwtId", "bool", False),
    ("alwaysIncludeUserClaimsInIdToken", "bool", False),
    ("clientId", "id", None),
    ("clientName", "str", None),
    ("allowOfflineAccess", "bool", False),
    ("clientSecrets", "list", []),
    ("allowedGrantTypes", "list", []),
    ("allowedScopes", "list", []),
    ("enabled", "bool", True),
    ("requireClientSecret", "bool", True),
    ("requirePkce", "bool", False),
    ("redirectUris", "list", []),
    ("postLogoutRedirectUris", "list", []),
    ("frontChannelLogoutUri", "str", None),
    ("frontChannelLogoutSessionRequired", "bool", True),
    ("backChannelLogoutUri", "str", None),
    ("backChannelLogoutSessionRequired", "bool", True),
    ("identityTokenLifetime", "lifetime", 300),
    ("accessTokenLifetime", "lifetime", 3600),
    ("authorizationCodeLifetime", "lifetime", 300),
    ("absoluteRefreshTokenLifetime", "int", 2592000),
    ("slidingRefreshTokenLifetime", "int", 1296000),
    ("refreshTokenUsage", "enum", 1),
    ("refreshTokenExpiration", "enum", 1),
    ("allowedCorsOrigins", "list", []),
    ("allowAccessTokensViaBrowser", "bool", False),
    ("claims", "claims", []),
    ("clientClaimsPrefix", "str", ""),
)
FIELD_NAMES = tuple(f[0] for f in FIELDS)
CREATE_ONLY = ("updateAccessTokenClaimsOnRefresh", "accessTokenType", "includeJwtId", "alwaysIncludeUserClaimsInIdToken")
SUMMARY_FIELDS = ("id", "clientId", "clientName", "enabled")
CORS_ORIGIN = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://[^/?#\s]+$")


def secret_hash(value):
    """IdentityServer4's ``Sha256()``: base64 of the SHA-256 of the UTF-8 bytes."""
    return base64.b64encode(hashlib.sha256(value.encode("utf-8")).digest()).decode("ascii")


def _builtin(cid, name, **fields):
    client = dict((key, copy.deepcopy(default)) for key, _kind, default in FIELDS)
    client.update(clientId=cid, clientName=name)
    client.update(fields)
    return client


def builtin_clients():
    """The clients a CxSAST installation ships with (ids as on a real server: not contiguous)."""
    default_hash = secret_hash(DEFAULT_AUTH_CLIENT_SECRET)
    web = _builtin("cxsast_client", "CxSAST Web Client", requireClientSecret=False,
                   allowedGrantTypes=["implicit"], allowAccessTokensViaBrowser=True,
                   allowedScopes=["openid", "profile", "sast_api", "access_control_api", "sast-permissions",
                                  "access-control-permissions"],
                   redirectUris=["/cxwebclient/authCallback.html"],
                   postLogoutRedirectUris=["/cxwebclient/"])
    web["id"] = 1
    rest = _builtin("resource_owner_client", "Cx Resource Owner Client", allowOfflineAccess=True,
                    clientSecrets=[default_hash], allowedGrantTypes=["password"],
                    allowedScopes=["sast_rest_api", "access_control_api", "offline_access"])
    rest["id"] = 2
    # Verbatim from the vendor sample (GET /OIDCClients/4).
    sast = _builtin("resource_owner_sast_client", "Cx Sast Resource Owner Client", allowOfflineAccess=True,
                    clientSecrets=[default_hash], allowedGrantTypes=["password"],
                    allowedScopes=["sast_api", "access_control_api", "offline_access"])
    sast["id"] = 4
    return [web, rest, sast]


class CheckmarxSim(SimApp):
    name = "checkmarx"

    ADMIN = ("admin", "Cx-Admin-Passw0rd!")
    AUDITOR = ("auditor", "Cx-Auditor-Passw0rd!")

    def __init__(self, harness=None):
        self.tokens = {}
        self.bodies = []
        SimApp.__init__(self, harness)

    # ------------------------------------------------------------------ setup
    def default_config(self):
        return {"secrets_stored_as": "hash", "resent_secrets": "keep", "put_create_only": "apply",
                "put_omitted": "default", "list_summary": False, "error_format": "messages", "token_lifetime": None}

    def initial_state(self):
        return {
            "clients": builtin_clients(),
            "next_id": 5,
            "users": {
                self.ADMIN[0]: {"password": self.ADMIN[1], "active": True,
                                "permissions": [MANAGE_CLIENTS, "Manage Users", "Manage Roles"]},
                self.AUDITOR[0]: {"password": self.AUDITOR[1], "active": True,
                                  "permissions": ["View Results"]},
            },
        }

    def reset(self, seed=None):
        SimApp.reset(self, seed)
        with self.lock:
            self.tokens = {}
            self.bodies = []

    def seed(self, data):
        """``clients`` entries are added (or replace the one with the same clientId), defaults filled."""
        data = copy.deepcopy(data or {})
        with self.lock:
            for raw in data.pop("clients", None) or []:
                client = dict((key, copy.deepcopy(default)) for key, _kind, default in FIELDS)
                client.update(raw)
                existing = self._find_by_client_id(client["clientId"])
                if existing is not None:
                    client.setdefault("id", existing["id"])
                    self.state["clients"].remove(existing)
                if "id" not in client:
                    client["id"] = self.state["next_id"]
                self.state["next_id"] = max(self.state["next_id"], client["id"] + 1)
                self.state["clients"].append(client)
            self.state.update(data)

    def describe(self):
        out = SimApp.describe(self)
        out.update({
            "username": self.ADMIN[0],
            "password": self.ADMIN[1],
            "readonly_username": self.AUDITOR[0],
            "readonly_password": self.AUDITOR[1],
            "auth_client_id": "resource_owner_client",
            "auth_client_secret": DEFAULT_AUTH_CLIENT_SECRET,
            "token_url": self.url + "/cxrestapi/auth/identity/connect/token",
            "builtin_clients": [c["clientId"] for c in builtin_clients()],
        })
        return out

    def control(self, req):
        sub = req.path[len("/_sim"):]
        if sub == "/tokens/expire" and req.method == "POST":
            with self.lock:
                for token in self.tokens.values():
                    token["expires"] = 0
                return Response(200, {"ok": True, "expired": len(self.tokens)})
        if sub == "/bodies" and req.method == "GET":
            with self.lock:
                return Response(200, {"bodies": copy.deepcopy(self.bodies)})
        if sub == "/requests" and req.method == "DELETE":
            with self.lock:
                self.bodies = []
        return SimApp.control(self, req)

    def keep_body(self, req):
        with self.lock:
            self.bodies.append({"method": req.method, "path": req.path, "body": copy.deepcopy(req.json)})

    def register_routes(self):
        self.add_route("POST", AC + r"/identity/connect/token", self.token, kind="auth")
        self.add_route("GET", AC + r"/OIDCClients/?", self.list_clients)
        self.add_route("POST", AC + r"/OIDCClients/?", self.create_client)
        self.add_route("GET", AC + r"/OIDCClients/(?P<cid>[^/]+)", self.get_client)
        self.add_route("PUT", AC + r"/OIDCClients/(?P<cid>[^/]+)", self.update_client)
        self.add_route("DELETE", AC + r"/OIDCClients/(?P<cid>[^/]+)", self.delete_client)

    # ------------------------------------------------------------------ responses
    def error(self, status, text, field=None, code=None):
        fmt = self.config.get("error_format") or "messages"
        if fmt == "text":
            return Response(status, text, content_type="text/plain; charset=utf-8")
        if fmt == "problem":
            body = {"type": "https://tools.ietf.org/html/rfc7231#section-6.5.1",
                    "title": "One or more validation errors occurred." if field else text,
                    "status": status, "traceId": "|%s." % pysecrets.token_hex(8)}
            if field:
                body["errors"] = {field: [text]}
            return Response(status, body, content_type="application/problem+json; charset=utf-8")
        return Response(status, {"messageCode": code or (47000 + status), "messageDetails": text},
                        content_type=MEDIA_TYPE)

    def fault_body(self, status):
        if status == 429:
            return {"messageCode": 429, "messageDetails": "Too many requests; retry later"}
        return {"messageCode": status, "messageDetails": "injected fault: HTTP %d" % status}

    @staticmethod
    def ok(body, status=200):
        return Response(status, body, content_type=MEDIA_TYPE)

    @staticmethod
    def oauth_error(error, description=None, status=400):
        body = {"error": error}
        if description:
            body["error_description"] = description
        return Response(status, body, content_type="application/json; charset=UTF-8")

    @staticmethod
    def unauthorized(error=None, description=None):
        value = "Bearer"
        if error:
            value += ' error="%s"' % error
            if description:
                value += ', error_description="%s"' % description
        return Response(401, None, headers={"WWW-Authenticate": value})

    # ------------------------------------------------------------------ helpers
    def _find_by_client_id(self, client_id, exclude=None):
        for client in self.state["clients"]:
            # SQL Server's default collation: clientId is unique without regard to case.
            if client["clientId"].lower() == str(client_id).lower() and client is not exclude:
                return client
        return None

    def _find_by_id(self, cid):
        for client in self.state["clients"]:
            if str(client["id"]) == str(cid):
                return client
        return None

    def _version_of(self, header):
        for part in (header or "").split(";")[1:]:
            name, _sep, value = part.strip().partition("=")
            if name.strip().lower() == "v":
                return value.strip()
        return None

    def check_media(self, req, write):
        if write:
            ctype = req.header("Content-Type") or ""
            if "application/json" not in ctype.lower():
                return self.error(415, "Unsupported media type %r: send Content-Type application/json;v=1.0"
                                  % (ctype or "(none)"))
            version = self._version_of(ctype)
            if version is not None and version not in SUPPORTED_VERSIONS:
                return self.error(415, "API version %s is not supported; supported: %s"
                                  % (version, ", ".join(SUPPORTED_VERSIONS)))
            return None
        accept = req.header("Accept") or ""
        for media in accept.split(","):
            if "json" in media.lower() or "*/*" in media:
                version = self._version_of(media)
                if version is not None and version not in SUPPORTED_VERSIONS:
                    return self.error(406, "API version %s is not supported; supported: %s"
                                      % (version, ", ".join(SUPPORTED_VERSIONS)))
        return None

    def authorize(self, req):
        header = req.header("Authorization") or ""
        scheme, _sep, value = header.strip().partition(" ")
        if scheme.lower() != "bearer" or not value.strip():
            return self.unauthorized()
        token = self.tokens.get(value.strip())
        if token is None:
            return self.unauthorized("invalid_token", "The token is not valid")
        if token["expires"] <= time.time():
            when = time.strftime("%m/%d/%Y %H:%M:%S", time.gmtime(token["expires"]))
            return self.unauthorized("invalid_token", "The token expired at '%s'" % when)
        if "access_control_api" not in token["scopes"]:
            return self.error(403, "The access token does not grant the scope access_control_api")
        user = self.state["users"].get(token.get("user") or "")
        if user is None or MANAGE_CLIENTS not in user.get("permissions", []):
            return self.error(403, "User is not authorized: the 'Manage Clients' permission is required")
        return None

    def guard(self, req, write=False):
        return self.authorize(req) or self.check_media(req, write)

    def view(self, client):
        if self.config.get("list_summary"):
            return dict((k, client.get(k)) for k in SUMMARY_FIELDS)
        return self.full(client)

    @staticmethod
    def full(client):
        out = {"id": client["id"]}
        for key in FIELD_NAMES:
            out[key] = copy.deepcopy(client.get(key))
        return out

    # ------------------------------------------------------------------ validation
    def validate(self, body, existing=None):
        """Return (client dict, None) or (None, error response). ``existing``: PUT target."""
        if not isinstance(body, dict):
            return None, self.error(400, "The request body must be a JSON object")
        if existing is not None and self.config.get("put_omitted") == "keep":
            client = copy.deepcopy(existing)
        else:
            client = dict((key, copy.deepcopy(default)) for key, _kind, default in FIELDS)
            if existing is not None:
                client["id"] = existing["id"]
        for key, kind, _default in FIELDS:
            if key not in body:
                continue
            value = body[key]
            problem = None
            if kind == "id":
                if not isinstance(value, str) or not value.strip():
                    problem = "The ClientId field is required."
            elif kind == "bool":
                if not isinstance(value, bool):
                    problem = "The JSON value could not be converted to System.Boolean."
            elif kind in ("int", "lifetime", "enum"):
                if isinstance(value, bool) or not isinstance(value, int):
                    problem = "The JSON value could not be converted to System.Int32."
                elif kind == "enum" and value not in (0, 1):
                    problem = "The value %s is not valid for %s." % (value, key)
                elif kind == "lifetime" and value <= 0:
                    problem = "%s must be greater than 0." % key
                elif value < 0:
                    problem = "%s must not be negative." % key
            elif kind == "str":
                if value is not None and not isinstance(value, str):
                    problem = "The JSON value could not be converted to System.String."
            elif kind == "list":
                if value is None:
                    value = []
                elif not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
                    problem = "%s must be a list of non-empty strings." % key
            elif kind == "claims":
                if value is None:
                    value = []
                elif not isinstance(value, list) or not all(
                        isinstance(c, dict) and isinstance(c.get("type"), str) and c.get("type")
                        and isinstance(c.get("value"), str) for c in value):
                    problem = "Every claim needs a non-empty type and a string value."
                else:
                    value = [{"type": c["type"], "value": c["value"]} for c in value]
            if problem:
                return None, self.error(400, problem, field=key)
            client[key] = value
        if not client.get("clientId"):
            return None, self.error(400, "The ClientId field is required.", field="clientId")
        grants = client["allowedGrantTypes"]
        for grant in grants:
            if grant not in GRANT_TYPES:
                return None, self.error(400, "Grant type '%s' is not supported; allowed: %s"
                                        % (grant, ", ".join(GRANT_TYPES)), field="allowedGrantTypes")
        for one, other in EXCLUSIVE_GRANTS:
            if one in grants and other in grants:
                return None, self.error(400, "Grant types list cannot contain both %s and %s" % (one, other),
                                        field="allowedGrantTypes")
        for origin in client["allowedCorsOrigins"]:
            if not CORS_ORIGIN.match(origin):
                return None, self.error(400, "'%s' is not a valid CORS origin (scheme://host[:port], no path)"
                                        % origin, field="allowedCorsOrigins")
        if "clientSecrets" in body:
            client["clientSecrets"] = self.store_secrets(client["clientSecrets"], existing)
        if existing is not None and self.config.get("put_create_only") == "ignore":
            for key in CREATE_ONLY:
                client[key] = copy.deepcopy(existing.get(key))
        return client, None

    def store_secrets(self, values, existing=None):
        if self.config.get("secrets_stored_as") == "as_sent":
            return list(values)
        stored = (existing or {}).get("clientSecrets") or []
        keep = self.config.get("resent_secrets", "keep") != "rehash"
        return [v if keep and v in stored else secret_hash(v) for v in values]

    # ------------------------------------------------------------------ token endpoint
    def token(self, req):
        ctype = (req.header("Content-Type") or "").lower()
        if "application/x-www-form-urlencoded" not in ctype:
            return self.oauth_error("invalid_request", "the token request must be form-encoded")
        form = req.form
        client_id, client_secret = form.get("client_id"), form.get("client_secret")
        basic = req.header("Authorization") or ""
        if basic.lower().startswith("basic "):
            try:
                decoded = base64.b64decode(basic[6:].strip()).decode("utf-8")
                cid, _sep, csecret = decoded.partition(":")
                client_id = urllib.parse.unquote_plus(cid)
                client_secret = urllib.parse.unquote_plus(csecret)
            except (ValueError, UnicodeDecodeError):
                return self.oauth_error("invalid_client")
        client = None
        for candidate in self.state["clients"]:
            if candidate["clientId"] == client_id:
                client = candidate
        if client is None or not client.get("enabled"):
            return self.oauth_error("invalid_client")
        if client.get("requireClientSecret", True):
            stored = client.get("clientSecrets") or []
            presented = client_secret or ""
            matches = presented and (secret_hash(presented) in stored
                                     or (self.config.get("secrets_stored_as") == "as_sent" and presented in stored))
            if not matches:
                return self.oauth_error("invalid_client")
        grant = form.get("grant_type")
        if grant not in ("password", "client_credentials"):
            return self.oauth_error("unsupported_grant_type")
        if grant not in client.get("allowedGrantTypes", []):
            return self.oauth_error("unauthorized_client")
        requested = (form.get("scope") or "").split()
        allowed = client.get("allowedScopes", [])
        if not requested:
            requested = list(allowed)
        for scope in requested:
            if scope not in allowed:
                return self.oauth_error("invalid_scope")
        username = None
        if grant == "password":
            username = form.get("username") or ""
            user = self.state["users"].get(username)
            if user is None or not user.get("active") or user.get("password") != form.get("password"):
                return self.oauth_error("invalid_grant", "invalid_username_or_password")
        lifetime = self.config.get("token_lifetime")
        if lifetime is None:
            lifetime = client.get("accessTokenLifetime") or 3600
        value = "cx." + pysecrets.token_urlsafe(32)
        self.tokens[value] = {"user": username, "client": client_id, "scopes": requested,
                              "expires": time.time() + float(lifetime)}
        return Response(200, {"access_token": value, "expires_in": int(lifetime), "token_type": "Bearer",
                              "scope": " ".join(requested)}, content_type="application/json; charset=UTF-8")

    # ------------------------------------------------------------------ OIDCClients
    def _lookup(self, cid):
        if not re.match(r"^-?\d+$", cid):
            return None, self.error(400, "The value '%s' is not valid." % cid, field="id")
        client = self._find_by_id(cid)
        if client is None:
            return None, self.error(404, "Client not found")
        return client, None

    def list_clients(self, req):
        problem = self.guard(req)
        if problem:
            return problem
        return self.ok([self.view(c) for c in self.state["clients"]])

    def get_client(self, req, cid):
        problem = self.guard(req)
        if problem:
            return problem
        client, problem = self._lookup(cid)
        if problem:
            return problem
        return self.ok(self.full(client))

    def create_client(self, req):
        problem = self.guard(req, write=True)
        if problem:
            return problem
        if req.json_error:
            return self.error(400, "The request body is not valid JSON: %s" % req.json_error)
        self.keep_body(req)
        client, problem = self.validate(req.json)
        if problem:
            return problem
        if self._find_by_client_id(client["clientId"]) is not None:
            return self.error(400, "A client with clientId '%s' already exists" % client["clientId"],
                              field="clientId")
        client["id"] = self.state["next_id"]
        self.state["next_id"] += 1
        self.state["clients"].append(client)
        return Response(201, None)

    def update_client(self, req, cid):
        problem = self.guard(req, write=True)
        if problem:
            return problem
        existing, problem = self._lookup(cid)
        if problem:
            return problem
        if req.json_error:
            return self.error(400, "The request body is not valid JSON: %s" % req.json_error)
        self.keep_body(req)
        client, problem = self.validate(req.json, existing=existing)
        if problem:
            return problem
        if self._find_by_client_id(client["clientId"], exclude=existing) is not None:
            return self.error(400, "A client with clientId '%s' already exists" % client["clientId"],
                              field="clientId")
        index = self.state["clients"].index(existing)
        self.state["clients"][index] = client
        return Response(204, None)

    def delete_client(self, req, cid):
        # No body: ASP.NET does not look at the Content-Type of a DELETE.
        problem = self.guard(req)
        if problem:
            return problem
        existing, problem = self._lookup(cid)
        if problem:
            return problem
        self.state["clients"].remove(existing)
        return Response(204, None)
