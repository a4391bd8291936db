# Copyright (c) sso.oidc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Simulator of the AWS Wickr Admin API (rest-json, API version 2024-02-01).

Operations: ListNetworks, GetNetwork, GetOidcInfo (with the token exchange),
RegisterOidcConfig and RegisterOidcConfigTest, as the botocore service model
describes them. Every request must carry a valid SigV4 signature for service
``wickr`` in the simulator's region: the simulator recomputes it with
botocore's own signer from the request it received and the known test secret
key, and answers 403 the AWS way otherwise. Errors follow the rest-json
conventions: ``x-amzn-ErrorType`` header, ``__type`` and ``message`` in the
body, ``x-amzn-RequestId`` on every response, ValidationError (422) with
``reasons``.

Config switches (``POST /_sim/config``) for what the vendor documents do not settle:

* ``secret_visibility``: ``omitted`` (default) | ``masked`` | ``clear``: how
  GetOidcInfo and RegisterOidcConfig show the stored secret.
* ``client_id_readback``: ``userId`` (default; the request's ``userId`` comes
  back as ``userId``, as in the vendor's example) | ``clientId`` (it comes back
  as ``clientId``, the stored secret as ``clientSecret``, and ``userId`` holds
  the claim name ``user_id_claim``, as the response documentation reads).
* ``error_type``: ``both`` (default) | ``header`` | ``body``: where the error
  code goes (``x-amzn-ErrorType`` header and/or body ``__type``).
* ``company_id_rule``: ``any`` (default) | ``region_prefix`` (a companyId must
  start with the region, e.g. ``us-east-1-acme``, as the vendor's examples hint).
* ``region`` (``us-east-1``), ``max_skew_seconds`` (300).
* ``page_limit``: null (default: ListNetworks honours ``maxResults``) or N: at most N networks a page
  whatever the client asks, so a list pages with ``nextToken`` (a service may cap its pages).
* ``ignored_fields``: [] (default): RegisterOidcConfig members the service accepts and does not store (it
  keeps the value it had), to test that every write is checked by its read-back.
* ``resave``: ``overwrite`` (default; a save replaces the configuration, as "register and save" reads) |
  ``conflict`` (a network that has a configuration refuses another save with 400 BadRequestError): whether a
  second RegisterOidcConfig overwrites is not documented.
"""

import base64
import datetime
import hashlib
import hmac
import json
import re
import ssl
import urllib.error
import urllib.parse
import urllib.request
import uuid

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest, HTTPHeaders
from botocore.credentials import Credentials

from simulators.base import Response, SimApp

NETWORK_ID = "(?P<network_id>[^/]+)"
NETWORK_ID_RE = re.compile(r"^[0-9]{8}$")
REDIRECT_URL = "https://messaging-pro-prod.wickr.com/deeplink/oidc.php"
ACCOUNT = "123456789012"

SEED_NETWORKS = (
    ("12345678", "Engineering", "PREMIUM"),
    ("23456789", "Sales", "STANDARD"),
    ("34567890", "Support", "PREMIUM"),
    ("45678901", "Legal", "STANDARD"),
    ("56789012", "Operations", "PREMIUM"),
    ("67890123", "Research", "PREMIUM"),
)
UNKNOWN_NETWORK = "99999999"

SIGNATURE_MISMATCH = ("The request signature we calculated does not match the signature you provided. Check your "
                      "AWS Secret Access Key and signing method. Consult the service documentation for details.")
BAD_TOKEN = "The security token included in the request is invalid."
TOKEN_PARAMS = ("clientId", "code", "grantType", "redirectUri", "url", "clientSecret", "codeVerifier", "certificate")
SAVE_STRINGS = ("companyId", "customUsername", "extraAuthParams", "issuer", "scopes", "secret", "userId")


def _network(network_id, name, level, region):
    return {
        "networkId": network_id,
        "networkName": name,
        "accessLevel": level,
        "awsAccountId": ACCOUNT,
        "networkArn": "arn:aws:wickr:%s:%s:network/%s" % (region, ACCOUNT, network_id),
        "standing": 1,
        "migrationState": 2,
        "oidc": None,
    }


class _Verifier(SigV4Auth):
    """botocore's SigV4 signer, limited to exactly the headers the client says it signed."""

    def __init__(self, credentials, region, signed_headers):
        SigV4Auth.__init__(self, credentials, "wickr", region)
        self._signed = signed_headers

    def headers_to_sign(self, request):
        header_map = HTTPHeaders()
        for name in self._signed:
            for value in request.headers.get_all(name) or []:
                header_map[name] = value
        return header_map


class WickrSim(SimApp):
    name = "wickr"

    ACCESS_KEY = "AKIAWICKRSIMEXAMPLE7"
    SECRET_KEY = "wJalrXUtnFEMI/K7MDENG/wickrSimSecretKey01"
    TEMP_ACCESS_KEY = "ASIAWICKRSIMTEMPKEY3"
    TEMP_SECRET_KEY = "je7MtGbClwBF/2Zp9Utk/wickrSimTempSecret02"
    SESSION_TOKEN = "IQoJb3JpZ2luX2VjEWickrSimSessionToken//////////wEaCXVzLWVhc3QtMSJHMEUCIQD"

    # -- setup --------------------------------------------------------------
    def default_config(self):
        return {
            "secret_visibility": "omitted",
            "client_id_readback": "userId",
            "user_id_claim": "email",
            "error_type": "both",
            "company_id_rule": "any",
            "region": "us-east-1",
            "max_skew_seconds": 300,
            "page_limit": None,
            "ignored_fields": [],
            "resave": "overwrite",
        }

    def initial_state(self):
        return {"networks": dict((nid, _network(nid, name, level, "us-east-1"))
                                 for nid, name, level in SEED_NETWORKS)}

    def seed(self, data):
        """Merge networks by id: ``{"networks": {"12345678": {"oidc": {...}}}}``."""
        with self.lock:
            for network_id, values in ((data or {}).get("networks") or {}).items():
                current = self.state["networks"].get(network_id) or _network(
                    network_id, values.get("networkName", "Network %s" % network_id), "STANDARD", "us-east-1")
                current.update(values)
                self.state["networks"][network_id] = current

    def describe(self):
        out = SimApp.describe(self)
        out.update({
            "region": self.config.get("region", "us-east-1"),
            "access_key": self.ACCESS_KEY,
            "secret_key": self.SECRET_KEY,
            "temp_access_key": self.TEMP_ACCESS_KEY,
            "temp_secret_key": self.TEMP_SECRET_KEY,
            "session_token": self.SESSION_TOKEN,
            "networks": [nid for nid, _name, _level in SEED_NETWORKS],
            "unknown_network": UNKNOWN_NETWORK,
        })
        return out

    def register_routes(self):
        self.add_route("GET", "/networks", self.list_networks)
        self.add_route("GET", "/networks/" + NETWORK_ID, self.get_network)
        self.add_route("GET", "/networks/" + NETWORK_ID + "/oidc", self.get_oidc_info)
        self.add_route("POST", "/networks/" + NETWORK_ID + "/oidc/save", self.register_oidc_config)
        self.add_route("POST", "/networks/" + NETWORK_ID + "/oidc/test", self.register_oidc_config_test, kind="check")

    # -- AWS-shaped responses -------------------------------------------------
    def error(self, status, code, message, namespace="com.amazonaws.wickr", **members):
        body = {"message": message}
        body.update(members)
        headers = {}
        mode = self.config.get("error_type", "both")
        if mode in ("both", "header"):
            headers["x-amzn-ErrorType"] = "%s:http://internal.amazon.com/coral/%s/" % (code, namespace)
        if mode in ("both", "body"):
            body["__type"] = "%s#%s" % (namespace, code)
        return Response(status, body, headers)

    def validation_error(self, field, reason):
        return self.error(422, "ValidationError", "1 validation error detected: Value at '%s' failed to satisfy "
                                                  "constraint: %s" % (field, reason),
                          reasons=[{"field": field, "reason": reason}])

    def bad_request(self, message):
        return self.error(400, "BadRequestError", message)

    def not_found(self, req):
        return self.error(404, "UnknownOperationException", "no operation for %s %s" % (req.method, req.path))

    def method_not_allowed(self, req):
        return self.not_found(req)

    def fault_body(self, status):
        codes = {429: "RateLimitError", 500: "InternalServerError", 503: "ServiceUnavailableException",
                 502: "BadGatewayException", 504: "GatewayTimeoutException", 403: "ForbiddenError",
                 401: "UnauthorizedError", 400: "BadRequestError", 404: "ResourceNotFoundError"}
        code = codes.get(status, "InternalServerError")
        return {"__type": "com.amazonaws.wickr#%s" % code, "message": "injected fault: HTTP %d %s" % (status, code)}

    def fault_response(self, fault):
        resp = SimApp.fault_response(self, fault)
        if resp is not None:
            resp.headers.setdefault("x-amzn-RequestId", str(uuid.uuid4()))
            if not fault.get("html") and not fault.get("malformed") and fault.get("body") is None:
                code = self.fault_body(resp.status)["__type"].split("#")[-1]
                resp.headers.setdefault("x-amzn-ErrorType", code)
        return resp

    def dispatch(self, req):
        denied = self.verify_sigv4(req)
        if denied is not None:
            resp, kind = denied, "denied"
        else:
            resp, kind = SimApp.dispatch(self, req)
        resp.headers.setdefault("x-amzn-RequestId", str(uuid.uuid4()))
        return resp, kind

    # -- SigV4 --------------------------------------------------------------
    def verify_sigv4(self, req):
        """None when the request is signed right; the AWS 403 response otherwise."""
        auth = req.header("Authorization")
        if not auth:
            return self.error(403, "MissingAuthenticationTokenException", "Missing Authentication Token",
                              namespace="com.amazon.coral.service")
        match = re.match(r"^AWS4-HMAC-SHA256 Credential=([^/,\s]+)/(\d{8})/([^/]+)/([^/]+)/aws4_request,\s*"
                         r"SignedHeaders=([a-z0-9;\-]+),\s*Signature=([0-9a-f]{64})$", auth.strip())
        if not match:
            return self.error(403, "IncompleteSignatureException",
                              "Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' "
                              "parameters for AWS4-HMAC-SHA256.", namespace="com.amazon.coral.service")
        access_key, scope_date, region, service, signed, signature = match.groups()
        keys = {
            self.ACCESS_KEY: (self.SECRET_KEY, None),
            self.TEMP_ACCESS_KEY: (self.TEMP_SECRET_KEY, self.SESSION_TOKEN),
        }
        if access_key not in keys:
            return self.error(403, "UnrecognizedClientException", BAD_TOKEN, namespace="com.amazon.coral.service")
        secret_key, token = keys[access_key]
        if req.header("X-Amz-Security-Token") != token:
            return self.error(403, "UnrecognizedClientException", BAD_TOKEN, namespace="com.amazon.coral.service")
        signed_headers = signed.split(";")
        if "host" not in signed_headers or not ("x-amz-date" in signed_headers or "date" in signed_headers):
            return self.error(403, "InvalidSignatureException", "'Host' and 'X-Amz-Date' (or 'Date') must be "
                              "signed headers.", namespace="com.amazon.coral.service")
        when = self._request_time(req)
        if when is None:
            return self.error(403, "IncompleteSignatureException", "Authorization header requires existence of "
                              "either a 'X-Amz-Date' or a 'Date' header.", namespace="com.amazon.coral.service")
        stamp = when.strftime("%Y%m%dT%H%M%SZ")
        if service != "wickr":
            return self.error(403, "InvalidSignatureException", "Credential should be scoped to correct service: "
                              "'wickr'. ", namespace="com.amazon.coral.service")
        if region != self.config.get("region", "us-east-1"):
            return self.error(403, "InvalidSignatureException", "Credential should be scoped to a valid region, not "
                              "'%s'. " % region, namespace="com.amazon.coral.service")
        if scope_date != stamp[:8]:
            return self.error(403, "InvalidSignatureException", "Date in Credential scope does not match YYYYMMDD "
                              "from ISO-8601 version of date from HTTP: '%s' != '%s'" % (scope_date, stamp[:8]),
                              namespace="com.amazon.coral.service")
        now = datetime.datetime.now(datetime.timezone.utc)
        skew = datetime.timedelta(seconds=int(self.config.get("max_skew_seconds", 300)))
        fmt = "%Y%m%dT%H%M%SZ"
        if when < now - skew:
            return self.error(403, "InvalidSignatureException", "Signature expired: %s is now earlier than %s (%s - "
                              "5 min.)" % (stamp, (now - skew).strftime(fmt), now.strftime(fmt)),
                              namespace="com.amazon.coral.service")
        if when > now + skew:
            return self.error(403, "InvalidSignatureException", "Signature not yet current: %s is still later than "
                              "%s (%s + 5 min.)" % (stamp, (now + skew).strftime(fmt), now.strftime(fmt)),
                              namespace="com.amazon.coral.service")
        content_sha = req.header("X-Amz-Content-SHA256")
        if content_sha and content_sha != "UNSIGNED-PAYLOAD" and content_sha != hashlib.sha256(req.body).hexdigest():
            return self.error(400, "XAmzContentSHA256Mismatch", "The provided 'x-amz-content-sha256' header does "
                              "not match what was computed.", namespace="com.amazon.coral.service")
        expected = self._signature(req, access_key, secret_key, token, region, signed_headers, stamp)
        if not hmac.compare_digest(expected, signature):
            return self.error(403, "InvalidSignatureException", SIGNATURE_MISMATCH,
                              namespace="com.amazon.coral.service")
        return None

    @staticmethod
    def _request_time(req):
        value = req.header("X-Amz-Date")
        try:
            if value:
                return datetime.datetime.strptime(value, "%Y%m%dT%H%M%SZ").replace(tzinfo=datetime.timezone.utc)
            value = req.header("Date")
            if value:
                import email.utils
                return email.utils.parsedate_to_datetime(value).astimezone(datetime.timezone.utc)
        except (TypeError, ValueError):
            return None
        return None

    @staticmethod
    def _signature(req, access_key, secret_key, token, region, signed_headers, stamp):
        host = req.header("Host") or ""
        params = []
        if req.query_string:
            for pair in req.query_string.split("&"):
                key, _sep, value = pair.partition("=")
                params.append((urllib.parse.unquote(key), urllib.parse.unquote(value)))
        headers = HTTPHeaders()
        for name in signed_headers:
            for value in req.headers.get_all(name) or []:
                headers[name] = value
        aws_req = AWSRequest(method=req.method, url="https://%s%s" % (host, req.encoded_path), headers=headers,
                             data=req.body, params=params)
        aws_req.context["timestamp"] = stamp
        verifier = _Verifier(Credentials(access_key, secret_key, token), region, signed_headers)
        canonical = verifier.canonical_request(aws_req)
        return verifier.signature(verifier.string_to_sign(aws_req, canonical), aws_req)

    # -- helpers --------------------------------------------------------------
    def _network_or_error(self, network_id):
        if not NETWORK_ID_RE.match(network_id):
            return None, self.validation_error("networkId", "Member must satisfy regular expression pattern: "
                                                            "[0-9]{8}")
        network = self.state["networks"].get(network_id)
        if network is None:
            return None, self.error(404, "ResourceNotFoundError", "Network not found")
        return network, None

    def _oidc_view(self, network):
        """openidConnectInfo as the service shows it (secret per secret_visibility)."""
        oidc = network.get("oidc")
        if not oidc:
            return {"companyId": "", "issuer": "", "scopes": ""}
        out = {}
        for name in ("applicationName", "companyId", "scopes", "issuer", "redirectUrl", "customUsername",
                     "caCertificate", "applicationId", "ssoTokenBufferMinutes", "extraAuthParams", "clientId"):
            if oidc.get(name) not in (None, ""):
                out[name] = oidc[name]
        for name in ("companyId", "scopes", "issuer"):
            out.setdefault(name, "")
        by_client_id = self.config.get("client_id_readback") == "clientId"
        if by_client_id:
            if oidc.get("userId"):
                out["clientId"] = oidc["userId"]
            out["userId"] = self.config.get("user_id_claim") or "email"
        elif oidc.get("userId"):
            out["userId"] = oidc["userId"]
        secret = oidc.get("secret")
        visibility = self.config.get("secret_visibility", "omitted")
        if secret and visibility != "omitted":
            out["clientSecret" if by_client_id else "secret"] = secret if visibility == "clear" else "********"
        return out

    def _body(self, req):
        if req.json_error or (req.body.strip() and not isinstance(req.json, dict)):
            return None, self.error(400, "BadRequestError", "Request body is not a valid JSON object")
        return req.json or {}, None

    def _ssl_context(self, certificate=None):
        if certificate:
            ctx = ssl.create_default_context()
            ctx.load_verify_locations(cadata=certificate)
            return ctx
        if self.harness is not None and self.harness.pki is not None:
            return self.harness.pki.client_context()
        return ssl.create_default_context()

    def _discover(self, issuer, certificate=None):
        """(discovery document, None) or (None, vendor reason), fetched as the service would."""
        try:
            ctx = self._ssl_context(certificate)
        except (ssl.SSLError, ValueError):
            return None, "certificate is not a valid PEM CA certificate"
        url = issuer.rstrip("/") + "/.well-known/openid-configuration"
        try:
            with urllib.request.urlopen(url, timeout=5, context=ctx) as resp:
                raw = resp.read()
        except Exception as exc:  # any failure is the vendor's reason
            return None, "Unable to fetch the OpenID configuration from %s: %s" % (url, exc)
        try:
            doc = json.loads(raw.decode("utf-8"))
        except ValueError:
            return None, "The OpenID configuration at %s is not valid JSON" % url
        if not isinstance(doc, dict):
            return None, "The OpenID configuration at %s is not a JSON object" % url
        if str(doc.get("issuer", "")).rstrip("/") != issuer.rstrip("/"):
            return None, ("issuer mismatch: the OpenID configuration names issuer %r, expected %r"
                          % (doc.get("issuer"), issuer))
        for field in ("authorization_endpoint", "token_endpoint"):
            if not doc.get(field):
                return None, "The OpenID configuration at %s has no %s" % (url, field)
        return doc, None

    # -- operations -------------------------------------------------------------
    def list_networks(self, req):
        try:
            max_results = int(req.arg("maxResults", "10"))
        except ValueError:
            return self.bad_request("maxResults must be an integer")
        if not 1 <= max_results <= 100:
            return self.validation_error("maxResults", "Member must have value between 1 and 100")
        if self.config.get("page_limit"):
            max_results = min(max_results, int(self.config["page_limit"]))
        sort_field = req.arg("sortFields", "networkId")
        if sort_field not in ("networkId", "networkName"):
            return self.validation_error("sortFields", "Member must be one of networkId, networkName")
        direction = req.arg("sortDirection", "ASC")
        if direction not in ("ASC", "DESC"):
            return self.validation_error("sortDirection", "Member must satisfy enum value set: [ASC, DESC]")
        offset = 0
        token = req.arg("nextToken")
        if token:
            try:
                offset = int(base64.urlsafe_b64decode(token.encode()).decode().split(":", 1)[1])
            except (ValueError, IndexError, UnicodeDecodeError):
                return self.bad_request("Invalid nextToken")
        networks = sorted(self.state["networks"].values(), key=lambda n: n[sort_field],
                          reverse=direction == "DESC")
        page = networks[offset:offset + max_results]
        out = {"networks": [dict((k, v) for k, v in n.items() if k != "oidc") for n in page]}
        if offset + max_results < len(networks):
            out["nextToken"] = base64.urlsafe_b64encode(("offset:%d" % (offset + max_results)).encode()).decode()
        return Response(200, out)

    def get_network(self, req, network_id):
        network, err = self._network_or_error(network_id)
        if err:
            return err
        return Response(200, dict((k, v) for k, v in network.items() if k != "oidc"))

    def get_oidc_info(self, req, network_id):
        network, err = self._network_or_error(network_id)
        if err:
            return err
        out = {"openidConnectInfo": self._oidc_view(network)}
        if any(req.arg(name) is not None for name in TOKEN_PARAMS):
            token_info, err = self._token_exchange(req, network)
            if err:
                return err
            out["tokenInfo"] = token_info
        return Response(200, out)

    def _token_exchange(self, req, network):
        oidc = network.get("oidc") or {}
        issuer = req.arg("url") or oidc.get("issuer")
        if not issuer:
            return None, self.bad_request("OIDC is not configured for this network; give url")
        doc, reason = self._discover(issuer, req.arg("certificate"))
        if reason:
            return None, self.bad_request(reason)
        form = {"grant_type": req.arg("grantType") or "authorization_code"}
        for param, field in (("code", "code"), ("redirectUri", "redirect_uri"), ("clientId", "client_id"),
                             ("clientSecret", "client_secret"), ("codeVerifier", "code_verifier")):
            if req.arg(param):
                form[field] = req.arg(param)
        data = urllib.parse.urlencode(form).encode()
        http_req = urllib.request.Request(doc["token_endpoint"], data=data, method="POST",
                                          headers={"Content-Type": "application/x-www-form-urlencoded",
                                                   "Accept": "application/json"})
        try:
            with urllib.request.urlopen(http_req, timeout=5, context=self._ssl_context(req.arg("certificate"))) as r:
                tokens = json.loads(r.read().decode("utf-8"))
        except urllib.error.HTTPError as exc:
            try:
                detail = json.loads(exc.read().decode("utf-8"))
                text = "%s: %s" % (detail.get("error"), detail.get("error_description") or "")
            except ValueError:
                text = "HTTP %s" % exc.code
            return None, self.bad_request("Token exchange with the identity provider failed: %s" % text.strip())
        except Exception as exc:
            return None, self.bad_request("Token exchange with the identity provider failed: %s" % exc)
        info = {}
        for name, field in (("accessToken", "access_token"), ("idToken", "id_token"),
                            ("refreshToken", "refresh_token"), ("tokenType", "token_type"),
                            ("expiresIn", "expires_in")):
            if tokens.get(field) is not None:
                info[name] = tokens[field]
        verifier = req.arg("codeVerifier")
        if verifier:
            info["codeVerifier"] = verifier
            info["codeChallenge"] = base64.urlsafe_b64encode(
                hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")
        return info, None

    def register_oidc_config(self, req, network_id):
        network, err = self._network_or_error(network_id)
        if err:
            return err
        body, err = self._body(req)
        if err:
            return err
        for name in ("companyId", "issuer", "scopes"):
            if name not in body or body[name] is None:
                return self.validation_error(name, "Member must not be null")
        for name in SAVE_STRINGS:
            if body.get(name) is not None and not isinstance(body[name], str):
                return self.bad_request("Invalid type for %s: expected a string" % name)
        minutes = body.get("ssoTokenBufferMinutes")
        if minutes is not None and (isinstance(minutes, bool) or not isinstance(minutes, int)):
            return self.bad_request("Invalid type for ssoTokenBufferMinutes: expected an integer")
        if not body["companyId"].strip():
            return self.bad_request("Company ID is required")
        if not body["issuer"].strip():
            return self.bad_request("issuer is a required field")
        if not body["scopes"].strip():
            return self.bad_request("scopes is a required field")
        if self.config.get("company_id_rule") == "region_prefix":
            if not body["companyId"].startswith(self.config.get("region", "us-east-1") + "-"):
                return self.bad_request("Invalid companyId")
        previous = network.get("oidc") or {}
        if previous and self.config.get("resave") == "conflict":
            return self.bad_request("OIDC is already configured for this network")
        stored = {
            # a full save: what the request leaves out is not kept
            "companyId": body["companyId"], "issuer": body["issuer"], "scopes": body["scopes"],
            "userId": body.get("userId"), "secret": body.get("secret"), "customUsername": body.get("customUsername"),
            "extraAuthParams": body.get("extraAuthParams"), "ssoTokenBufferMinutes": minutes,
            # assigned by the service
            "applicationId": previous.get("applicationId") or 1,
            "applicationName": previous.get("applicationName") or "wickr-network-%s" % network_id,
            "redirectUrl": REDIRECT_URL,
            "caCertificate": previous.get("caCertificate"),
            "clientId": previous.get("clientId"),
        }
        for member in self.config.get("ignored_fields") or ():
            stored[member] = previous.get(member)
        network["oidc"] = stored
        return Response(200, self._oidc_view(network))

    def register_oidc_config_test(self, req, network_id):
        network, err = self._network_or_error(network_id)
        if err:
            return err
        body, err = self._body(req)
        if err:
            return err
        for name in ("issuer", "scopes"):
            if name not in body or body[name] is None:
                return self.validation_error(name, "Member must not be null")
            if not isinstance(body[name], str):
                return self.bad_request("Invalid type for %s: expected a string" % name)
        issuer = body["issuer"].strip()
        if not issuer:
            return self.bad_request("issuer is a required field")
        if not body["scopes"].strip():
            return self.bad_request("scopes is a required field")
        parts = urllib.parse.urlsplit(issuer)
        if parts.scheme != "https" or not parts.netloc:
            return self.bad_request("issuer contains an invalid endpoint")
        doc, reason = self._discover(issuer, body.get("certificate"))
        if reason:
            return self.bad_request(reason)
        out = {}
        for name, field in (("issuer", "issuer"), ("authorizationEndpoint", "authorization_endpoint"),
                            ("tokenEndpoint", "token_endpoint"), ("userinfoEndpoint", "userinfo_endpoint"),
                            ("endSessionEndpoint", "end_session_endpoint"), ("logoutEndpoint", "logout_endpoint"),
                            ("revocationEndpoint", "revocation_endpoint"),
                            ("responseTypesSupported", "response_types_supported"),
                            ("scopesSupported", "scopes_supported"), ("grantTypesSupported", "grant_types_supported"),
                            ("tokenEndpointAuthMethodsSupported", "token_endpoint_auth_methods_supported")):
            if doc.get(field) is not None:
                out[name] = doc[field]
        out["microsoftMultiRefreshToken"] = "login.microsoftonline.com" in issuer
        return Response(200, out)
