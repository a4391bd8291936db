# -*- coding: utf-8 -*-
# Copyright (c) sso.oidc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""AWS Wickr Admin API connection (private): options, endpoint, credentials, SigV4 signing, errors.

* the connection options (amazon.aws names and AWS_* environment variables);
* :class:`WickrConnection`: the endpoint from botocore's own endpoint rule set for the
  ``wickr`` service, credentials from the options or botocore's standard chain, requests
  signed with botocore's ``SigV4Auth`` on the shared ``ApiClient``'s ``auth`` hook;
* :func:`connect`, the one factory the modules use (no network call);
* :func:`parse_error`, the rest-json error parser (``x-amzn-ErrorType``, ``__type``,
  ``message``, ``reasons``) and its hints.

botocore is imported here only (and by the Wickr resource file through this one), so no
other module of the collection pays for it.
"""

from __future__ import annotations

import re
import sys

from urllib.parse import unquote, urlsplit, urlunsplit

from ansible.module_utils.basic import missing_required_lib

from ansible_collections.sso.oidc.plugins.module_utils._env import ca_file_fallback, env_fallback
from ansible_collections.sso.oidc.plugins.module_utils._http import ApiClient, ApiError, refuse_url_credentials
from ansible_collections.sso.oidc.plugins.module_utils._module import tls_options
from ansible_collections.sso.oidc.plugins.module_utils._reconcile import InputError

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

SERVICE = "Wickr"
SIGNING_NAME = "wickr"
#: the first botocore release whose data has the ``wickr`` service model (botocore/data/wickr/2024-02-01):
#: 1.42.13 has none, 1.42.14 has it (CHANGELOG "api-change:``wickr``")
BOTOCORE_MIN = (1, 42, 14)
REGION_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)+$")
#: GetOidcInfo query parameters (the token exchange) whose values never appear in messages
TOKEN_SECRET_PARAMS = ("clientSecret", "code", "codeVerifier")
# Error codes that mean "these credentials do not work here".
AUTH_ERROR_CODES = frozenset((
    "InvalidSignatureException", "SignatureDoesNotMatch", "UnrecognizedClientException",
    "InvalidClientTokenId", "ExpiredTokenException", "ExpiredToken", "MissingAuthenticationTokenException",
    "IncompleteSignatureException", "UnauthorizedError",
))
DENIED_ERROR_CODES = frozenset(("AccessDeniedException", "ForbiddenError"))
CREDENTIAL_SOURCES = {
    "env": "the AWS_* environment variables", "shared-credentials-file": "the shared credentials file",
    "config-file": "the AWS config file", "sso": "IAM Identity Center (SSO)", "iam-role": "the instance role",
    "container-role": "the container role", "assume-role": "an assumed role", "process": "credential_process",
    "assume-role-with-web-identity": "a web identity role",
}

#: the amazon.aws connection options; validate_certs and timeout are the collection's own
#: (the CA bundle is aws_ca_bundle, as amazon.aws names it, so there is no ca_path)
AWS_OPTIONS = {
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
}


def connection_options():
    """The connection option spec of every Wickr module."""
    spec = tls_options()
    del spec["ca_path"]  # aws_ca_bundle instead
    spec.update((name, dict(opt)) for name, opt in AWS_OPTIONS.items())
    return spec


# ---------------------------------------------------------------- botocore
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


# ---------------------------------------------------------------- errors
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


class WickrApiClient(ApiClient):
    """The shared client, with connection hints in the Wickr modules' option names."""

    def request(self, *args, **kwargs):
        try:
            return super(WickrApiClient, self).request(*args, **kwargs)
        except ApiError as exc:
            if exc.status is None and exc.hint:  # no answer: the client's TLS and connection hints
                exc.hint = (exc.hint.replace("Set ca_path to", "Set aws_ca_bundle (or AWS_CA_BUNDLE) to")
                            .replace("check the URL", "check region or endpoint_url"))
            raise


# ---------------------------------------------------------------- connection
class WickrConnection(object):
    """Connection to the Wickr admin API of one module run.

    Nothing here touches the network or the credential chain until the first
    request: ``api`` builds the ``ApiClient`` on first use (after :meth:`validate`),
    and credentials are resolved when the first request is signed.
    """

    def __init__(self, sm):
        self.sm = sm
        #: the connection options of the module run (nothing else of its parameters)
        self.options = dict((name, sm.params.get(name)) for name in connection_options())
        self._api = None
        self._credentials = None
        self._cred_source = None
        self._session = None
        self._signed = False
        self.region = None
        self.endpoint = None

    # -- validation (no network) -------------------------------------------
    def validate(self):
        """The connection options, checked before any request (InputError names the option)."""
        p = self.options
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
                self._session = botocore.session.Session(profile=self.options.get("profile") or None)
            except BotoCoreError as exc:
                raise InputError("profile: %s" % exc)
        return self._session

    def _resolve_region(self):
        region = self.options.get("region")
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
        p = self.options
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
        """The module run's ``ApiClient``, built (and registered with the module) on first use."""
        if self._api is None:
            self.validate()
            self.region = self._resolve_region()
            self.endpoint = self._resolve_endpoint(self.region)
            p = self.options
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
        return self._api

    def request(self, method, path, **kwargs):
        """One request through the module run's client (see ``ApiClient.request``)."""
        return self.api.request(method, path, **kwargs)

    def close(self):
        if self._api is not None:
            self._api.close()

    # -- credentials and signing -------------------------------------------
    def credentials(self):
        """Frozen credentials: the options, else the profile, else botocore's standard chain."""
        if self._credentials is None:
            p = self.options
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
        parts = urlsplit(url)
        try:
            frozen = self.credentials()
        except InputError as exc:
            if not self._signed:
                raise  # before the first request: the input (options, profile, chain) is at fault
            # a refresh during the run fails the request that needed it, like any failed call
            raise ApiError(SERVICE, method, parts.path, vendor_text=str(exc))
        params = []
        if parts.query:
            for pair in parts.query.split("&"):
                key, _sep, value = pair.partition("=")
                params.append((unquote(key), unquote(value)))
        request = AWSRequest(method=method, url=urlunsplit((parts.scheme, parts.netloc, parts.path, "", "")),
                             headers=dict(headers), data=body or b"", params=params)
        SigV4Auth(Credentials(frozen.access_key, frozen.secret_key, frozen.token), SIGNING_NAME,
                  self.region).add_auth(request)
        self._signed = True
        out = {}
        for name in ("Authorization", "X-Amz-Date", "X-Amz-Security-Token", "X-Amz-Content-SHA256"):
            if name in request.headers:
                out[name] = request.headers[name]
        return out


def connect(sm):
    """The Wickr connection of a module run: no network call (the client and credentials are built lazily)."""
    conn = WickrConnection(sm)
    sm.on_close(conn.close)
    return conn
