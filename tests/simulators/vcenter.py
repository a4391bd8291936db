# Copyright (c) sso.oidc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Simulator of the vSphere Automation API for vCenter identity federation.

It follows the vendor's Swagger 2.0 spec (``specs/vcenter-identity-providers.swagger.json``,
a copy of the vCenter 7.0.3 ``/api`` operations plus ``/api/session``):

* ``POST /api/session`` with HTTP Basic auth -> 201 and the session token as a JSON string;
  ``GET /api/session`` -> CisSessionInfo; ``DELETE /api/session`` -> 204 (log out).
  Every other call needs the ``vmware-api-session-id`` header, else 401 with a vAPI
  ``UNAUTHENTICATED`` error.
* ``GET /api/vcenter/identity/providers`` -> 200 ``[Summary]``;
  ``POST`` (body: CreateSpec, unwrapped) -> 201 and the new provider id as a JSON string;
  ``GET|PATCH|DELETE /api/vcenter/identity/providers/{provider}`` -> 200 Info | 204 | 204.
* Request bodies are validated against the spec's CreateSpec / UpdateSpec (unknown fields,
  types, enums, required fields) plus the rules the spec states in prose (the oidc/oauth2
  spec that matches ``config_tag``, LDAP needs ``active_directory_over_ldap``, LDAPS needs a
  certificate chain, at least one idm endpoint); violations are 400 ``INVALID_ARGUMENT``.
* On create and on an update that carries ``oidc.discovery_endpoint``, the simulator fetches
  that discovery document (as vCenter does) and fills ``auth_endpoint``, ``token_endpoint``,
  ``public_key_uri``, ``issuer``, ``logout_endpoint`` and ``authentication_method``; a document
  that cannot be read is a 400 ``INVALID_ARGUMENT`` with the reason, and nothing is written.
* The first provider is always the default; ``is_default`` (create) and ``make_default``
  (update) move the flag; names are not unique.

Configuration (``POST /_sim/config``), for what the vendor documents leave open:

* ``secret_visibility``: ``clear`` (default) | ``masked`` | ``omitted``: how ``client_secret``
  and the LDAP ``password`` appear in ``GET .../providers/{provider}``.
* ``header_visibility``: ``clear`` (default) | ``masked``: how the Summary's
  ``authentication_header`` (which encodes the client secret) appears in the list.
* ``list_requires_auth``: true (default); false lets the list be read without a session
  (a VMware sample says so for some versions).
* ``session_request_limit``: null (default) or N: the next session to reach N authenticated
  requests expires (once; the setting then clears itself), as an idle timeout would mid-task.
* ``mask``: the text shown for a masked value (default ``******``).
* ``record_exchanges``: false (default); true keeps every API request and response
  (``GET /_sim/exchanges``) for the spec conformance test.
* ``api_version``: ``7.0.3`` (default) | ``8.0.1`` | ``9.0``: the vSphere API release. From 8.0.1 the
  Summary, Info, CreateSpec and UpdateSpec have ``federation_type`` (``DIRECT_FEDERATION``,
  ``INDIRECT_FEDERATION``; 9.0 adds ``VMWARE_SSO_FEDERATION``), as the official SDK bindings declare them
  (``specs/vcenter-identity-providers.federation-type.json``); 7.0.3 refuses the field as unknown.
  ``GET /sdk/vimServiceVersions.xml`` (no session, as vCenter serves it and pyVmomi reads it) names the release.
* ``version_document``: true (default); false answers 404 for ``/sdk/vimServiceVersions.xml`` (a proxy that
  passes ``/api`` only).
* ``federation_type_default``: null (default: a provider created without ``federation_type`` shows none) or
  a value that 8.0.1+ shows for such a provider (the bindings leave it open).
* ``ignored_fields``: [] (default): top-level CreateSpec / UpdateSpec fields the server accepts and does not
  store (a server that does not take a field), to test the read-back check of every write.

Every response is checked against the spec (the operation's declared response schema; 401 with
``VapiStdErrorsUnauthenticated`` for any operation, which vCenter answers without a session); a
response that does not conform is recorded in ``GET /_sim/violations``.

Control extras: ``POST /_sim/sessions/expire`` drops every session; ``GET|DELETE /_sim/exchanges``,
``GET|DELETE /_sim/violations``.
"""

import base64
import copy
import datetime
import json
import os
import re
import threading
import uuid

from simulators.base import Response, SimApp

SPEC_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "specs", "vcenter-identity-providers.swagger.json")
NEWER_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "specs",
                          "vcenter-identity-providers.federation-type.json")
API_VERSIONS = ("7.0.3", "8.0.1", "9.0")
#: the vim25 version vimServiceVersions.xml names for each release (pyVmomi's version ids)
VIM_VERSIONS = {"7.0.3": "7.0.3.0", "8.0.1": "8.0.1.0", "9.0": "9.0.0.0"}
VERSIONS_DOC = """<?xml version="1.0" encoding="UTF-8" ?>
<namespaces version="1.0">
 <namespace>
  <name>urn:vim25</name>
  <version>%s</version>
  <priorVersions>
   <version>7.0.0.0</version>
   <version>6.7.3</version>
  </priorVersions>
 </namespace>
 <namespace>
  <name>urn:vim2</name>
  <version>2.5</version>
 </namespace>
</namespaces>
"""

PROVIDERS = "/api/vcenter/identity/providers"

DEFAULT_USERNAME = "administrator@vsphere.local"
DEFAULT_PASSWORD = "Sim-VMware1!-5f3a"

_SPECS = {}
_VALIDATORS = {}
_SPEC_LOCK = threading.Lock()


def load_spec(version="7.0.3"):
    """The vendor spec (Swagger 2.0) as a dict: the 7.0.3 copy, plus the fields ``version`` adds."""
    with _SPEC_LOCK:
        if version not in _SPECS:
            if version not in API_VERSIONS:
                raise ValueError("api_version %r: one of %s" % (version, ", ".join(API_VERSIONS)))
            with open(SPEC_PATH) as handle:
                spec = json.load(handle)
            if version != "7.0.3":
                with open(NEWER_PATH) as handle:
                    newer = json.load(handle)["versions"][version]
                spec["definitions"].update(newer["definitions"])
                for definition, props in newer["properties"].items():
                    spec["definitions"][definition]["properties"].update(props)
            _SPECS[version] = spec
        return _SPECS[version]


def _strict(schema):
    """A copy of a schema where objects with declared properties allow no other property."""
    if isinstance(schema, dict):
        out = dict((k, _strict(v)) for k, v in schema.items())
        if "properties" in out and "additionalProperties" not in out:
            out["additionalProperties"] = False
        return out
    if isinstance(schema, list):
        return [_strict(v) for v in schema]
    return schema


def schema_validator(definition, strict=True, version="7.0.3"):
    """A jsonschema (draft 4) validator for ``#/definitions/<definition>`` of the spec."""
    import jsonschema

    key = (definition, strict, version)
    with _SPEC_LOCK:
        cached = _VALIDATORS.get(key)
    if cached is not None:
        return cached
    definitions = load_spec(version)["definitions"]
    if strict:
        definitions = _strict(definitions)
    schema = {"definitions": definitions, "$ref": "#/definitions/%s" % definition}
    validator = jsonschema.Draft4Validator(schema)
    with _SPEC_LOCK:
        _VALIDATORS[key] = validator
    return validator


#: errors any operation may answer although the spec lists them for some operations only
GENERAL_ERRORS = {401: "VapiStdErrorsUnauthenticated", 503: "VapiStdErrorsServiceUnavailable"}


def _relax(schema):
    """Drop ``client_secret`` / ``password`` from every ``required`` list (secret_visibility=omitted)."""
    if isinstance(schema, dict):
        out = dict((k, _relax(v)) for k, v in schema.items())
        if isinstance(out.get("required"), list):
            out["required"] = [r for r in out["required"] if r not in ("client_secret", "password")]
        return out
    if isinstance(schema, list):
        return [_relax(v) for v in schema]
    return schema


def find_operation(method, path, version="7.0.3"):
    """(path template, operation) of the spec for an ``/api`` request, or (None, None)."""
    for template, ops in load_spec(version)["paths"].items():
        if not template.startswith("/api/"):
            continue
        regex = "^" + template.replace("{provider}", "[^/]+") + "$"
        if re.match(regex, path) and method.lower() in ops:
            return template, ops[method.lower()]
    return None, None


def response_problems(method, path, status, body, has_body, relaxed=False, version="7.0.3"):
    """Why a response does not conform to the spec: an empty list when it does."""
    import jsonschema

    template, operation = find_operation(method, path, version)
    if operation is None:
        return [] if status in (404, 405) else ["%s %s is not an operation of the spec" % (method, path)]
    declared = operation["responses"].get(str(status))
    if declared is None and status in GENERAL_ERRORS:
        declared = {"schema": {"$ref": "#/definitions/%s" % GENERAL_ERRORS[status]}}
    if declared is None:
        return ["HTTP %s is not a declared response of %s %s" % (status, method.upper(), template)]
    schema = declared.get("schema")
    if schema is None:
        return ["HTTP %s of %s %s must have no body" % (status, method.upper(), template)] if has_body else []
    key = ("response", template, method.lower(), status, relaxed, version)
    with _SPEC_LOCK:
        validator = _VALIDATORS.get(key)
    if validator is None:
        definitions = _strict(load_spec(version)["definitions"])
        if relaxed:
            definitions = _relax(definitions)
        validator = jsonschema.Draft4Validator(dict(schema, definitions=definitions))
        with _SPEC_LOCK:
            _VALIDATORS[key] = validator
    return ["%s: %s" % (_error_path(e), e.message) for e in validator.iter_errors(body)]


def vapi_error(error_type, message, msg_id=None, args=None, **extra):
    """A vAPI standard error body (``error_type`` + ``messages``)."""
    body = {
        "error_type": error_type,
        "messages": [{
            "id": msg_id or "com.vmware.vapi.std.errors.%s" % error_type.lower(),
            "default_message": message,
            "args": [str(a) for a in (args or [])],
        }],
    }
    body.update(extra)
    return body


def _now():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")[:-4] + "Z"


def _error_path(error):
    parts = [str(p) for p in error.absolute_path]
    return ".".join(parts) if parts else "(body)"


class VcenterSim(SimApp):
    name = "vcenter"

    def __init__(self, harness=None):
        self.exchanges = []
        self.violations = []  # responses that do not conform to the spec (checked on every response)
        SimApp.__init__(self, harness)

    # ------------------------------------------------------------------ setup
    def default_config(self):
        return {
            "secret_visibility": "clear",
            "header_visibility": "clear",
            "list_requires_auth": True,
            "session_request_limit": None,
            "mask": "******",
            "record_exchanges": False,
            "api_version": "7.0.3",
            "version_document": True,
            "federation_type_default": None,
            "ignored_fields": [],
        }

    def initial_state(self):
        return {
            "users": {DEFAULT_USERNAME: DEFAULT_PASSWORD},
            "sessions": {},
            "providers": {},
        }

    def describe(self):
        host_port = self.url.split("://", 1)[1]
        host, port = host_port.rsplit(":", 1)
        return {
            "url": self.url,
            "control_url": self.url + "/_sim",
            "hostname": host,
            "port": int(port),
            "username": DEFAULT_USERNAME,
            "password": DEFAULT_PASSWORD,
        }

    def seed(self, data):
        """Seed keys: ``providers`` (id -> stored provider), ``users``, ``sessions``."""
        with self.lock:
            for key in ("providers", "users", "sessions"):
                if key in (data or {}):
                    self.state.setdefault(key, {}).update(copy.deepcopy(data[key]))

    def register_routes(self):
        self.add_route("GET", r"/sdk/vimServiceVersions\.xml", self.service_versions)
        self.add_route("POST", r"/api/session", self.session_create, kind="auth")
        self.add_route("GET", r"/api/session", self.session_get, kind="auth")
        self.add_route("DELETE", r"/api/session", self.session_delete, kind="auth")
        self.add_route("GET", PROVIDERS, self.provider_list)
        self.add_route("POST", PROVIDERS, self.provider_create)
        self.add_route("GET", PROVIDERS + r"/(?P<provider>[^/]+)", self.provider_get)
        self.add_route("PATCH", PROVIDERS + r"/(?P<provider>[^/]+)", self.provider_update)
        self.add_route("DELETE", PROVIDERS + r"/(?P<provider>[^/]+)", self.provider_delete)

    # ------------------------------------------------------------------ vAPI shapes
    def not_found(self, req):
        return Response(404, vapi_error("NOT_FOUND", "Operation not found for %s %s" % (req.method, req.path),
                                        "com.vmware.vapi.rest.httpNotFound"))

    def method_not_allowed(self, req):
        return Response(405, vapi_error("OPERATION_NOT_FOUND", "HTTP method %s is not allowed for %s"
                                        % (req.method, req.path), "com.vmware.vapi.rest.httpMethodNotAllowed"))

    def fault_body(self, status):
        kinds = {400: "INVALID_ARGUMENT", 401: "UNAUTHENTICATED", 403: "UNAUTHORIZED", 404: "NOT_FOUND",
                 429: "RESOURCE_BUSY", 500: "INTERNAL_SERVER_ERROR", 503: "SERVICE_UNAVAILABLE",
                 504: "TIMED_OUT"}
        return vapi_error(kinds.get(status, "ERROR"), "injected fault: HTTP %d" % status)

    def dispatch(self, req):
        resp, kind = SimApp.dispatch(self, req)
        body = None
        if resp.body:
            try:
                body = json.loads(resp.body.decode("utf-8"))
            except ValueError:
                body = resp.body.decode("utf-8", "replace")
        problems = self.check_response(req.method, req.path, resp.status, body, bool(resp.body))
        with self.lock:
            if problems:
                self.violations.append({"method": req.method, "path": req.path, "status": resp.status,
                                        "problems": problems})
            if self.config.get("record_exchanges"):
                self.exchanges.append({"method": req.method, "path": req.path, "status": resp.status,
                                       "body": body, "has_body": bool(resp.body), "request": req.json,
                                       "content_type": resp.headers.get("Content-Type")})
                del self.exchanges[:-5000]
        return resp, kind

    def check_response(self, method, path, status, body, has_body):
        """Problems of one response against the vendor spec (empty when it conforms).

        With ``secret_visibility=omitted`` the Info lacks ``client_secret`` / ``password`` although the
        7.0.3 spec marks them required: that is the point of the setting, so it is not a violation.
        """
        if path == "/sdk/vimServiceVersions.xml":
            return []  # not part of the vSphere Automation API spec
        return response_problems(method, path, status, body, has_body,
                                 relaxed=self.config.get("secret_visibility") == "omitted", version=self.api_version())

    def reset(self, seed=None):
        self.exchanges = []
        self.violations = []
        SimApp.reset(self, seed)

    def control(self, req):
        if req.path == "/_sim/violations":
            with self.lock:
                if req.method == "DELETE":
                    self.violations = []
                return Response(200, {"violations": list(self.violations)})
        if req.path == "/_sim/exchanges":
            with self.lock:
                if req.method == "DELETE":
                    self.exchanges = []
                    return Response(200, {"ok": True})
                return Response(200, {"exchanges": list(self.exchanges)})
        if req.path == "/_sim/sessions/expire" and req.method == "POST":
            with self.lock:
                count = len(self.state["sessions"])
                self.state["sessions"] = {}
                self.save_state()
            return Response(200, {"ok": True, "expired": count})
        return SimApp.control(self, req)

    @staticmethod
    def _unauthenticated(message="Authentication required.", msg_id="com.vmware.vapi.endpoint.method.authentication.required"):
        challenge = 'Basic realm="VAPI endpoint",SIGN realm="VAPI endpoint",service="VAPI endpoint"'
        return Response(401, vapi_error("UNAUTHENTICATED", message, msg_id, challenge=challenge),
                        headers={"WWW-Authenticate": challenge})

    @staticmethod
    def _invalid(message, *args):
        return Response(400, vapi_error("INVALID_ARGUMENT", message, "com.vmware.vapi.std.errors.invalid_argument",
                                        args))

    @staticmethod
    def _provider_not_found(provider):
        return Response(404, vapi_error("NOT_FOUND", "Identity provider with id %s was not found." % provider,
                                        "com.vmware.vcenter.identity.providers.not_found", [provider]))

    def api_version(self):
        return self.config.get("api_version") or "7.0.3"

    def service_versions(self, req):
        """``/sdk/vimServiceVersions.xml``: the API release, without a session (pyVmomi reads it to pick a version)."""
        if not self.config.get("version_document", True):
            return Response(404, "<html><body>404 Not Found</body></html>", content_type="text/html")
        return Response(200, VERSIONS_DOC % VIM_VERSIONS[self.api_version()], content_type="text/xml")

    def _federation_type(self, prov):
        if self.api_version() == "7.0.3":
            return None
        return prov.get("federation_type") or self.config.get("federation_type_default")

    def _drop_ignored(self, spec):
        """A server that does not take some fields: it accepts them and stores nothing."""
        for field in self.config.get("ignored_fields") or ():
            spec.pop(field, None)
        return spec

    # ------------------------------------------------------------------ sessions
    def _session(self, req):
        """The session dict of the request, or None. Counts a use (session_request_limit)."""
        token = req.header("vmware-api-session-id")
        if not token:
            return None
        session = self.state["sessions"].get(token)
        if session is None:
            return None
        limit = self.config.get("session_request_limit")
        if limit is not None and session.get("uses", 0) >= int(limit):
            del self.state["sessions"][token]
            self.config["session_request_limit"] = None
            self.save_state()
            return None
        session["uses"] = session.get("uses", 0) + 1
        session["last_accessed_time"] = _now()
        return session

    def session_create(self, req):
        auth = req.header("Authorization") or ""
        if not auth.lower().startswith("basic "):
            return self._unauthenticated()
        try:
            user, _sep, password = base64.b64decode(auth.split(None, 1)[1]).decode("utf-8").partition(":")
        except (ValueError, UnicodeDecodeError, IndexError):
            return self._unauthenticated()
        if self.state["users"].get(user) != password or not password:
            return self._unauthenticated("Authentication required.")
        token = uuid.uuid4().hex + uuid.uuid4().hex[:8]
        now = _now()
        self.state["sessions"][token] = {"user": user, "created_time": now, "last_accessed_time": now, "uses": 0}
        self.save_state()
        return Response(201, json.dumps(token))

    def session_get(self, req):
        session = self._session(req)
        if session is None:
            return self._unauthenticated()
        return Response(200, {"user": session["user"], "created_time": session["created_time"],
                              "last_accessed_time": session["last_accessed_time"]})

    def session_delete(self, req):
        token = req.header("vmware-api-session-id")
        if not token or token not in self.state["sessions"]:
            return self._unauthenticated()
        del self.state["sessions"][token]
        self.save_state()
        return Response(204)

    # ------------------------------------------------------------------ views
    def _masked(self, value, visibility):
        if value is None:
            return None
        if visibility == "clear":
            return value
        if visibility == "masked":
            return self.config.get("mask", "******")
        return None

    def _auth_header(self, spec):
        method = spec.get("authentication_method") or "CLIENT_SECRET_BASIC"
        if method == "CLIENT_SECRET_BASIC":
            raw = ("%s:%s" % (spec.get("client_id", ""), spec.get("client_secret", ""))).encode("utf-8")
            value = "Authorization: Basic %s" % base64.b64encode(raw).decode("ascii")
        elif method == "CLIENT_SECRET_POST":
            value = "client_id=%s&client_secret=%s" % (spec.get("client_id", ""), spec.get("client_secret", ""))
        else:
            value = ""
        if self.config.get("header_visibility") == "masked" and value:
            return self.config.get("mask", "******")
        return value

    def provider_summary(self, provider_id, prov):
        out = {
            "provider": provider_id,
            "name": prov.get("name", ""),
            "config_tag": prov["config_tag"],
            "is_default": bool(prov.get("is_default")),
            "domain_names": list(prov.get("domain_names") or []),
            "auth_query_params": copy.deepcopy(prov.get("auth_query_params") or {}),
        }
        if self._federation_type(prov):
            out["federation_type"] = self._federation_type(prov)
        if prov["config_tag"] == "Oidc" and prov.get("oidc"):
            spec = prov["oidc"]
            oidc = {
                "discovery_endpoint": spec["discovery_endpoint"],
                "auth_endpoint": spec["auth_endpoint"],
                "token_endpoint": spec["token_endpoint"],
                "client_id": spec["client_id"],
                "authentication_header": self._auth_header(spec),
                "auth_query_params": copy.deepcopy(prov.get("auth_query_params") or {}),
            }
            if spec.get("logout_endpoint"):
                oidc["logout_endpoint"] = spec["logout_endpoint"]
            out["oidc"] = oidc
        if prov["config_tag"] == "Oauth2" and prov.get("oauth2"):
            spec = prov["oauth2"]
            out["oauth2"] = {
                "auth_endpoint": spec["auth_endpoint"],
                "token_endpoint": spec["token_endpoint"],
                "client_id": spec["client_id"],
                "authentication_header": self._auth_header(spec),
                "auth_query_params": copy.deepcopy(spec.get("auth_query_params") or {}),
            }
        return out

    def provider_info(self, prov):
        visibility = self.config.get("secret_visibility", "clear")
        out = {
            "name": prov.get("name", ""),
            "config_tag": prov["config_tag"],
            "is_default": bool(prov.get("is_default")),
            "org_ids": list(prov.get("org_ids") or []),
            "domain_names": list(prov.get("domain_names") or []),
            "auth_query_params": copy.deepcopy(prov.get("auth_query_params") or {}),
            "upn_claim": prov.get("upn_claim") or "acct",
        }
        if self._federation_type(prov):
            out["federation_type"] = self._federation_type(prov)
        if prov.get("groups_claim"):
            out["groups_claim"] = prov["groups_claim"]
        if prov.get("idm_protocol"):
            out["idm_protocol"] = prov["idm_protocol"]
        if prov.get("idm_endpoints"):
            out["idm_endpoints"] = list(prov["idm_endpoints"])
        if prov.get("active_directory_over_ldap"):
            ldap = copy.deepcopy(prov["active_directory_over_ldap"])
            password = self._masked(ldap.pop("password", None), visibility)
            if password is not None:
                ldap["password"] = password
            out["active_directory_over_ldap"] = ldap
        for tag, key in (("Oidc", "oidc"), ("Oauth2", "oauth2")):
            if prov["config_tag"] != tag or not prov.get(key):
                continue
            spec = copy.deepcopy(prov[key])
            secret = self._masked(spec.pop("client_secret", None), visibility)
            if secret is not None:
                spec["client_secret"] = secret
            spec.setdefault("claim_map", {})
            if key == "oidc":
                spec["auth_query_params"] = copy.deepcopy(prov.get("auth_query_params") or {})
                if not spec.get("logout_endpoint"):
                    spec.pop("logout_endpoint", None)
            else:
                spec.setdefault("auth_query_params", {})
            out[key] = spec
        return out

    # ------------------------------------------------------------------ checks
    def _auth(self, req, always=True):
        if not always and not self.config.get("list_requires_auth", True):
            self._session(req)
            return None
        if self._session(req) is None:
            return self._unauthenticated()
        return None

    def _body(self, req, definition, what):
        if req.json_error or not isinstance(req.json, dict):
            return None, self._invalid("Unable to parse the request body of %s as a JSON object%s."
                                       % (what, (": %s" % req.json_error) if req.json_error else ""))
        errors = sorted(schema_validator(definition, version=self.api_version()).iter_errors(req.json),
                        key=lambda e: list(e.absolute_path))
        if errors:
            first = errors[0]
            if first.validator == "additionalProperties":
                message = "Found unexpected field(s) in %s at %s: %s" % (what, _error_path(first), first.message)
            elif first.validator == "required":
                message = "Structure %s is missing a required field at %s: %s" % (
                    what, _error_path(first), first.message)
            else:
                message = "Invalid value in %s at %s: %s" % (what, _error_path(first), first.message)
            return None, self._invalid(message)
        return req.json, None

    def _check_ldap(self, ldap, where):
        endpoints = ldap.get("server_endpoints") or []
        if not endpoints:
            return "%s.server_endpoints: at least one active directory server endpoint must be set." % where
        for endpoint in endpoints:
            if not endpoint.lower().startswith(("ldap://", "ldaps://")):
                return "%s.server_endpoints: %s is not an ldap:// or ldaps:// URL." % (where, endpoint)
        if any(e.lower().startswith("ldaps://") for e in endpoints):
            chain = (ldap.get("cert_chain") or {}).get("cert_chain") or []
            if not chain:
                return ("%s.cert_chain: a certificate chain is required when a server endpoint uses LDAPS."
                        % where)
        return None

    def _check_semantics(self, spec, tag, create):
        other = {"Oidc": "oauth2", "Oauth2": "oidc"}[tag]
        own = {"Oidc": "oidc", "Oauth2": "oauth2"}[tag]
        if spec.get(other) is not None:
            return "Field %s is only relevant when config_tag is %s, but config_tag is %s." % (
                other, "Oauth2" if other == "oauth2" else "Oidc", tag)
        if create and spec.get(own) is None:
            return "Field %s must be set when config_tag is %s." % (own, tag)
        protocol = spec.get("idm_protocol")
        if protocol == "LDAP" and spec.get("active_directory_over_ldap") is None and create:
            return "Field active_directory_over_ldap must be set when idm_protocol is LDAP."
        if spec.get("active_directory_over_ldap") is not None:
            problem = self._check_ldap(spec["active_directory_over_ldap"], "active_directory_over_ldap")
            if problem:
                return problem
        if spec.get("idm_endpoints") is not None and not spec["idm_endpoints"]:
            return "Field idm_endpoints: when specified, at least one endpoint must be provided."
        for claim in ("upn_claim", "groups_claim"):
            if claim in spec and spec[claim] == "":
                return "Field %s must not be empty." % claim
        return None

    def _discover(self, endpoint):
        """Read the discovery document; returns (fields, error text)."""
        doc, error = self.fetch_json(endpoint)
        if error:
            return None, ("Unable to retrieve the OIDC provider metadata from the discovery endpoint %s: %s"
                          % (endpoint, error))
        if not isinstance(doc, dict):
            return None, "The OIDC provider metadata at %s is not a JSON object." % endpoint
        missing = [k for k in ("issuer", "authorization_endpoint", "token_endpoint", "jwks_uri") if not doc.get(k)]
        if missing:
            return None, ("The OIDC provider metadata at %s is missing required field(s): %s."
                          % (endpoint, ", ".join(missing)))
        methods = doc.get("token_endpoint_auth_methods_supported") or ["client_secret_basic"]
        method = "CLIENT_SECRET_BASIC" if "client_secret_basic" in methods else (
            "CLIENT_SECRET_POST" if "client_secret_post" in methods else "CLIENT_SECRET_BASIC")
        fields = {
            "issuer": doc["issuer"],
            "auth_endpoint": doc["authorization_endpoint"],
            "token_endpoint": doc["token_endpoint"],
            "public_key_uri": doc["jwks_uri"],
            "authentication_method": method,
        }
        if doc.get("end_session_endpoint"):
            fields["logout_endpoint"] = doc["end_session_endpoint"]
        return fields, None

    def _make_default(self, provider_id):
        for pid, prov in self.state["providers"].items():
            prov["is_default"] = pid == provider_id

    # ------------------------------------------------------------------ handlers
    def provider_list(self, req):
        denied = self._auth(req, always=False)
        if denied:
            return denied
        return Response(200, [self.provider_summary(pid, p) for pid, p in self.state["providers"].items()])

    def provider_get(self, req, provider):
        denied = self._auth(req)
        if denied:
            return denied
        prov = self.state["providers"].get(provider)
        if prov is None:
            return self._provider_not_found(provider)
        return Response(200, self.provider_info(prov))

    def provider_create(self, req):
        denied = self._auth(req)
        if denied:
            return denied
        spec, bad = self._body(req, "VcenterIdentityProvidersCreateSpec", "the CreateSpec")
        if bad:
            return bad
        tag = spec["config_tag"]
        problem = self._check_semantics(spec, tag, create=True)
        if problem:
            return self._invalid(problem)
        spec = self._drop_ignored(copy.deepcopy(spec))
        prov = {
            "name": spec.get("name", ""),
            "config_tag": tag,
            "org_ids": list(spec.get("org_ids") or []),
            "domain_names": list(spec.get("domain_names") or []),
            "auth_query_params": copy.deepcopy(spec.get("auth_query_params") or {}),
            "upn_claim": spec.get("upn_claim") or "acct",
            "groups_claim": spec.get("groups_claim") or "",
            "idm_protocol": spec.get("idm_protocol"),
            "idm_endpoints": list(spec.get("idm_endpoints") or []),
            "active_directory_over_ldap": copy.deepcopy(spec.get("active_directory_over_ldap")),
        }
        if spec.get("federation_type"):
            prov["federation_type"] = spec["federation_type"]
        if tag == "Oidc":
            oidc = copy.deepcopy(spec["oidc"])
            fields, error = self._discover(oidc["discovery_endpoint"])
            if error:
                return self._invalid(error, oidc["discovery_endpoint"])
            oidc.update(fields)
            prov["oidc"] = oidc
        else:
            prov["oauth2"] = copy.deepcopy(spec["oauth2"])
            prov["oauth2"].setdefault("auth_query_params", {})
        provider_id = str(uuid.uuid4())
        first = not self.state["providers"]
        prov["is_default"] = False
        self.state["providers"][provider_id] = prov
        if first or spec.get("is_default"):
            self._make_default(provider_id)
        return Response(201, json.dumps(provider_id))

    def provider_update(self, req, provider):
        denied = self._auth(req)
        if denied:
            return denied
        prov = self.state["providers"].get(provider)
        if prov is None:
            return self._provider_not_found(provider)
        spec, bad = self._body(req, "VcenterIdentityProvidersUpdateSpec", "the UpdateSpec")
        if bad:
            return bad
        tag = spec["config_tag"]
        if tag != prov["config_tag"]:
            return self._invalid("The config_tag of identity provider %s is %s and cannot be changed to %s."
                                 % (provider, prov["config_tag"], tag))
        problem = self._check_semantics(spec, tag, create=False)
        if problem:
            return self._invalid(problem)
        spec = self._drop_ignored(copy.deepcopy(spec))
        new = copy.deepcopy(prov)
        for field in ("name", "domain_names", "org_ids", "idm_protocol", "idm_endpoints", "upn_claim",
                      "groups_claim", "federation_type"):
            if field in spec:
                new[field] = copy.deepcopy(spec[field])
        if "auth_query_params" in spec:
            new["auth_query_params"] = copy.deepcopy(spec["auth_query_params"])
        if "active_directory_over_ldap" in spec:
            new["active_directory_over_ldap"] = copy.deepcopy(spec["active_directory_over_ldap"])
        if new.get("idm_protocol") == "LDAP" and not new.get("active_directory_over_ldap"):
            return self._invalid("Field active_directory_over_ldap must be set when idm_protocol is LDAP.")
        if spec.get("reset_upn_claim"):
            new["upn_claim"] = "acct"
        if spec.get("reset_groups_claim"):
            new["groups_claim"] = ""
        if tag == "Oidc" and spec.get("oidc"):
            oidc = new.get("oidc") or {}
            oidc.update(copy.deepcopy(spec["oidc"]))
            if "discovery_endpoint" in spec["oidc"]:
                fields, error = self._discover(oidc["discovery_endpoint"])
                if error:
                    return self._invalid(error, oidc["discovery_endpoint"])
                oidc.pop("logout_endpoint", None)
                oidc.update(fields)
            new["oidc"] = oidc
        if tag == "Oauth2" and spec.get("oauth2"):
            new.setdefault("oauth2", {}).update(copy.deepcopy(spec["oauth2"]))
        self.state["providers"][provider] = new
        if spec.get("make_default"):
            self._make_default(provider)
        return Response(204)

    def provider_delete(self, req, provider):
        denied = self._auth(req)
        if denied:
            return denied
        if provider not in self.state["providers"]:
            return self._provider_not_found(provider)
        del self.state["providers"][provider]
        return Response(204)
