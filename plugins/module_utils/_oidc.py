# -*- coding: utf-8 -*-
# Copyright (c) sso.oidc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""OpenID Connect discovery checks of sso.oidc (private).

Everything ``oidc_discovery_info`` knows about OpenID Connect Discovery 1.0:
the discovery URL, the required metadata, the endpoint rules, the JWKS and
its signing keys, and the plain-language findings a check produces.
"""

from __future__ import annotations

import ipaddress

from urllib.parse import urlsplit

from ansible_collections.sso.oidc.plugins.module_utils._http import (
    ApiClient, ApiError, refuse_url_credentials, short_body,
)
from ansible_collections.sso.oidc.plugins.module_utils._module import info_module, tls_options
from ansible_collections.sso.oidc.plugins.module_utils._reconcile import InputError

SERVICE = "OIDC discovery"
WELL_KNOWN = "/.well-known/openid-configuration"

#: OpenID Connect Discovery 1.0, section 3: REQUIRED provider metadata.
REQUIRED_METADATA = (
    "issuer",
    "authorization_endpoint",
    "token_endpoint",
    "jwks_uri",
    "response_types_supported",
    "subject_types_supported",
    "id_token_signing_alg_values_supported",
)
REQUIRED_LISTS = ("response_types_supported", "subject_types_supported", "id_token_signing_alg_values_supported")
OPTIONAL_LISTS = ("scopes_supported", "grant_types_supported", "claims_supported", "response_modes_supported",
                  "token_endpoint_auth_methods_supported", "code_challenge_methods_supported")
REDIRECT_STATUSES = (301, 302, 303, 307, 308)

ERROR = "error"
WARNING = "warning"

# Which JWS algorithms a public key of each kind can verify (RFC 7518, RFC 8037, RFC 8812).
_RSA_ALGS = frozenset(("RS256", "RS384", "RS512", "PS256", "PS384", "PS512"))
_EC_ALGS = {"P-256": frozenset(("ES256",)), "P-384": frozenset(("ES384",)), "P-521": frozenset(("ES512",)),
            "secp256k1": frozenset(("ES256K",))}
_OKP_ALGS = {"Ed25519": frozenset(("EdDSA", "Ed25519")), "Ed448": frozenset(("EdDSA", "Ed448"))}
_PUBLIC_PARAMS = {"RSA": ("n", "e"), "EC": ("crv", "x", "y"), "OKP": ("crv", "x")}
_PRIVATE_PARAMS = ("d", "p", "q", "dp", "dq", "qi", "oth", "k")


#: the issuer option, and the options that replace credentials in it: none (discovery documents and JWKS are public)
ISSUER_NO_CREDENTIALS = ("issuer", None)


def argument_spec():
    spec = tls_options()
    spec.update(
        issuer={"type": "str", "required": True},
        expected_scopes={"type": "list", "elements": "str"},
        fetch_jwks={"type": "bool", "default": True},
        allow_http={"type": "bool", "default": False},
    )
    return spec


# --------------------------------------------------------------------------- helpers
def _short(value, limit=200):
    text = value if isinstance(value, str) else repr(value)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit] + "..."


def is_loopback(host):
    """True for 127.0.0.0/8, ::1 and the name localhost."""
    if not host:
        return False
    host = host.strip("[]").rstrip(".").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def discovery_url(issuer):
    """OpenID Connect Discovery 1.0, section 4: a terminating '/' is removed before the suffix."""
    return issuer.rstrip("/") + WELL_KNOWN


def validate_params(params):
    """Check the options before any request; raise InputError naming the option."""
    issuer = params.get("issuer")
    refused = refuse_url_credentials(ISSUER_NO_CREDENTIALS[0], issuer, ISSUER_NO_CREDENTIALS[1])
    if refused:
        raise InputError(refused)
    if not isinstance(issuer, str) or not issuer.strip():
        raise InputError("issuer: give the issuer URL of the OpenID provider, for example https://idp.example.com")
    if issuer != issuer.strip() or any(c.isspace() for c in issuer):
        raise InputError("issuer: %r contains white space; give the URL exactly as the provider publishes it" % issuer)
    try:
        parts = urlsplit(issuer)
        host = parts.hostname
        parts.port  # pylint: disable=pointless-statement  # raises ValueError for a bad port
    except ValueError as exc:
        raise InputError("issuer: %r is not a valid URL (%s)" % (issuer, exc))
    if parts.scheme not in ("https", "http") or not host:
        raise InputError("issuer: %r is not an https URL; an issuer looks like https://idp.example.com[/path]" % issuer)
    if parts.query or parts.fragment or issuer.endswith(("?", "#")):
        raise InputError("issuer: %r has a query or fragment; an issuer identifier has neither "
                         "(OpenID Connect Discovery 1.0, section 2)" % issuer)
    if parts.scheme == "http":
        if not params.get("allow_http"):
            raise InputError("issuer: %r uses plain http; OpenID providers must use https. For a loopback test "
                             "provider set allow_http=true" % issuer)
        if not is_loopback(host):
            raise InputError("issuer: %r uses plain http, which allow_http=true accepts only for loopback addresses "
                             "(127.0.0.1, ::1, localhost); %s is not one" % (issuer, host))
    for index, scope in enumerate(params.get("expected_scopes") or []):
        if not isinstance(scope, str) or not scope.strip():
            raise InputError("expected_scopes[%d]: a scope must be a non-empty string" % index)
        if any(c.isspace() for c in scope):
            raise InputError("expected_scopes[%d]: %r contains white space; give each scope as its own list element"
                             % (index, scope))
    timeout = params.get("timeout")
    if timeout is not None and timeout <= 0:
        raise InputError("timeout: must be a positive number of seconds, got %s" % timeout)


def make_client(sm, params):
    client = ApiClient(SERVICE, params["issuer"].rstrip("/"), validate_certs=params.get("validate_certs", True),
                       ca_path=params.get("ca_path"), timeout=params.get("timeout") or 30,
                       headers={"Accept": "application/json"}, warn=sm.warn, scrubber=sm.scrub)
    sm.register_client(client)
    sm.on_close(client.close)
    return client


def key_summary(key):
    """A short public description of one JWK and whether it can verify ID token signatures."""
    if not isinstance(key, dict):
        return {"kid": None, "kty": None, "use": None, "alg": None, "signing": False, "algorithms": [],
                "reason": "not a JSON object"}
    kty, use, alg, ops = key.get("kty"), key.get("use"), key.get("alg"), key.get("key_ops")
    out = {"kid": key.get("kid"), "kty": kty, "use": use, "alg": alg, "signing": False, "algorithms": []}
    if key.get("crv") is not None:
        out["crv"] = key.get("crv")
    reason = None
    if kty not in _PUBLIC_PARAMS:
        reason = "key type %s is not a public signature key type (RSA, EC, OKP)" % _short(kty)
    elif use not in (None, "sig"):
        reason = "it is marked use=%s" % _short(use)
    elif ops is not None and (not isinstance(ops, list) or "verify" not in ops):
        reason = "its key_ops do not include verify"
    elif [p for p in _PUBLIC_PARAMS[kty] if not key.get(p)]:
        reason = "it lacks %s" % ", ".join(p for p in _PUBLIC_PARAMS[kty] if not key.get(p))
    if reason is None:
        if kty == "RSA":
            family = _RSA_ALGS
        elif kty == "EC":
            family = _EC_ALGS.get(key.get("crv"), frozenset())
        else:
            family = _OKP_ALGS.get(key.get("crv"), frozenset())
        if alg is not None:
            family = family & frozenset((alg,))
        if not family:
            reason = "no signature algorithm fits %s%s%s" % (
                kty, " curve %s" % _short(key.get("crv")) if key.get("crv") else "",
                " with alg %s" % _short(alg) if alg else "")
        else:
            out["algorithms"] = sorted(family)
    if reason is None:
        out["signing"] = True
    else:
        out["reason"] = reason
    return out


# --------------------------------------------------------------------------- the check
class DiscoveryCheck(object):
    """Runs every check on one issuer and collects the findings."""

    def __init__(self, client, params):
        self.client = client
        self.issuer = params["issuer"]
        self.allow_http = bool(params.get("allow_http"))
        self.fetch_jwks = params.get("fetch_jwks", True)
        self.expected_scopes = list(params.get("expected_scopes") or [])
        self.url = discovery_url(self.issuer)
        self.findings = []
        self.configuration = {}
        self.jwks_keys = None

    def problem(self, check, message, severity=ERROR):
        self.findings.append({"check": check, "severity": severity, "message": message})

    @property
    def usable(self):
        return not any(f["severity"] == ERROR for f in self.findings)

    # ------------------------------------------------------------------ fetching
    def fetch(self, url, what):
        """GET a JSON document; returns the parsed JSON or None after recording a problem."""
        check = "jwks" if what == "JWKS" else "discovery"
        try:
            response = self.client.request("GET", url, allow_status=REDIRECT_STATUSES)
        except ApiError as exc:
            self.problem(check, "the %s at %s could not be read: %s" % (what, url, exc))
            return None
        if response.status in REDIRECT_STATUSES:
            self.problem(check, "the %s URL %s answers HTTP %s with a redirect to %s; it must be served at that URL "
                         "itself. If the provider moved, use the issuer it publishes now"
                         % (what, url, response.status, _short(response.headers.get("Location") or "(nowhere)")))
            return None
        data = response.json
        if data is None:
            self.problem(check, "the %s at %s is not JSON: %s" % (what, url, short_body(response)))
            return None
        if not isinstance(data, dict):
            kind = {"list": "an array", "str": "a string", "int": "a number", "float": "a number",
                    "bool": "a boolean"}.get(type(data).__name__, type(data).__name__)
            self.problem(check, "the %s at %s is JSON but not an object (it is %s)" % (what, url, kind))
            return None
        return data

    def run(self):
        doc = self.fetch(self.url, "discovery document")
        if doc is None:
            return self
        self.configuration = doc
        self.check_issuer(doc)
        self.check_required(doc)
        self.check_lists(doc)
        self.check_flows(doc)
        jwks_ok = self.check_endpoints(doc)
        self.check_scopes(doc)
        if self.fetch_jwks and jwks_ok:
            self.check_jwks(doc)
        return self

    # ------------------------------------------------------------------ checks
    def check_issuer(self, doc):
        found = doc.get("issuer")
        if found in (None, "") or found == self.issuer:
            return  # a missing issuer is reported with the other required metadata
        msg = ("the document names the issuer %s, but the issuer asked for is %s; they must be identical "
               "(OpenID Connect Discovery 1.0, section 4.3), as applications compare the iss claim of every "
               "ID token with it" % (_short(found), self.issuer))
        if isinstance(found, str) and found.rstrip("/") == self.issuer.rstrip("/"):
            msg += ". They differ only by a trailing slash: set issuer to %s, exactly as the provider publishes it" % found
        self.problem("issuer", msg)

    def check_required(self, doc):
        missing = [name for name in REQUIRED_METADATA if name not in doc or doc[name] in (None, "", [])]
        if missing:
            self.problem("required_metadata", "required metadata missing: %s" % ", ".join(missing))

    def check_lists(self, doc):
        for name in REQUIRED_LISTS + OPTIONAL_LISTS:
            if name not in doc or doc[name] in (None, "", []):
                continue
            value = doc[name]
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                self.problem("metadata_type", "%s must be a JSON array of strings, found %s"
                             % (name, _short(value)), ERROR if name in REQUIRED_LISTS or name == "scopes_supported"
                             else WARNING)

    def check_flows(self, doc):
        response_types = doc.get("response_types_supported")
        if isinstance(response_types, list) and response_types and "code" not in response_types:
            self.problem("response_types", "response_types_supported (%s) does not include code: the provider does "
                         "not offer the authorization code flow that the applications sign users in with"
                         % ", ".join(map(str, response_types)))
        algs = doc.get("id_token_signing_alg_values_supported")
        if isinstance(algs, list) and algs:
            if all(a == "none" for a in algs):
                self.problem("signing_algorithms", "id_token_signing_alg_values_supported offers only none: the "
                             "provider issues unsigned ID tokens, which no application may accept")
            elif "RS256" not in algs:
                self.problem("signing_algorithms", "id_token_signing_alg_values_supported (%s) does not include RS256, "
                             "which OpenID Connect Discovery requires; applications that accept only RS256 will "
                             "reject its ID tokens" % ", ".join(map(str, algs)), WARNING)
        subjects = doc.get("subject_types_supported")
        if isinstance(subjects, list) and subjects and not set(subjects) & set(("public", "pairwise")):
            self.problem("subject_types", "subject_types_supported (%s) names neither public nor pairwise"
                         % ", ".join(map(str, subjects)), WARNING)

    def endpoint_problem(self, name, value):
        """Why an endpoint URL is unacceptable, or None."""
        if not isinstance(value, str) or not value:
            return "%s must be a URL, found %s" % (name, _short(value))
        try:
            parts = urlsplit(value)
            host = parts.hostname
        except ValueError:
            return "%s is not a valid URL: %s" % (name, _short(value))
        if parts.scheme == "https" and host:
            return None
        if parts.scheme == "http" and host:
            if self.allow_http and is_loopback(host):
                return None
            why = "%s uses plain http (%s); endpoints must use https" % (name, _short(value))
            if self.allow_http:
                return why + ". allow_http=true accepts plain http only for loopback addresses, and %s is not one" % host
            if is_loopback(host):
                return why + ". For a loopback test provider set allow_http=true"
            return why
        return "%s is not an absolute https URL: %s" % (name, _short(value))

    def check_endpoints(self, doc):
        """Every endpoint must be https (or loopback http with allow_http). Returns True if jwks_uri may be read."""
        jwks_ok = "jwks_uri" in doc and doc["jwks_uri"] not in (None, "")
        names = sorted(k for k in doc if k.endswith("_endpoint") or k == "jwks_uri")
        for name in names:
            if doc[name] in (None, ""):
                continue
            why = self.endpoint_problem(name, doc[name])
            if why:
                self.problem("endpoints", why)
                if name == "jwks_uri":
                    jwks_ok = False
        aliases = doc.get("mtls_endpoint_aliases")
        if isinstance(aliases, dict):
            for name in sorted(aliases):
                why = self.endpoint_problem("mtls_endpoint_aliases.%s" % name, aliases[name])
                if why:
                    self.problem("endpoints", why)
        return jwks_ok

    def check_scopes(self, doc):
        scopes = doc.get("scopes_supported")
        if scopes is None:
            if self.expected_scopes:
                self.problem("scopes", "the provider does not list scopes_supported, so the expected scopes (%s) "
                             "cannot be checked" % ", ".join(self.expected_scopes), WARNING)
            return
        if not isinstance(scopes, list):
            return  # reported by check_lists
        if "openid" not in scopes:
            self.problem("scopes", "scopes_supported (%s) does not include openid, which every OpenID provider must "
                         "support" % ", ".join(map(str, scopes)))
        missing = [s for s in self.expected_scopes if s not in scopes]
        if missing:
            self.problem("scopes", "expected scope%s %s %s not in scopes_supported (%s)"
                         % ("s" if len(missing) > 1 else "", ", ".join(missing), "are" if len(missing) > 1 else "is",
                            ", ".join(map(str, scopes))))

    def check_jwks(self, doc):
        url = doc["jwks_uri"]
        jwks = self.fetch(url, "JWKS")
        if jwks is None:
            return
        keys = jwks.get("keys")
        if not isinstance(keys, list):
            self.problem("jwks", "the JWKS at %s has no keys array" % url)
            return
        self.jwks_keys = [key_summary(k) for k in keys]
        if not keys:
            self.problem("jwks", "the JWKS at %s holds no keys, so no ID token signature can be verified" % url)
            return
        for key, summary in zip(keys, self.jwks_keys):
            private = [p for p in _PRIVATE_PARAMS if isinstance(key, dict) and p in key]
            if private:
                self.problem("jwks", "the JWKS at %s publishes private key material (%s) of key %s: anyone can "
                             "forge ID tokens; remove the key and rotate it at the provider"
                             % (url, ", ".join(private), _short(summary["kid"] or "(no kid)")))
        signing = [s for s in self.jwks_keys if s["signing"]]
        if not signing:
            reasons = "; ".join("%s: %s" % (_short(s["kid"] or "(no kid)"), s["reason"]) for s in self.jwks_keys)
            self.problem("jwks", "the JWKS at %s holds %d key(s) but none that can verify ID token signatures (%s)"
                         % (url, len(keys), reasons))
            return
        kids = [s["kid"] for s in signing if s["kid"] is not None]
        dupes = sorted(set(k for k in kids if kids.count(k) > 1), key=str)
        if dupes:
            self.problem("jwks", "signing keys share a kid (%s); applications may pick the wrong key"
                         % ", ".join(map(_short, dupes)), WARNING)
        if len(signing) > 1 and len(kids) < len(signing):
            self.problem("jwks", "the JWKS holds several signing keys and not all have a kid; applications cannot "
                         "tell which key signed a token", WARNING)
        algs = doc.get("id_token_signing_alg_values_supported")
        if isinstance(algs, list):
            asymmetric = set(a for a in algs if isinstance(a, str) and a != "none" and not a.startswith("HS"))
            usable = set()
            for s in signing:
                usable.update(s["algorithms"])
            if asymmetric and not asymmetric & usable:
                self.problem("jwks", "no signing key in the JWKS fits the advertised ID token algorithms (%s); the "
                             "keys fit %s" % (", ".join(sorted(asymmetric)), ", ".join(sorted(usable))), WARNING)

    # ------------------------------------------------------------------ result
    def result(self):
        problems = [f["message"] for f in self.findings]
        signing = [k for k in (self.jwks_keys or []) if k["signing"]]
        out = {
            "changed": False,
            "issuer": self.issuer,
            "discovery_url": self.url,
            "usable": self.usable,
            "configuration": self.configuration,
            "jwks_key_count": len(self.jwks_keys) if self.jwks_keys is not None else None,
            "signing_key_count": len(signing) if self.jwks_keys is not None else None,
            "jwks_keys": self.jwks_keys if self.jwks_keys is not None else [],
            "problems": problems,
            "findings": self.findings,
        }
        errors = [f["message"] for f in self.findings if f["severity"] == ERROR]
        if errors:
            out["msg"] = "The OpenID provider %s is not usable: %s" % (self.issuer, "; ".join(errors))
        else:
            warnings = len(problems)
            out["msg"] = "The OpenID provider %s is usable%s%s" % (
                self.issuer,
                " (%d signing key(s))" % len(signing) if self.jwks_keys is not None else " (JWKS not checked)",
                "; %d warning(s)" % warnings if warnings else "")
        return out


def run_discovery(sm):
    """The whole of oidc_discovery_info: validate, fetch, check, report; fail when unusable."""
    params = sm.params
    refused = refuse_url_credentials(ISSUER_NO_CREDENTIALS[0], params.get("issuer"), ISSUER_NO_CREDENTIALS[1],
                                     module=sm)
    if refused:
        raise InputError(refused)
    validate_params(params)
    client = make_client(sm, params)
    check = DiscoveryCheck(client, params).run()
    result = check.result()
    result["api_calls"] = sm.api_calls()
    msg = result.pop("msg")
    if not check.usable:
        sm.fail(msg, **result)
        return
    for finding in check.findings:
        sm.warn("%s: %s" % (check.issuer, finding["message"]))
    sm.exit(msg=msg, **result)


#: the module oidc_discovery_info
DISCOVERY = info_module(argument_spec, run_discovery)
