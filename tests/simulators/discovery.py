# Copyright (c) sso.oidc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""OpenID Connect discovery simulator: good and broken issuers side by side.

Every issuer lives under a path prefix of this one server, so its identifier is
``<url>/<name>`` and its discovery document is
``<url>/<name>/.well-known/openid-configuration`` (OpenID Connect Discovery 1.0,
section 4: the well-known suffix is appended to the issuer's path). Each
issuer also serves its JWKS at ``<url>/<name>/jwks``.

The built-in issuers (see :data:`PROFILES`) follow the specification exactly
(``good``) or break it in one way each (issuer mismatch, missing metadata,
http endpoints, an empty or unreachable JWKS, an HTML page, ...). A test can
add issuers of its own through the control API::

    POST /_sim/seed {"issuers": {"custom": {
        "document": {"scopes_supported": ["openid"]},    # merged over the good document
        "remove": ["userinfo_endpoint"],                 # keys dropped from it
        "jwks": {"keys": []},                            # the JWKS to serve (default: the good one)
        "status": 200, "body": "...", "content_type": "text/html",   # a raw discovery answer
        "jwks_status": 404}}}

String values may use ``{issuer}`` (``<url>/<name>``) and ``{url}`` (the server).
"""

import base64
import copy
import threading

from cryptography.hazmat.primitives.asymmetric import ec, rsa

from simulators.base import Response, SimApp

_KEYS = {}
_KEYS_LOCK = threading.Lock()


def _b64(number, length=None):
    length = length or (number.bit_length() + 7) // 8
    return base64.urlsafe_b64encode(number.to_bytes(length, "big")).decode("ascii").rstrip("=")


def keys():
    """One RSA signing key and one EC encryption key (public JWKs), made once per process."""
    with _KEYS_LOCK:
        if not _KEYS:
            rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
            pub = rsa_key.public_key().public_numbers()
            _KEYS["sig"] = {"kty": "RSA", "use": "sig", "alg": "RS256", "kid": "sim-rsa-1",
                            "n": _b64(pub.n), "e": _b64(pub.e)}
            _KEYS["sig_private_d"] = _b64(rsa_key.private_numbers().d)
            ec_key = ec.generate_private_key(ec.SECP256R1())
            ecp = ec_key.public_key().public_numbers()
            _KEYS["enc"] = {"kty": "EC", "use": "enc", "alg": "ECDH-ES", "kid": "sim-ec-enc-1", "crv": "P-256",
                            "x": _b64(ecp.x, 32), "y": _b64(ecp.y, 32)}
            _KEYS["ec_sig"] = dict(_KEYS["enc"], use="sig", alg="ES256", kid="sim-ec-sig-1")
        return copy.deepcopy(_KEYS)


def good_document(issuer):
    return {
        "issuer": issuer,
        "authorization_endpoint": issuer + "/authorize",
        "token_endpoint": issuer + "/token",
        "userinfo_endpoint": issuer + "/userinfo",
        "jwks_uri": issuer + "/jwks",
        "end_session_endpoint": issuer + "/logout",
        "scopes_supported": ["openid", "profile", "email", "offline_access"],
        "response_types_supported": ["code", "id_token", "code id_token"],
        "response_modes_supported": ["query", "fragment", "form_post"],
        "grant_types_supported": ["authorization_code", "refresh_token"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "claims_supported": ["sub", "iss", "aud", "exp", "iat", "name", "email", "email_verified", "groups"],
        "code_challenge_methods_supported": ["S256"],
    }


def good_jwks():
    k = keys()
    return {"keys": [k["sig"], k["enc"]]}


def _html(title):
    return ("<!DOCTYPE html><html><head><title>%s</title></head><body><h1>%s</h1>"
            "<p>Please sign in to continue.</p></body></html>" % (title, title))


# name -> how the issuer differs from a good one (all keys optional):
#   document: keys laid over the good document; remove: keys dropped from it;
#   jwks: the JWKS served; jwks_status / jwks_body / jwks_content_type: a raw JWKS answer;
#   status / body / content_type / headers: a raw discovery answer.
PROFILES = {
    "good": {},
    "mismatch": {"document": {"issuer": "{url}/somewhere-else"}},
    "trailing-slash": {"document": {"issuer": "{issuer}/"}},
    "no-jwks": {"remove": ["jwks_uri"]},
    "empty-jwks": {"jwks": {"keys": []}},
    "enc-only-jwks": {"jwks": "enc-only"},
    "private-jwks": {"jwks": "private"},
    "jwks-unreachable": {"document": {"jwks_uri": "{issuer}/keys-moved"}},
    "jwks-not-json": {"jwks_status": 200, "jwks_body": _html("Login"), "jwks_content_type": "text/html"},
    "alg-mismatch": {"jwks": "ec-only"},
    "http-endpoints": {"document": {
        "authorization_endpoint": "{http}/authorize",
        "token_endpoint": "{http}/token",
        "userinfo_endpoint": "{http}/userinfo",
    }},
    "http-remote": {"document": {"token_endpoint": "http://idp.example.com/token"}},
    "not-json": {"status": 200, "body": _html("Example Corp Login"), "content_type": "text/html"},
    "not-object": {"status": 200, "body": '["issuer", "jwks_uri"]'},
    "no-scopes": {"remove": ["scopes_supported"]},
    "no-openid-scope": {"document": {"scopes_supported": ["profile", "email"]}},
    "missing-required": {"remove": ["subject_types_supported", "id_token_signing_alg_values_supported",
                                    "token_endpoint"]},
    "bad-types": {"document": {"response_types_supported": "code", "authorization_endpoint": 42}},
    "no-code-flow": {"document": {"response_types_supported": ["id_token", "id_token token"]}},
    "alg-none": {"document": {"id_token_signing_alg_values_supported": ["none"]}},
    "redirect": {"status": 302, "body": "", "headers": {"Location": "{url}/good/.well-known/openid-configuration"}},
}


class DiscoverySim(SimApp):
    """Serves one issuer per path prefix; see the module docstring."""

    name = "discovery"

    def initial_state(self):
        return {"issuers": {}}

    def register_routes(self):
        self.add_route("GET", r"/(?P<name>[A-Za-z0-9_.-]+)/\.well-known/openid-configuration", self.discovery)
        self.add_route("GET", r"/(?P<name>[A-Za-z0-9_.-]+)/jwks", self.jwks)

    def describe(self):
        out = SimApp.describe(self)
        out["issuers"] = dict((name, self.issuer(name)) for name in PROFILES)
        return out

    def seed(self, data):
        with self.lock:
            for name, spec in (data or {}).get("issuers", {}).items():
                self.state.setdefault("issuers", {})[name] = copy.deepcopy(spec)

    # ------------------------------------------------------------------ helpers
    def issuer(self, name):
        return "%s/%s" % (self.url, name)

    def profile(self, name):
        custom = self.state.get("issuers", {}).get(name)
        if custom is not None:
            return custom
        return PROFILES.get(name)

    def _fill(self, value, name):
        if isinstance(value, str):
            port = self.url.rsplit(":", 1)[-1]
            return (value.replace("{issuer}", self.issuer(name)).replace("{url}", self.url)
                    .replace("{http}", "http://127.0.0.1:%s/%s" % (port, name)))
        if isinstance(value, list):
            return [self._fill(v, name) for v in value]
        if isinstance(value, dict):
            return dict((k, self._fill(v, name)) for k, v in value.items())
        return value

    def document(self, name, profile):
        doc = good_document(self.issuer(name))
        doc.update(self._fill(copy.deepcopy(profile.get("document") or {}), name))
        for key in profile.get("remove") or ():
            doc.pop(key, None)
        return doc

    # ------------------------------------------------------------------ routes
    def discovery(self, req, name):
        profile = self.profile(name)
        if profile is None:
            return Response(404, _html("404 Not Found"), content_type="text/html")
        if "status" in profile or "body" in profile:
            headers = self._fill(profile.get("headers") or {}, name)
            body = profile.get("body")
            if body is not None and not isinstance(body, str):
                body = self._fill(body, name)
            return Response(int(profile.get("status", 200)), body, headers,
                            content_type=profile.get("content_type", "application/json"))
        return Response(200, self.document(name, profile))

    def jwks(self, req, name):
        profile = self.profile(name)
        if profile is None:
            return Response(404, _html("404 Not Found"), content_type="text/html")
        if "jwks_status" in profile or "jwks_body" in profile:
            return Response(int(profile.get("jwks_status", 200)), profile.get("jwks_body"),
                            content_type=profile.get("jwks_content_type", "application/json"))
        k = keys()
        jwks = profile.get("jwks")
        if jwks is None:
            jwks = good_jwks()
        elif jwks == "enc-only":
            jwks = {"keys": [k["enc"]]}
        elif jwks == "private":
            jwks = {"keys": [dict(k["sig"], d=k["sig_private_d"])]}
        elif jwks == "ec-only":
            jwks = {"keys": [k["ec_sig"]]}
        return Response(200, jwks, content_type="application/jwk-set+json")
