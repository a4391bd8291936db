# -*- coding: utf-8 -*-
# Copyright (c) sso.oidc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""AWS Wickr Admin API (private): connection, SigV4 signing, errors and the OIDC config resource.

Everything the Wickr modules need lives here:

* the connection options (amazon.aws names and AWS_* environment variables),
  the endpoint from botocore's own endpoint rule set for the ``wickr`` service,
  credentials from the options or botocore's standard chain, requests signed
  with botocore's ``SigV4Auth`` on the shared ``ApiClient``'s ``auth`` hook;
* the rest-json error parser (``x-amzn-ErrorType``, ``__type``, ``message``,
  ``reasons``);
* :class:`WickrOidcConfig`, the one ``Resource`` behind ``wickr_oidc_config``
  and ``wickr_oidc_configs``, and :func:`run_info` behind ``wickr_oidc_info``.

botocore is imported here only, so no other module of the collection pays for it.
"""

from __future__ import annotations

import copy
import re
import sys
import traceback

try:
    from urllib.parse import quote, unquote, urlsplit, urlunsplit
except ImportError:  # pragma: no cover
    pass

from ansible.module_utils.basic import missing_required_lib

from ansible_collections.sso.oidc.plugins.module_utils._env import ca_file_fallback, env_fallback

from ansible_collections.sso.oidc.plugins.module_utils._http import MASK, ApiClient, ApiError, refuse_url_credentials
from ansible_collections.sso.oidc.plugins.module_utils._reconcile import InputError, Resource

BOTOCORE_IMPORT_ERROR = None
try:
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials
    from botocore.exceptions import BotoCoreError, ProfileNotFound
    HAS_BOTOCORE = True
except ImportError:  # pragma: no cover - exercised by the sanity import test
    SigV4Auth = AWSRequest = Credentials = None
    BotoCoreError = ProfileNotFound = Exception
    HAS_BOTOCORE = False
    BOTOCORE_IMPORT_ERROR = traceback.format_exc()

SERVICE = "Wickr"
SIGNING_NAME = "wickr"
#: the first botocore release whose data has the ``wickr`` service model (botocore/data/wickr/2024-02-01):
#: 1.42.13 has none, 1.42.14 has it (CHANGELOG "api-change:``wickr``")
BOTOCORE_MIN = (1, 42, 14)
NETWORK_ID_RE = re.compile(r"^[0-9]{8}$")
REGION_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)+$")
# Error codes that mean "these credentials do not work here".
AUTH_ERROR_CODES = frozenset((
    "InvalidSignatureException", "SignatureDoesNotMatch", "UnrecognizedClientException",
    "InvalidClientTokenId", "ExpiredTokenException", "ExpiredToken", "MissingAuthenticationTokenException",
    "IncompleteSignatureException", "UnauthorizedError",
))
DENIED_ERROR_CODES = frozenset(("AccessDeniedException", "ForbiddenError"))

# ---------------------------------------------------------------- argument specs
CONNECTION_SPEC = {
    "access_key": {"type": "str", "no_log": False, "aliases": ["aws_access_key_id", "aws_access_key"]},
    "secret_key": {"type": "str", "no_log": True, "aliases": ["aws_secret_access_key", "aws_secret_key"]},
    "session_token": {"type": "str", "no_log": True, "aliases": ["aws_session_token", "security_token"]},
    "profile": {"type": "str", "aliases": ["aws_profile"]},
    "region": {"type": "str", "aliases": ["aws_region"],
               "fallback": (env_fallback, ["AWS_REGION", "AWS_DEFAULT_REGION"])},
    "endpoint_url": {"type": "str", "aliases": ["aws_endpoint_url"],
                     "fallback": (env_fallback, ["AWS_ENDPOINT_URL_WICKR", "AWS_ENDPOINT_URL"])},
    "use_fips_endpoint": {"type": "bool", "default": False,
                          "fallback": (env_fallback, ["AWS_USE_FIPS_ENDPOINT"])},
    "use_dualstack_endpoint": {"type": "bool", "default": False,
                               "fallback": (env_fallback, ["AWS_USE_DUALSTACK_ENDPOINT"])},
    "aws_ca_bundle": {"type": "path", "fallback": (ca_file_fallback, ["AWS_CA_BUNDLE"])},
    "validate_certs": {"type": "bool", "default": True},
    "timeout": {"type": "int", "default": 30},
}

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

# option -> GetOidcInfo query parameter (token exchange)
TOKEN_QUERY = (
    ("token_client_id", "clientId"), ("code", "code"), ("grant_type", "grantType"),
    ("redirect_uri", "redirectUri"), ("url", "url"), ("token_client_secret", "clientSecret"),
    ("code_verifier", "codeVerifier"), ("certificate", "certificate"),
)
TOKEN_SECRET_PARAMS = ("clientSecret", "code", "codeVerifier")

# canonical option <-> RegisterOidcConfig / OidcConfigInfo member (the fields a save carries)
SAVE_FIELDS = (
    ("company_id", "companyId"), ("issuer", "issuer"), ("scopes", "scopes"), ("client_id", "userId"),
    ("secret", "secret"), ("custom_username", "customUsername"), ("extra_auth_params", "extraAuthParams"),
    ("sso_token_buffer_minutes", "ssoTokenBufferMinutes"),
)
CANONICAL_FIELDS = ("network_id",) + tuple(opt for opt, _api in SAVE_FIELDS)
REQUIRED_ON_CREATE = ("company_id", "issuer", "scopes")

_MASK_WORDS = frozenset(("redacted", "<redacted>", "hidden", "sensitive", "masked", "<sensitive>"))


def connection_options():
    return copy.deepcopy(CONNECTION_SPEC)


def resource_options():
    return copy.deepcopy(RESOURCE_SPEC)


def info_options():
    spec = copy.deepcopy(CONNECTION_SPEC)
    spec.update(copy.deepcopy(INFO_SPEC))
    return spec


# ---------------------------------------------------------------- small helpers
def _version_tuple(text):
    parts = []
    for piece in str(text or "").split("."):
        digits = re.match(r"[0-9]+", piece)
        if not digits:
            break
        parts.append(int(digits.group(0)))
    return tuple((parts + [0, 0, 0])[:3])


def check_botocore():
    """The start-up check: botocore is there and is a release with the wickr service model."""
    if not HAS_BOTOCORE:
        raise InputError(missing_required_lib("botocore >= %s" % ".".join(map(str, BOTOCORE_MIN))))
    import botocore  # pylint: disable=import-outside-toplevel
    version = getattr(botocore, "__version__", "")
    if _version_tuple(version) < BOTOCORE_MIN:
        raise InputError("botocore %s or later is required: it is the first release that has the AWS Wickr service "
                         "model (wickr, API 2024-02-01); this Python (%s) has botocore %s. Upgrade it, for example "
                         "pip install 'botocore>=%s', in the Python that runs the module (the execution "
                         "environment under AWX)" % (".".join(map(str, BOTOCORE_MIN)), sys.executable,
                                                     version or "of unknown version", ".".join(map(str, BOTOCORE_MIN))))


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


# ---------------------------------------------------------------- errors
CREDENTIAL_SOURCES = {
    "env": "the AWS_* environment variables", "shared-credentials-file": "the shared credentials file",
    "config-file": "the AWS config file", "sso": "IAM Identity Center (SSO)", "iam-role": "the instance role",
    "container-role": "the container role", "assume-role": "an assumed role", "process": "credential_process",
    "assume-role-with-web-identity": "a web identity role",
}


def parse_error(response, credential_source=None):
    """(vendor text, error code) from an AWS rest-json error response."""
    headers = response.headers or {}
    data = response.json if isinstance(response.json, dict) else {}
    code = None
    header_type = headers.get("x-amzn-ErrorType") or headers.get("X-Amzn-ErrorType")
    if header_type:
        code = header_type.split(":", 1)[0].strip()
    elif data.get("__type"):
        code = str(data["__type"]).rsplit("#", 1)[-1].split(":", 1)[0].strip()
    elif data.get("code") or data.get("Code"):
        code = str(data.get("code") or data.get("Code")).strip()
    code = code or None
    message = data.get("message") or data.get("Message")
    if not isinstance(message, str):
        message = None
    reasons = data.get("reasons")
    if isinstance(reasons, list) and reasons:
        details = []
        for reason in reasons:
            if isinstance(reason, dict):
                field, why = reason.get("field"), reason.get("reason")
                details.append("%s: %s" % (field, why) if field else str(why))
        if details:
            message = "%s (%s)" % (message or "validation failed", "; ".join(details))
    if message is None and code is None:
        return None, None
    text = "%s: %s" % (code, message) if code and message else (message or code)
    if code in AUTH_ERROR_CODES or (response.status == 403 and code not in DENIED_ERROR_CODES and code):
        text += (" Check the AWS credentials (secret_key, session_token, profile or the AWS_* environment"
                 " variables%s) and that region is the region of the Wickr network"
                 % ("; these came from %s" % credential_source if credential_source else ""))
    elif code in DENIED_ERROR_CODES:
        text += " The credentials are valid but lack permission for this Wickr API action (IAM prefix wickr:)"
    return text, code


class WickrTaskError(ApiError):
    """A failure of one item that is not an HTTP error (e.g. a config that cannot be created)."""

    def __init__(self, text, method="POST", path=""):
        super(WickrTaskError, self).__init__(SERVICE, method, path, vendor_text=text)

    @property
    def message(self):
        return self.vendor_text


# ---------------------------------------------------------------- connection
class WickrApiClient(ApiClient):
    """The shared client, with connection hints in the Wickr modules' option names."""

    def _transport_hint(self, exc, *args, **kwargs):
        hint = super(WickrApiClient, self)._transport_hint(exc, *args, **kwargs)
        return (hint.replace("Set ca_path to", "Set aws_ca_bundle (or AWS_CA_BUNDLE) to")
                .replace("check the URL", "check region or endpoint_url"))


class WickrConnection(object):
    """Connection to the Wickr admin API of one module run.

    Nothing here touches the network or the credential chain until the first
    request: ``api`` builds the ``ApiClient`` on first use, and credentials are
    resolved when the first request is signed.
    """

    def __init__(self, sm):
        self.sm = sm
        self.params = sm.params
        self._api = None
        self._credentials = None
        self._cred_source = None
        self._session = None
        self.region = None
        self.endpoint = None

    # -- validation (no network) -------------------------------------------
    def validate(self):
        p = self.params
        check_botocore()
        if p.get("access_key") and not p.get("secret_key"):
            raise InputError("secret_key: access_key is set but secret_key is not; give both, or neither to use "
                             "the AWS credential chain (environment, profile, SSO, instance role)")
        if p.get("secret_key") and not p.get("access_key"):
            raise InputError("access_key: secret_key is set but access_key is not; give both")
        if p.get("session_token") and not p.get("access_key"):
            raise InputError("session_token: only works with access_key and secret_key (temporary credentials)")
        if p.get("profile") and p.get("access_key"):
            raise InputError("profile: give either profile or access_key/secret_key, not both")
        region = p.get("region")
        if region is not None and not REGION_RE.match(region):
            raise InputError("region: %r is not an AWS region name (for example us-east-1)" % region)
        url = p.get("endpoint_url")
        if url:
            refused = refuse_url_credentials(
                "endpoint_url", url, "access_key and secret_key (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY), or "
                "profile (AWS_PROFILE)", module=self.sm)
            if refused:
                raise InputError(refused)
            parts = urlsplit(url)
            if parts.scheme not in ("https", "http") or not parts.netloc:
                raise InputError("endpoint_url: %r is not an http(s) URL" % url)
            if p.get("use_fips_endpoint") or p.get("use_dualstack_endpoint"):
                raise InputError("endpoint_url: a custom endpoint cannot be combined with use_fips_endpoint "
                                 "or use_dualstack_endpoint")
        if p.get("timeout") is not None and p["timeout"] <= 0:
            raise InputError("timeout: must be a positive number of seconds")

    # -- botocore session (only for profile, chain or profile settings) ------
    def _botocore_session(self):
        if self._session is None:
            import botocore.session  # pylint: disable=import-outside-toplevel
            try:
                self._session = botocore.session.Session(profile=self.params.get("profile") or None)
            except BotoCoreError as exc:
                raise InputError("profile: %s" % exc)
        return self._session

    def _resolve_region(self):
        region = self.params.get("region")
        if not region:
            try:
                region = self._botocore_session().get_config_variable("region")
            except BotoCoreError as exc:
                raise InputError("profile: %s" % exc)
        if not region:
            raise InputError("region: no AWS region; set region (or AWS_REGION / AWS_DEFAULT_REGION, or region in "
                             "the AWS profile). It is needed for the endpoint and to sign requests, also with "
                             "endpoint_url")
        if not REGION_RE.match(region):
            raise InputError("region: %r is not an AWS region name (for example us-east-1)" % region)
        return region

    def _resolve_endpoint(self, region):
        """The endpoint from botocore's endpoint rule set for wickr (FIPS, dual-stack, partitions)."""
        from botocore.endpoint_provider import EndpointProvider  # pylint: disable=import-outside-toplevel
        from botocore.loaders import create_loader  # pylint: disable=import-outside-toplevel
        p = self.params
        try:
            loader = create_loader()
            ruleset = loader.load_service_model("wickr", "endpoint-rule-set-1")
            partitions = loader.load_data("partitions")
            kwargs = {"Region": region, "UseFIPS": bool(p.get("use_fips_endpoint")),
                      "UseDualStack": bool(p.get("use_dualstack_endpoint"))}
            if p.get("endpoint_url"):
                kwargs["Endpoint"] = p["endpoint_url"]
            return EndpointProvider(ruleset, partitions).resolve_endpoint(**kwargs).url
        except BotoCoreError as exc:
            if p.get("endpoint_url"):
                return p["endpoint_url"]
            raise InputError("region: cannot build the Wickr endpoint for region %r: %s. Set endpoint_url, or "
                             "update botocore" % (region, exc))

    @property
    def api(self):
        if self._api is None:
            self.validate()
            self.region = self._resolve_region()
            self.endpoint = self._resolve_endpoint(self.region)
            p = self.params
            ca_path = p.get("aws_ca_bundle")
            if not ca_path and self._session is not None:
                ca_path = self._session.get_config_variable("ca_bundle")
            self._api = WickrApiClient(
                SERVICE, self.endpoint, validate_certs=p.get("validate_certs", True), ca_path=ca_path,
                timeout=p.get("timeout") or 30, headers={"Accept": "application/json"},
                auth=self.sign, error_parser=lambda response: parse_error(response, self._cred_source),
                warn=self.sm.warn, scrubber=self.sm.scrub,
                secret_params=TOKEN_SECRET_PARAMS)
            self.sm.register_client(self._api)
            self.sm.on_close(self._api.close)
        return self._api

    # -- credentials and signing -------------------------------------------
    def credentials(self):
        """Frozen credentials: the options, else the profile, else botocore's standard chain."""
        if self._credentials is None:
            p = self.params
            if p.get("access_key") and p.get("secret_key"):
                self._credentials = Credentials(p["access_key"], p["secret_key"], p.get("session_token"))
                self._cred_source = "the access_key and secret_key options"
            else:
                try:
                    creds = self._botocore_session().get_credentials()
                except BotoCoreError as exc:
                    if isinstance(exc, ProfileNotFound):
                        raise InputError("profile: %s (looked in the AWS config and credentials files)" % exc)
                    raise InputError("AWS credentials could not be loaded: %s" % exc)
                if creds is None:
                    raise InputError(
                        "no AWS credentials found: set access_key and secret_key (and session_token for temporary "
                        "credentials), or profile, or the AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / "
                        "AWS_SESSION_TOKEN or AWS_PROFILE environment variables, or run with an instance role")
                self._credentials = creds
                method = getattr(creds, "method", None)
                self._cred_source = CREDENTIAL_SOURCES.get(method) or "the AWS credential chain (%s)" % method
                if p.get("profile"):
                    self._cred_source += " of profile %s" % p["profile"]
        try:
            frozen = self._credentials.get_frozen_credentials()
        except BotoCoreError as exc:
            raise InputError("AWS credentials could not be refreshed: %s" % exc)
        # Keys learned from the chain (or a refresh) never appear in any message.
        self.sm.add_secret(frozen.secret_key)
        if frozen.token:
            self.sm.add_secret(frozen.token)
        return frozen

    def sign(self, method, url, headers, body):
        """ApiClient auth hook: SigV4 headers (service wickr) for this exact request, by botocore."""
        frozen = self.credentials()
        parts = urlsplit(url)
        params = []
        if parts.query:
            for pair in parts.query.split("&"):
                key, _sep, value = pair.partition("=")
                params.append((unquote(key), unquote(value)))
        request = AWSRequest(method=method, url=urlunsplit((parts.scheme, parts.netloc, parts.path, "", "")),
                             headers=dict(headers), data=body or b"", params=params)
        SigV4Auth(Credentials(frozen.access_key, frozen.secret_key, frozen.token), SIGNING_NAME,
                  self.region).add_auth(request)
        out = {}
        for name in ("Authorization", "X-Amz-Date", "X-Amz-Security-Token", "X-Amz-Content-SHA256"):
            if name in request.headers:
                out[name] = request.headers[name]
        return out


# ---------------------------------------------------------------- the resource
class WickrOidcConfig(Resource):
    """The OIDC configuration of one Wickr network (key: network_id).

    Canonical form: network_id, company_id, issuer, scopes (list), client_id,
    secret (only when the API shows it in clear), custom_username,
    extra_auth_params, sso_token_buffer_minutes. Empty values are left out.
    """

    service = SERVICE
    kind = "Wickr OIDC config"
    key = "network_id"
    secret_fields = ("secret",)
    write_only = ()  # the secret is compared when the read shows it in clear; see equal()
    #: what replaced resets when an entry leaves it out (required fields, client_id and the secret are kept)
    defaults = {"custom_username": "", "extra_auth_params": "", "sso_token_buffer_minutes": None}
    can_delete = False

    def __init__(self, conn, params=None, warn=None):
        super(WickrOidcConfig, self).__init__(conn, params if params is not None else conn.params)
        self.conn = conn
        self.warn = warn or (lambda msg: None)
        self._entry_opts = {}
        self._read_errors = {}
        self._secret_shown = False
        self._validated_connection = False

    @property
    def api(self):
        return self.conn.api

    # -- validation ----------------------------------------------------------
    def validate(self, entry, where, state):
        if not self._validated_connection:
            self.conn.validate()
            self._validated_connection = True
        if state not in ("merged", "replaced", "gathered"):
            raise InputError("state: the Wickr API has no way to remove an OIDC configuration, so %s is not "
                             "supported" % state)
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
                self.warn("%sscopes: %s does not include 'openid'; OpenID Connect sign-in needs it"
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
        self._entry_opts[str(network_id)] = {
            "validate": entry.get("validate", True) is not False,
            "ca_certificate": cert,
        }

    # -- reading -------------------------------------------------------------
    def read_one(self, network_id):
        """GetOidcInfo for one network: the raw config (with networkId), None when none is set.

        A 404 (no such network) is kept per network, so one unknown network fails
        only its own item."""
        path = oidc_path(network_id)
        response = self.api.request("GET", path, allow_status=(404,))
        if response.status == 404:
            self._read_errors[network_id] = self.api.http_error("GET", self.api.url(path), response)
            return None
        data = response.json
        if not isinstance(data, dict):
            raise ApiError(SERVICE, "GET", path, status=response.status,
                           vendor_text="the response is not a JSON object")
        info = data.get("openidConnectInfo") or {}
        if not isinstance(info, dict):
            info = {}
        if clear_secrets(info):
            self._secret_shown = True
        if not is_configured(info):
            return None
        raw = dict(info)
        raw["networkId"] = network_id
        return raw

    def list_network_ids(self):
        """Every network the credentials can see (ListNetworks, all pages)."""
        return [str(n["networkId"]) for n in list_networks(self.api) if n.get("networkId")]

    def read_all(self, keys=None):
        if keys is None:
            listed = [e.get("network_id") for e in (self.params.get("config") or []) if e.get("network_id")]
            keys = listed or self.list_network_ids()
        out = []
        for network_id in keys:
            raw = self.read_one(str(network_id))
            if raw is not None:
                out.append(raw)
        return out

    def normalize(self, raw):
        return normalize_raw(raw)

    def desired(self, entry):
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

    def match(self, want, existing):
        key = want.get("network_id")
        if key in self._read_errors:
            raise InputError(str(self._read_errors[key]))
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

    def equal(self, field, want, have):
        if _empty(want) and _empty(have):
            return True
        if field == "scopes":
            return set(split_scopes(want) or []) == set(split_scopes(have) or [])
        if field == "issuer":
            return isinstance(have, str) and want.rstrip("/") == have.rstrip("/")
        if field == "secret":
            if have is None:
                # The API does not show the secret: the update_secret policy decides.
                return (self.params.get("update_secret") or "on_create") != "always"
            return want == have
        if field == "sso_token_buffer_minutes":
            return _to_int(want) == _to_int(have)
        return want == have

    def written(self, field, want, have, item):
        """The read-back check of one written field. A secret the API does not show in clear cannot be
        checked (update_secret=always would otherwise count it as not kept); every other field must read
        back equal."""
        if field == "secret" and have is None:
            return True
        return self.equal(field, want, have)

    # -- writing -------------------------------------------------------------
    def _payload(self, values):
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

    def _test_issuer(self, network_id, values):
        """RegisterOidcConfigTest before a save (validate=true), in check mode too."""
        opts = self._entry_opts.get(network_id, {"validate": True, "ca_certificate": None})
        if not opts.get("validate", True):
            return None
        body = {"issuer": values.get("issuer"), "scopes": api_scopes(values.get("scopes")) or ""}
        if values.get("extra_auth_params"):
            body["extraAuthParams"] = values["extra_auth_params"]
        if opts.get("ca_certificate"):
            body["certificate"] = opts["ca_certificate"]
        try:
            return self.api.request("POST", oidc_path(network_id, "/test"), json_body=body).json
        except ApiError as exc:
            if exc.status is None or exc.status >= 500 or exc.status in (401, 403, 429):
                raise
            raise ApiError(exc.service, exc.method, exc.path, status=exc.status, vendor_text=exc.vendor_text,
                           request_id=exc.request_id, body=exc.body, error_code=exc.error_code,
                           hint="The issuer did not pass RegisterOidcConfigTest, so nothing was saved; fix issuer, "
                                "scopes, extra_auth_params or ca_certificate, or set validate=false to skip the test")

    @staticmethod
    def _given_values(want, given):
        """The save fields as the user wrote them (``given``); a field only ``want`` has (a default that
        replaced adds) in its canonical form."""
        given = given if given is not None else want
        values = {}
        for option, _member in SAVE_FIELDS:
            if given.get(option) is not None:
                values[option] = copy.deepcopy(given[option])
            elif option in want:
                values[option] = copy.deepcopy(want[option])
        return values

    def create_payload(self, want, given):
        network_id = want["network_id"]
        missing = [f for f in REQUIRED_ON_CREATE if _empty(want.get(f))]
        if missing:
            raise WickrTaskError(
                "network %s has no OIDC configuration yet; to register one set %s (missing: %s)"
                % (network_id, ", ".join(REQUIRED_ON_CREATE), ", ".join(missing)), path=oidc_path(network_id, "/save"))
        values = dict((k, v) for k, v in self._given_values(want, given).items()
                      if not (k in self.defaults and _empty(v)))
        self._test_issuer(network_id, values)
        return self._payload(values)

    def update_payload(self, item, want, changed, given):
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
        values.update(self._given_values(want, given))
        if "client_id" not in want:
            user_id, client_id = raw.get("userId") or "", raw.get("clientId") or ""
            if user_id and client_id and user_id != client_id:
                raise WickrTaskError(
                    "network %s: the read shows userId %r and clientId %r, and RegisterOidcConfig saves the whole "
                    "configuration; set client_id so that the save sends the right client ID as userId (nothing "
                    "was saved)" % (network_id, user_id, client_id), path=oidc_path(network_id, "/save"))
            values["client_id"] = user_id or client_id or None
        if values.get("secret") is None and secret_visibility(raw) == "masked":
            self.warn("network %s: RegisterOidcConfig saves the whole configuration and the API shows the stored "
                      "secret only masked, so it could not be sent again; set secret so the save keeps it"
                      % network_id)
        self._test_issuer(network_id, values)
        return self._payload(values)

    def build_create(self, want):
        return self.create_payload(want, None)

    def build_update(self, item, want, changed):
        return self.update_payload(item, want, changed, None)

    def _save(self, network_id, payload):
        response = self.api.request("POST", oidc_path(network_id, "/save"), json_body=payload)
        data = response.json if isinstance(response.json, dict) else {}
        if clear_secrets(data):
            self._secret_shown = True
        return network_id

    def send_create(self, payload, want):
        return self._save(want["network_id"], payload)

    def send_update(self, item, payload, want):
        return self._save(want["network_id"], payload)

    def send_delete(self, item):  # pragma: no cover - the engine never gets here (can_delete is False)
        raise InputError("the Wickr API has no operation to remove an OIDC configuration")

    def predict(self, item, want, changed):
        base = copy.deepcopy(item["canon"]) if item else {}
        for field in changed:
            if field in want:
                base[field] = copy.deepcopy(want[field])
        if item is None:
            base.update(copy.deepcopy(want))
        # The read-back shows the secret only when the API shows secrets in clear.
        shown = ("secret" in item["canon"]) if item else self._secret_shown
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


def config_entry(params):
    """The single module's options as one entry of the resource."""
    return dict((name, params.get(name)) for name in RESOURCE_SPEC if name != "update_secret")


def make_resource(sm):
    return WickrOidcConfig(WickrConnection(sm), sm.params, warn=sm.warn)


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


# ---------------------------------------------------------------- the network info module
#: option-space name <-> member of the botocore model's Network shape (ListNetworks)
NETWORK_FIELDS = (
    ("network_id", "networkId"), ("network_name", "networkName"), ("access_level", "accessLevel"),
    ("standing", "standing"), ("aws_account_id", "awsAccountId"), ("network_arn", "networkArn"),
    ("free_trial_expiration", "freeTrialExpiration"), ("migration_state", "migrationState"),
    ("encryption_key_arn", "encryptionKeyArn"),
)
LIST_PAGE_SIZE = 100  # the model's documented maximum for maxResults


def list_networks(api):
    """ListNetworks (``GET /networks``), every page: follows ``nextToken`` until the service gives none."""
    networks, token, seen = [], None, set()
    while True:
        query = [("maxResults", str(LIST_PAGE_SIZE))]
        if token:
            query.append(("nextToken", token))
        response = api.request("GET", "/networks?" + encode_query(query))
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


def describe_network(raw):
    """A Network of ListNetworks in option-space names (members the service leaves out are left out)."""
    out = {}
    for option, member in NETWORK_FIELDS:
        if raw.get(member) is not None:
            out[option] = str(raw[member]) if option == "network_id" else raw[member]
    return out


def network_info_options():
    return connection_options()


def run_network_info(sm):
    """wickr_network_info: every network the credentials can see, all pages of ListNetworks."""
    conn = WickrConnection(sm)
    conn.validate()
    networks = [describe_network(n) for n in list_networks(conn.api)]
    sm.exit(changed=False, networks=networks, msg="%d Wickr network(s) found" % len(networks),
            api_calls=sm.api_calls())


TOKEN_FIELDS = (
    ("access_token", "accessToken"), ("id_token", "idToken"), ("refresh_token", "refreshToken"),
    ("token_type", "tokenType"), ("expires_in", "expiresIn"), ("code_verifier", "codeVerifier"),
    ("code_challenge", "codeChallenge"),
)


def run_info(sm):
    conn = WickrConnection(sm)
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
    data = conn.api.request("GET", path).json
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
