# Copyright (c) sso.oidc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Simulator of the SlashID OIDC provider-credentials API (SSO).

Follows the vendor's OpenAPI 3.0.1 spec (``specs/slashid-sso-oidc.openapi.yml``, a copy
of the SSO OIDC subset of the SlashID API 1.1 spec):

* ``GET|POST /organizations/sso/oidc/provider-credentials`` (list with the
  ``oauth_provider`` filter; create answers 201 with an envelope without ``result``);
* ``GET|PATCH|DELETE /organizations/sso/oidc/provider-credentials/{oauth_client_id}``.

Every call needs ``SlashID-OrgID`` and ``SlashID-API-Key`` (401 otherwise). Requests are
validated against the spec with openapi-core (headers, query, body): what the spec forbids
gets a 400 with the ``{meta, errors: [{httpcode, message}]}`` envelope. ``client_secret``
is never returned. Every response is validated against the spec before it is sent: a
response that does not conform becomes a 500 and is recorded in ``violations`` (so a
simulator bug fails the test that met it); ``responses`` keeps what was sent for the
conformance test.

Config switches (``POST /_sim/config``) for what the vendor's documents leave open:

``fill_option_defaults``
    ``true`` (default): ``options`` comes back with the provider's defaults filled in;
    ``false``: as stored; ``"all"``: the defaults of every provider (apple only when stored).
``scopes_include_defaults``
    ``true``: ``authorize_scopes`` comes back with the always-requested default scopes added.
``duplicate_status``
    409 (default) or 400 for a create with a ``client_id`` that exists.
``private_key_in_response``
    ``"empty"`` (default, the spec marks the field required), ``"plain"`` or ``"masked"``.
``duration_format``
    ``"as_sent"`` (default) or ``"go"`` (``secret_lifetime`` as Go's ``Duration.String()``).
``patch_options``
    ``"replace"`` (default: PATCH ``options`` replaces the whole object) or ``"merge"``.
``consistency_408_next``
    the next N mutating calls answer 408 (consistency not reached) ...
``consistency_408_mode``
    ... and their write lands at once (``"applied"``, default) or only before the
    ``consistency_408_lag``-th following API request (``"delayed"``).
``reject_unknown_fields``
    ``true`` (default): unknown body fields get a 400 (stricter than the spec, which
    allows them; catches typos in payloads).

A fault with ``when: after`` and ``status: 408`` also gives "the write landed, the client
saw 408". The request log adds the consistency headers and the JSON body of each mutating call.
"""

import copy
import json
import os
import threading
import urllib.parse

import yaml

from simulators.base import Response, SimApp

SPEC_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "specs", "slashid-sso-oidc.openapi.yml")
PREFIX = "/organizations/sso/oidc/provider-credentials"

ORG_ID = "af5fbd30-7ce7-4548-8b30-4cd59cb2aba1"
API_KEY = "sim-slashid-api-key-9b1f27c4d3e8"

PROVIDERS = ("google", "github", "bitbucket", "gitlab", "facebook", "line", "azuread", "okta", "apple")

# Defaults from the spec (components.schemas.OAuth*ProviderOptions).
OPTION_DEFAULTS = {
    "google": {"authorize_scopes": ["openid", "email", "profile"]},
    "github": {"authorize_scopes": ["read:user", "user:email"]},
    "bitbucket": {"authorize_scopes": ["account"]},
    "gitlab": {"authorize_scopes": ["read_user"]},
    "facebook": {"authorize_scopes": ["email", "public_profile"]},
    "line": {"authorize_scopes": ["openid", "email", "profile"]},
    "azuread": {"authorize_scopes": ["openid", "email", "profile", "User.Read"], "tenant": "common"},
    "okta": {"authorize_scopes": ["openid", "email", "profile"], "organization_url": ""},
    "apple": {"authorize_scopes": ["openid", "email", "name"], "secret_lifetime": "720h0m0s"},
}

MIN_LIFETIME = 300
MAX_LIFETIME = 15777000

_SPEC_LOCK = threading.Lock()
_SPEC_CACHE = {}


def load_spec():
    """The vendor spec as a dict (a fresh copy)."""
    with _SPEC_LOCK:
        if "spec" not in _SPEC_CACHE:
            with open(SPEC_PATH) as handle:
                _SPEC_CACHE["spec"] = yaml.safe_load(handle)
        return copy.deepcopy(_SPEC_CACHE["spec"])


def openapi():
    """An openapi-core OpenAPI object for the spec, for any host (servers: '/')."""
    with _SPEC_LOCK:
        cached = _SPEC_CACHE.get("openapi")
    if cached is not None:
        return cached
    from openapi_core import OpenAPI

    spec = load_spec()
    spec["servers"] = [{"url": "/"}]
    api = OpenAPI.from_dict(spec)
    with _SPEC_LOCK:
        _SPEC_CACHE["openapi"] = api
    return api


def envelope_validator():
    """jsonschema validator of the vendor's APIResponseBase envelope (for statuses the spec does not list)."""
    import jsonschema

    spec = load_spec()
    schema = {"$ref": "#/components/schemas/APIResponseBase", "components": spec["components"]}
    return jsonschema.Draft4Validator(schema)


# ------------------------------------------------------------------ Go durations
# A port of Go's own time.ParseDuration and Duration.String (src/time/format.go), in integer nanoseconds as Go
# keeps them: the server side of the contract, written apart from the module's parser (_slashid_resource.py) so
# that a difference between the two shows in the tests. Go takes no blanks, no number without a unit (but
# "0"), any run of letters as the unit ("1hh" is an unknown unit), and fractions of any unit ("1.5h").
_GO_UNIT_NANOS = {"ns": 1, "us": 10 ** 3, "\u00b5s": 10 ** 3, "\u03bcs": 10 ** 3, "ms": 10 ** 6, "s": 10 ** 9,
                  "m": 60 * 10 ** 9, "h": 3600 * 10 ** 9}
_GO_MAX = 1 << 63


def go_parse_duration(text):
    """Nanoseconds of a Go duration string, as time.ParseDuration gives them; None where Go returns an error."""
    if not isinstance(text, str):
        return None
    rest, negative, total = text, False, 0
    if rest[:1] in ("-", "+"):
        negative, rest = rest[0] == "-", rest[1:]
    if rest == "0":
        return 0
    if not rest:
        return None
    while rest:
        if not (rest[0] == "." or rest[0].isdigit() and rest[0].isascii()):
            return None
        digits = len(rest) - len(rest.lstrip("0123456789"))
        whole, rest = int(rest[:digits] or "0"), rest[digits:]
        if whole > _GO_MAX:
            return None
        fraction, scale, post = 0, 1, False
        if rest[:1] == ".":
            rest = rest[1:]
            frac_digits = len(rest) - len(rest.lstrip("0123456789"))
            post = frac_digits > 0
            for digit in rest[:frac_digits]:  # leadingFraction: digits beyond int64 precision are dropped
                if fraction <= (_GO_MAX - 1) // 10:
                    fraction, scale = fraction * 10 + int(digit), scale * 10
            rest = rest[frac_digits:]
        if not digits and not post:
            return None
        unit_len = 0
        while unit_len < len(rest) and not (rest[unit_len] == "." or rest[unit_len] in "0123456789"):
            unit_len += 1
        unit = _GO_UNIT_NANOS.get(rest[:unit_len])
        if unit is None:
            return None
        rest = rest[unit_len:]
        if whole > _GO_MAX // unit:
            return None
        value = whole * unit
        if fraction:
            value += int(float(fraction) * (float(unit) / scale))
            if value > _GO_MAX:
                return None
        total += value
        if total > _GO_MAX:
            return None
    if not negative and total > _GO_MAX - 1:
        return None
    return -total if negative else total


def _go_frac(value, precision):
    """Go's fmtFrac: the fraction of value / 10**precision as ".123" without trailing zeros ('' when none)."""
    digits, printed = "", False
    for _position in range(precision):
        digit = value % 10
        printed = printed or digit != 0
        if printed:
            digits = str(digit) + digits
        value //= 10
    return ("." + digits if printed else ""), value


def go_format_duration(nanos):
    """Go's Duration.String(): "720h0m0s", "1m30.5s", "1.5ms", "0s"."""
    sign, value = ("-" if nanos < 0 else ""), abs(nanos)
    if value < 10 ** 9:
        if value == 0:
            return "0s"
        if value < 10 ** 3:
            return "%s%dns" % (sign, value)
        precision, unit = (3, "\u00b5s") if value < 10 ** 6 else (6, "ms")
        frac, value = _go_frac(value, precision)
        return "%s%d%s%s" % (sign, value, frac, unit)
    frac, seconds = _go_frac(value, 9)
    text = "%d%ss" % (seconds % 60, frac)
    minutes = seconds // 60
    if minutes:
        text = "%dm%s" % (minutes % 60, text)
        if minutes // 60:
            text = "%dh%s" % (minutes // 60, text)
    return sign + text


# ------------------------------------------------------------------ openapi-core adapters
class _OARequest(object):
    """The openapi-core request protocol."""

    def __init__(self, method, encoded_path, query="", headers=None, body=None, host_url="https://slashid.sim"):
        from openapi_core.datatypes import RequestParameters
        from werkzeug.datastructures import Headers, ImmutableMultiDict

        headers = list((headers or {}).items())
        self.host_url = host_url
        self.path = encoded_path
        self.method = method.lower()
        self.body = body or None
        self.content_type = (dict((k.lower(), v) for k, v in headers).get("content-type")
                             or "application/json").lower()
        self.parameters = RequestParameters(
            path={},
            query=ImmutableMultiDict(urllib.parse.parse_qsl(query or "", keep_blank_values=True)),
            header=Headers(headers),
            cookie=ImmutableMultiDict(),
        )


class _OAResponse(object):
    def __init__(self, status, headers, body):
        from werkzeug.datastructures import Headers

        self.status_code = status
        self.headers = Headers(list((headers or {}).items()))
        self.content_type = (self.headers.get("Content-Type") or "").lower()
        self.data = body


def request_problems(method, encoded_path, query, headers, body, api=None):
    """Why a request breaks the spec (headers, query, body), as vendor-style messages."""
    problems = []
    oa_req = _OARequest(method, encoded_path, query, headers, body)
    for error in (api or openapi()).iter_request_errors(oa_req):
        cause = getattr(error, "__cause__", None)
        param = getattr(error, "name", None)
        prefix = "%s %s: " % (getattr(error, "location", "parameter"), param) if param else ""
        if cause is not None and getattr(cause, "schema_errors", None):
            for err in cause.schema_errors:
                where = ".".join(str(p) for p in err.absolute_path)
                problems.append("%s%s%s" % (prefix, "%s: " % where if where else "", err.message))
        else:
            problems.append(str(error))
    return problems


def response_problems(method, encoded_path, query, status, headers, body, api=None, envelope=None):
    """Why a response does not conform to the spec (empty list: it conforms).

    Statuses the spec declares for the operation are validated with openapi-core;
    other JSON error statuses (401, 403, 408, 409, 429, ...) against the vendor's
    APIResponseBase envelope; a non-JSON 404/405 only for paths that are no operation.
    """
    from openapi_core.templating.paths.exceptions import PathError
    from openapi_core.templating.responses.exceptions import ResponseNotFound

    api = api or openapi()
    if isinstance(body, str):
        body = body.encode("utf-8")
    ctype = dict((k.lower(), v) for k, v in (headers or {}).items()).get("content-type", "")
    oa_req = _OARequest(method, encoded_path, query)
    oa_resp = _OAResponse(status, headers, body)
    problems = []
    try:
        errors = list(api.iter_response_errors(oa_req, oa_resp))
    except Exception as exc:  # pragma: no cover - a validator failure is a problem too
        errors = [exc]
    for error in errors:
        if isinstance(error, PathError):
            if status in (404, 405) and "json" not in ctype:
                continue  # unknown endpoint: plain-text page, as the vendor's router answers
            problems.append("%s %s is not an operation of the spec" % (method, encoded_path))
        elif isinstance(error, ResponseNotFound):
            if status < 400:
                problems.append("status %s is not declared for %s %s" % (status, method, encoded_path))
                continue
            try:
                data = json.loads(body.decode("utf-8"))
            except (ValueError, UnicodeDecodeError, AttributeError):
                problems.append("undeclared error status %s without a JSON envelope" % status)
                continue
            validator = envelope or envelope_validator()
            for err in validator.iter_errors(data):
                problems.append("envelope: %s at %s" % (err.message, list(err.absolute_path)))
            if not isinstance(data, dict) or not data.get("errors"):
                problems.append("error status %s without errors[]" % status)
        else:
            detail = str(error)
            cause = getattr(error, "__cause__", None)
            if cause is not None and hasattr(cause, "schema_errors"):
                detail = "; ".join("%s at %s" % (e.message, list(e.absolute_path)) for e in cause.schema_errors)
            problems.append("%s: %s" % (type(error).__name__, detail))
    return problems


class SlashIdSim(SimApp):
    name = "slashid"

    def __init__(self, harness=None):
        self.pending = []
        self.responses = []
        self.violations = []
        SimApp.__init__(self, harness)

    # ------------------------------------------------------------------ setup
    def default_config(self):
        return {
            "org_id": ORG_ID,
            "api_key": API_KEY,
            "fill_option_defaults": True,
            "scopes_include_defaults": False,
            "duplicate_status": 409,
            "private_key_in_response": "empty",
            "duration_format": "as_sent",
            "patch_options": "replace",
            "consistency_408_next": 0,
            "consistency_408_mode": "applied",
            "consistency_408_lag": 1,
            "reject_unknown_fields": True,
            "validate_responses": True,
        }

    def initial_state(self):
        return {"credentials": {}}

    def describe(self):
        return {
            "url": self.url,
            "api_url": self.url,
            "control_url": self.url + "/_sim",
            "org_id": self.config["org_id"],
            "api_key": self.config["api_key"],
        }

    def seed(self, data):
        """Seed credentials: ``{"credentials": {client_id: {...}} or [{...}, ...]}``."""
        with self.lock:
            creds = (data or {}).get("credentials") or {}
            if isinstance(creds, list):
                creds = dict((c["client_id"], c) for c in creds)
            for cid, cred in creds.items():
                cred = copy.deepcopy(cred)
                cred["client_id"] = cid
                self.state.setdefault("credentials", {})[cid] = cred

    def reset(self, seed=None):
        with self.lock:
            self.pending = []
            self.responses = []
            SimApp.reset(self, seed)

    def register_routes(self):
        self.add_route("GET", PREFIX, self.list_creds)
        self.add_route("POST", PREFIX, self.create_cred)
        self.add_route("GET", PREFIX + "/(?P<cid>.+)", self.get_cred)
        self.add_route("PATCH", PREFIX + "/(?P<cid>.+)", self.patch_cred)
        self.add_route("DELETE", PREFIX + "/(?P<cid>.+)", self.delete_cred)

    # ------------------------------------------------------------------ helpers
    @staticmethod
    def envelope(status, message):
        return Response(status, {"meta": {}, "errors": [{"httpcode": status, "message": message}]})

    def fault_body(self, status):
        messages = {429: "rate limit exceeded, retry later", 503: "service unavailable",
                    408: "required consistency not reached before the timeout; the request may still be applied"}
        return {"meta": {}, "errors": [{"httpcode": status, "message": messages.get(status, "injected fault")}]}

    def not_found(self, req):
        # The vendor's router answers an unknown endpoint with a plain-text page, not JSON.
        return Response(404, "404 page not found\n", content_type="text/plain; charset=utf-8")

    def method_not_allowed(self, req):
        return Response(405, "Method Not Allowed\n", content_type="text/plain; charset=utf-8")

    def record(self, req, status, kind, fault=None, generation=None):
        if not SimApp.record(self, req, status, kind, fault, generation=generation):
            return False
        if req.method in ("POST", "PATCH", "DELETE"):
            with self.lock:
                entry = self.requests[-1]
                entry["consistency"] = req.header("SlashID-Required-Consistency")
                entry["consistency_timeout"] = req.header("SlashID-Required-Consistency-Timeout")
                entry["body"] = copy.deepcopy(req.json) if req.body else None
        return True

    def _find(self, req):
        """(route, args) for a request, refusing unencoded '/' inside {oauth_client_id}."""
        route, args, path_matched = self.find_route(req)
        if route is None:
            return None, None, path_matched
        if "cid" in (args or {}):
            segment = req.encoded_path[len(PREFIX) + 1:]
            if "/" in segment or not segment:
                return None, None, False
            args = {"cid": urllib.parse.unquote(segment)}
        return route, args, True

    # ------------------------------------------------------------------ dispatch
    def dispatch(self, req):
        with self.lock:
            self._tick_pending()
            route, args, path_matched = self._find(req)
            if route is None:
                resp = self.method_not_allowed(req) if path_matched else self.not_found(req)
                kind = "read" if req.method in ("GET", "HEAD", "OPTIONS") else "write"
            else:
                kind = route.kind
                resp = self._authenticate(req) or self._validate_request(req)
                if resp is None:
                    resp = route.handler(req, **args)
            return self._checked(req, resp), kind

    def _authenticate(self, req):
        key = req.header("SlashID-API-Key")
        org = req.header("SlashID-OrgID")
        if not key:
            return self.envelope(401, "missing SlashID-API-Key header")
        if not org:
            return self.envelope(401, "missing SlashID-OrgID header")
        if org != self.config["org_id"] or key != self.config["api_key"]:
            return self.envelope(401, "the API key is not valid for organization %s" % org)
        return None

    def _validate_request(self, req):
        if req.body and req.json_error:
            return self.envelope(400, "request body is not valid JSON: %s" % req.json_error)
        problems = request_problems(req.method, req.encoded_path, req.query_string, dict(req.headers.items()),
                                    req.body)
        if not problems and req.method in ("POST", "PATCH") and self.config.get("reject_unknown_fields"):
            problems = self._unknown_fields(req)
        if problems:
            return self.envelope(400, "invalid request: " + "; ".join(problems))
        return None

    def _unknown_fields(self, req):
        body = req.json
        if not isinstance(body, dict):
            return []
        schemas = load_spec()["components"]["schemas"]
        top = schemas["OAuthCredentialPostRequest" if req.method == "POST" else "OAuthCredentialPatchRequest"]
        out = ["unknown field %r" % k for k in body if k not in top["properties"]]
        options = body.get("options")
        if isinstance(options, dict):
            provider_props = schemas["OAuthProvidersOptions"]["properties"]
            for prov, value in options.items():
                if prov not in provider_props:
                    out.append("options: unknown provider %r" % prov)
                    continue
                sub = schemas[provider_props[prov]["$ref"].rsplit("/", 1)[-1]]["properties"]
                for field in (value or {}):
                    if field not in sub:
                        out.append("options.%s: unknown field %r" % (prov, field))
        return out

    def _checked(self, req, resp):
        """Validate the response against the spec; record it; a violation becomes a 500."""
        problems = []
        if self.config.get("validate_responses", True):
            problems = response_problems(req.method, req.encoded_path, req.query_string, resp.status,
                                         resp.headers, resp.body)
        if problems:
            self.violations.append({"method": req.method, "path": req.encoded_path, "status": resp.status,
                                    "problems": problems})
            return self.envelope(500, "simulator response violates the spec: %s" % "; ".join(problems))
        self.responses.append({"method": req.method, "path": req.encoded_path, "query": req.query_string,
                               "status": resp.status, "headers": dict(resp.headers),
                               "body": resp.body.decode("utf-8")})
        del self.responses[:-5000]
        return resp

    # ------------------------------------------------------------------ consistency
    def _tick_pending(self):
        keep = []
        for item in self.pending:
            item["lag"] -= 1
            if item["lag"] <= 0:
                item["apply"]()
                self.save_state()
            else:
                keep.append(item)
        self.pending = keep

    def _write(self, req, apply_fn, ok_response):
        """Apply a write honouring the consistency headers (and the 408 switches)."""
        level = req.header("SlashID-Required-Consistency") or "local_region"
        timeout = req.header("SlashID-Required-Consistency-Timeout") or "30"
        if int(self.config.get("consistency_408_next") or 0) > 0:
            self.config["consistency_408_next"] = int(self.config["consistency_408_next"]) - 1
            if self.config.get("consistency_408_mode") == "delayed":
                self.pending.append({"lag": int(self.config.get("consistency_408_lag") or 1), "apply": apply_fn})
            else:
                apply_fn()
                self.save_state()  # the harness saves only after a 2xx write
            return self.envelope(408, "required consistency %s not reached within %ss; the request may still be "
                                      "applied" % (level, timeout))
        apply_fn()
        return ok_response

    # ------------------------------------------------------------------ rendering
    def render(self, cred):
        out = dict((k, copy.deepcopy(v)) for k, v in cred.items() if k != "client_secret")
        stored = out.pop("options", None)
        options = copy.deepcopy(stored) if isinstance(stored, dict) else None
        fill = self.config.get("fill_option_defaults")
        if fill:
            options = options or {}
            providers = [cred["provider"]] if fill is True or fill == "provider" else list(PROVIDERS)
            for prov in providers:
                if prov == "apple" and "apple" not in options:
                    continue  # apple's required fields have no defaults
                merged = copy.deepcopy(OPTION_DEFAULTS[prov])
                merged.update(options.get(prov) or {})
                options[prov] = merged
        if options:
            for prov, value in options.items():
                if not isinstance(value, dict):
                    continue
                if self.config.get("scopes_include_defaults") and prov in OPTION_DEFAULTS:
                    scopes = list(OPTION_DEFAULTS[prov]["authorize_scopes"])
                    scopes += [s for s in value.get("authorize_scopes") or [] if s not in scopes]
                    value["authorize_scopes"] = scopes
                if prov == "apple":
                    mode = self.config.get("private_key_in_response")
                    if mode == "masked":
                        value["private_key"] = "********"
                    elif mode != "plain":
                        value["private_key"] = ""
                    if self.config.get("duration_format") == "go" and value.get("secret_lifetime"):
                        nanos = go_parse_duration(value["secret_lifetime"])
                        if nanos is not None:
                            value["secret_lifetime"] = go_format_duration(nanos)
            out["options"] = options
        return out

    def _semantic_problems(self, body, provider):
        options = body.get("options")
        problems = []
        if isinstance(options, dict):
            apple = options.get("apple")
            if isinstance(apple, dict):
                lifetime = go_parse_duration(apple.get("secret_lifetime"))
                if lifetime is None:
                    problems.append("options.apple.secret_lifetime: %r is not a valid duration"
                                    % apple.get("secret_lifetime"))
                elif not MIN_LIFETIME * 10 ** 9 <= lifetime <= MAX_LIFETIME * 10 ** 9:
                    problems.append("options.apple.secret_lifetime: must be between 5m and 15777000s")
        if provider == "apple" and not (isinstance(options, dict) and isinstance(options.get("apple"), dict)):
            problems.append("options.apple is required for provider apple")
        return problems

    # ------------------------------------------------------------------ handlers
    def _creds(self):
        return self.state.setdefault("credentials", {})

    def list_creds(self, req):
        provider = req.arg("oauth_provider")
        result = [self.render(c) for c in self._creds().values() if provider in (None, c.get("provider"))]
        meta = {"pagination": {"limit": len(result), "offset": 0, "total_count": len(result)}}
        return Response(200, {"meta": meta, "result": result})

    def get_cred(self, req, cid):
        cred = self._creds().get(cid)
        if cred is None:
            return self.envelope(404, "no OIDC provider credentials with client ID %s" % cid)
        return Response(200, {"meta": {}, "result": self.render(cred)})

    def create_cred(self, req):
        body = req.json
        if not isinstance(body, dict):
            return self.envelope(400, "request body must be a JSON object")
        problems = self._semantic_problems(body, body.get("provider"))
        if problems:
            return self.envelope(400, "invalid request: " + "; ".join(problems))
        cid = body["client_id"]
        if not cid:
            return self.envelope(400, "client_id must not be empty")
        if cid in self._creds():
            status = int(self.config.get("duplicate_status") or 409)
            return self.envelope(status, "OIDC provider credentials with client ID %s already exist" % cid)
        cred = copy.deepcopy(body)
        if "external_cred" in cred:
            cred.setdefault("external_cred_id", cred["external_cred"])
            del cred["external_cred"]

        def apply():
            self._creds()[cid] = cred

        return self._write(req, apply, Response(201, {"meta": {}}))

    def patch_cred(self, req, cid):
        cred = self._creds().get(cid)
        if cred is None:
            return self.envelope(404, "no OIDC provider credentials with client ID %s" % cid)
        body = req.json if req.body else {}
        if not isinstance(body, dict):
            return self.envelope(400, "request body must be a JSON object")
        problems = self._semantic_problems(body, None)
        if problems:
            return self.envelope(400, "invalid request: " + "; ".join(problems))
        changes = copy.deepcopy(body)
        if "external_cred" in changes:
            changes.setdefault("external_cred_id", changes["external_cred"])
            del changes["external_cred"]

        def apply():
            target = self._creds().get(cid)
            if target is None:
                return
            for field, value in changes.items():
                if field == "options" and self.config.get("patch_options") == "merge":
                    opts = target.setdefault("options", {})
                    for prov, sub in (value or {}).items():
                        opts.setdefault(prov, {}).update(sub or {})
                else:
                    target[field] = value

        return self._write(req, apply, Response(200, {"meta": {}}))

    def delete_cred(self, req, cid):
        if cid not in self._creds():
            return self.envelope(404, "no OIDC provider credentials with client ID %s" % cid)

        def apply():
            self._creds().pop(cid, None)

        return self._write(req, apply, Response(200, {"meta": {}}))
