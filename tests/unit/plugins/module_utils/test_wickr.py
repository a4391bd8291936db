# Copyright (c) sso.oidc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests of plugins/module_utils/_wickr_resource.py (normalisation, comparison, payloads, validation)
and _wickr_connection.py (errors, endpoint, credentials and SigV4 signing)."""

import datetime
import hashlib
import hmac
import json
import urllib.parse

import pytest

from ansible_collections.sso.oidc.plugins.module_utils import _wickr_connection as wc
from ansible_collections.sso.oidc.plugins.module_utils import _wickr_resource as w
from ansible_collections.sso.oidc.plugins.module_utils._http import MASK, ApiError, Response, Scrubber
from ansible_collections.sso.oidc.plugins.module_utils._reconcile import Engine, InputError, ItemFailure, Task

AWS_VARIABLES = (
    "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE", "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_WICKR",
    "AWS_CA_BUNDLE", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_ARN",
)


@pytest.fixture(autouse=True)
def no_aws_machine_settings(monkeypatch, tmp_path):
    for name in AWS_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


class FakeSm(object):
    """The parts of SsoModule the Wickr code uses (params, warnings, secrets, clients)."""

    def __init__(self, **params):
        base = dict((k, v.get("default")) for k, v in wc.connection_options().items())
        base.update(params)
        self.params = base
        self.warnings = []
        self.scrub = Scrubber()
        self.clients = []
        self.closers = []

    def warn(self, msg):
        self.warnings.append(msg)

    def add_secret(self, value):
        self.scrub.add(value)

    def register_client(self, client):
        self.clients.append(client)

    def on_close(self, fn):
        self.closers.append(fn)


def resource(update_secret="on_create", state="merged", entries=(), **params):
    """The resource over a connection of FakeSm(**params), and the Task of a run with ``entries``."""
    sm = FakeSm(**params)
    res = w.WickrOidcConfig(wc.connect(sm))
    task = Task(state=state, entries=entries, update_secret=update_secret, warn=sm.warn, add_secret=sm.add_secret)
    if entries:
        Engine(res, task).validate(set_module=True)
    return res, task, sm


def untested(network_id="12345678"):
    """The entries of a task whose network skips RegisterOidcConfigTest (validate=false)."""
    return [{"network_id": network_id, "validate": False, "ca_certificate": None}]


RAW = {
    "networkId": "12345678", "companyId": "acme", "issuer": "https://idp.example.com", "scopes": "openid  email profile",
    "userId": "wickr-app", "customUsername": "preferred_username", "extraAuthParams": "prompt=login",
    "ssoTokenBufferMinutes": 5, "applicationId": 1, "applicationName": "app", "redirectUrl": "https://r.example",
}


# ---------------------------------------------------------------- helpers
@pytest.mark.parametrize("value, expected", [
    ("openid profile email", ["openid", "profile", "email"]),
    (["openid", "profile email"], ["openid", "profile", "email"]),
    (["email", "openid", "email"], ["email", "openid"]),
    ("openid,email", ["openid", "email"]),
    ([], []),
    (None, None),
])
def test_split_scopes(value, expected):
    assert w.split_scopes(value) == expected


@pytest.mark.parametrize("value, masked", [
    ("********", True), ("****abcd", True), ("REDACTED", True), ("\u2022\u2022\u2022\u2022", True), ("xxxx", True),
    ("s3cr3t-value", False), ("a*b", False), ("", False),
])
def test_is_masked(value, masked):
    assert w.is_masked(value) is masked


def test_secret_visibility_and_clear_secrets():
    assert w.secret_visibility({}) == "omitted"
    assert w.secret_visibility({"secret": ""}) == "omitted"
    assert w.secret_visibility({"secret": "********"}) == "masked"
    assert w.secret_visibility({"clientSecret": "real-secret"}) == "clear"
    assert w.clear_secrets({"secret": "********", "clientSecret": "real-secret"}) == ["real-secret"]


def test_encode_query_uses_percent_twenty_never_plus():
    assert w.encode_query([("redirectUri", "https://a/b c"), ("code", "x+y")]) == \
        "redirectUri=https%3A%2F%2Fa%2Fb%20c&code=x%2By"


# ---------------------------------------------------------------- normalisation
def test_normalize_full_object():
    canon = w.normalize_raw(RAW)
    assert canon == {
        "network_id": "12345678", "company_id": "acme", "issuer": "https://idp.example.com",
        "scopes": ["openid", "email", "profile"], "client_id": "wickr-app", "custom_username": "preferred_username",
        "extra_auth_params": "prompt=login", "sso_token_buffer_minutes": 5,
    }


def test_normalize_drops_empties_and_server_fields():
    canon = w.normalize_raw({"networkId": "12345678", "companyId": "acme", "issuer": "https://i", "scopes": "openid",
                             "customUsername": "", "userId": "", "ssoTokenBufferMinutes": "7", "applicationId": 3})
    assert canon == {"network_id": "12345678", "company_id": "acme", "issuer": "https://i", "scopes": ["openid"],
                     "sso_token_buffer_minutes": 7}


def test_normalize_client_id_falls_back_to_client_id_member():
    assert w.normalize_raw(dict(RAW, userId="", clientId="cid"))["client_id"] == "cid"
    assert w.normalize_raw(dict(RAW, userId="email", clientId="cid"))["client_id"] == "email"


@pytest.mark.parametrize("members, expected", [
    ({}, None), ({"secret": "********"}, None), ({"secret": "clear-one"}, "clear-one"),
    ({"clientSecret": "clear-two"}, "clear-two"),
])
def test_normalize_secret_only_when_clear(members, expected):
    assert w.normalize_raw(dict(RAW, **members)).get("secret") == expected


def test_desired_takes_only_set_options_and_splits_scopes():
    res, task, _sm = resource()
    want = res.desired(task, {"network_id": "12345678", "scopes": "openid email", "issuer": None, "validate": True,
                              "ca_certificate": "pem", "custom_username": ""})
    assert want == {"network_id": "12345678", "scopes": ["openid", "email"], "custom_username": ""}


# ---------------------------------------------------------------- comparison
def test_equal_semantics():
    res, task, _sm = resource()

    def equal(field, want, have):
        return res.equal(task, field, want, have, None)
    assert equal("scopes", ["email", "openid"], ["openid", "email"])
    assert not equal("scopes", ["email", "openid", "profile"], ["openid", "email"])
    assert equal("issuer", "https://idp.example.com/", "https://idp.example.com")
    assert not equal("issuer", "https://other.example.com", "https://idp.example.com")
    assert equal("custom_username", "", None)
    assert not equal("custom_username", "", "x")
    assert equal("sso_token_buffer_minutes", 5, "5")


def test_secret_compare_follows_visibility_and_policy():
    res, task, _sm = resource(update_secret="on_create")
    assert res.equal(task, "secret", "new", None, None)  # not shown: on_create keeps it
    assert not res.equal(task, "secret", "new", "old", None)  # shown in clear: compared
    assert res.equal(task, "secret", "same", "same", None)
    always, task, _sm = resource(update_secret="always")
    assert not always.equal(task, "secret", "new", None, None)
    assert always.equal(task, "secret", "same", "same", None)  # shown: compare wins over always


def test_engine_differences_use_match_alternatives():
    res, task, _sm = resource()
    raw = dict(RAW, userId="email", clientId="wickr-app", clientSecret="shown-secret")
    existing = [{"raw": raw, "canon": res.normalize(task, raw)}]
    item = res.match(task, {"network_id": "12345678", "client_id": "wickr-app", "secret": "shown-secret"}, existing)
    assert item["canon"]["client_id"] == "wickr-app"
    assert item["canon"]["secret"] == "shown-secret"
    engine = Engine(res, task)
    assert engine.differences(item, {"network_id": "12345678", "client_id": "wickr-app", "secret": "shown-secret"}) \
        == []
    other = res.match(task, {"network_id": "12345678", "client_id": "other"}, existing)
    assert engine.differences(other, {"network_id": "12345678", "client_id": "other"}) == ["client_id"]


def test_an_empty_client_id_is_compared_with_the_primary_reading():
    res, task, _sm = resource()
    empty = dict(RAW, userId="", clientId="")
    item = res.match(task, {"network_id": "12345678", "client_id": ""},
                     [{"raw": empty, "canon": res.normalize(task, empty)}])
    assert Engine(res, task).differences(item, {"network_id": "12345678", "client_id": ""}) == []
    # userId may hold our client ID or a claim name: clearing is never reported as already done.
    claim = dict(RAW, userId="email", clientId="")
    item = res.match(task, {"network_id": "12345678", "client_id": ""},
                     [{"raw": claim, "canon": res.normalize(task, claim)}])
    assert Engine(res, task).differences(item, {"network_id": "12345678", "client_id": ""}) == ["client_id"]


def test_match_reports_a_read_error_for_its_own_network():
    res, task, _sm = resource()
    failed = ApiError("Wickr", "GET", "/networks/99999999/oidc", status=404, vendor_text="Network not found")
    task.memo["wickr.read_errors"] = {"99999999": failed}
    with pytest.raises(ApiError, match="HTTP 404") as exc:
        res.match(task, {"network_id": "99999999"}, [])
    assert exc.value is failed
    assert res.match(task, {"network_id": "12345678"}, []) is None


# ---------------------------------------------------------------- payloads and prediction
def test_create_payload_needs_required_fields():
    res, task, _sm = resource(entries=untested())
    want = {"network_id": "12345678", "issuer": "https://i"}
    with pytest.raises(ItemFailure) as exc:
        res.create_payload(task, want, want)
    assert str(exc.value) == ("network 12345678 has no OIDC configuration yet; to register one set company_id, issuer, "
                              "scopes (missing: company_id, scopes)")
    assert exc.value.option == "config[0].company_id"


def test_create_payload_without_test_call():
    res, task, _sm = resource(entries=untested())
    want = {"network_id": "12345678", "company_id": "acme", "issuer": "https://i", "scopes": ["openid", "email"],
            "client_id": "cid", "secret": "s3cret", "sso_token_buffer_minutes": 0, "custom_username": ""}
    payload = res.create_payload(task, want, want)
    assert payload == {"companyId": "acme", "issuer": "https://i", "scopes": "openid email", "userId": "cid",
                       "secret": "s3cret", "ssoTokenBufferMinutes": 0}
    assert res.mask_payload(payload)["secret"] == MASK
    assert payload["secret"] == "s3cret"


def test_update_payload_is_a_full_save_and_warns_for_a_masked_secret():
    res, task, sm = resource(entries=untested())
    raw = dict(RAW, secret="********")
    item = {"raw": raw, "canon": res.normalize(task, raw)}
    want = {"network_id": "12345678", "scopes": ["openid"]}
    payload = res.update_payload(task, item, want, ["scopes"], want)
    assert payload == {"companyId": "acme", "issuer": "https://idp.example.com", "scopes": "openid",
                       "userId": "wickr-app", "customUsername": "preferred_username", "extraAuthParams": "prompt=login",
                       "ssoTokenBufferMinutes": 5}
    assert len(sm.warnings) == 1 and "set secret" in sm.warnings[0]
    want = {"network_id": "12345678", "scopes": ["openid"], "secret": "given"}
    payload = res.update_payload(task, item, want, ["scopes"], want)
    assert payload["secret"] == "given"
    assert len(sm.warnings) == 1


def test_update_payload_without_client_id_refuses_to_guess():
    res, task, _sm = resource(entries=untested())
    raw = dict(RAW, userId="email", clientId="wickr-app")
    item = {"raw": raw, "canon": res.normalize(task, raw)}
    want = {"network_id": "12345678", "scopes": ["openid"]}
    with pytest.raises(ItemFailure, match="set client_id so that the save sends the right client ID") as exc:
        res.update_payload(task, item, want, ["scopes"], want)
    assert exc.value.option == "config[0].client_id"
    only = dict(RAW, userId="", clientId="wickr-app")
    payload = res.update_payload(task, {"raw": only, "canon": res.normalize(task, only)}, want, ["scopes"], want)
    assert payload["userId"] == "wickr-app"


def test_update_payload_replaced_clears_optional_fields():
    res, task, _sm = resource(entries=untested())
    item = {"raw": RAW, "canon": res.normalize(task, RAW)}
    want = dict(res.defaults, network_id="12345678", scopes=["openid"])
    payload = res.update_payload(task, item, want, ["custom_username", "scopes"], {"network_id": "12345678",
                                                                                   "scopes": ["openid"]})
    assert payload == {"companyId": "acme", "issuer": "https://idp.example.com", "scopes": "openid",
                       "userId": "wickr-app", "customUsername": "", "extraAuthParams": ""}


def test_predict_matches_what_the_read_back_shows():
    res, task, _sm = resource()
    hidden = {"raw": RAW, "canon": res.normalize(task, RAW)}
    predicted = res.predict(task, hidden, {"network_id": "12345678", "secret": "x1x1", "custom_username": ""},
                            ["secret", "custom_username"], {})
    assert "secret" not in predicted and "custom_username" not in predicted
    shown_raw = dict(RAW, secret="old-secret")
    shown = {"raw": shown_raw, "canon": res.normalize(task, shown_raw)}
    assert res.predict(task, shown, {"network_id": "12345678", "secret": "new-secret"}, ["secret"],
                       {})["secret"] == "new-secret"
    created = res.predict(task, None, {"network_id": "12345678", "company_id": "a", "issuer": "https://i",
                                       "scopes": ["openid"], "secret": "abcd"}, [], {})
    assert created == {"network_id": "12345678", "company_id": "a", "issuer": "https://i", "scopes": ["openid"]}
    task.memo["wickr.secret_shown"] = True
    assert res.predict(task, None, {"network_id": "12345678", "secret": "abcd"}, [], {})["secret"] == "abcd"


# ---------------------------------------------------------------- validation
GOOD = {"network_id": "12345678", "company_id": "acme", "issuer": "https://idp.example.com/realms/x",
        "scopes": ["openid"], "secret": "abcd", "sso_token_buffer_minutes": 0, "validate": True,
        "ca_certificate": "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"}


@pytest.mark.parametrize("change, message", [
    ({"network_id": "1234"}, "config[2].network_id: '1234' is not a Wickr network ID"),
    ({"network_id": "123456789"}, "network_id: '123456789' is not"),
    ({"network_id": "abcdefgh"}, "network_id: 'abcdefgh' is not"),
    ({"company_id": " "}, "config[2].company_id: must not be empty"),
    ({"issuer": "http://idp.example.com"}, "issuer: 'http://idp.example.com' is not an OpenID Connect issuer"),
    ({"issuer": "https://idp.example.com?x=1"}, "is not an OpenID Connect issuer"),
    ({"scopes": [" "]}, "scopes: must name at least one scope"),
    ({"secret": "abc"}, "secret: too short"),
    ({"sso_token_buffer_minutes": -1}, "sso_token_buffer_minutes: must be 0 or more"),
    ({"ca_certificate": "/etc/ssl/ca.pem"}, "ca_certificate: must be PEM text"),
])
def test_validate_rejects_bad_input(change, message):
    res, task, _sm = resource()
    entry = dict(GOOD, **change)
    with pytest.raises(InputError) as exc:
        res.validate(task, entry, "config[2].")
    assert message in str(exc.value)


def test_validate_accepts_good_input_and_the_entry_options_steer_the_test_call():
    res, task, sm = resource(entries=[dict(GOOD, validate=False)])
    assert sm.warnings == []
    # validate=false: no RegisterOidcConfigTest (no request is even tried: this connection has no region)
    assert res._test_issuer(task, "12345678", {"issuer": GOOD["issuer"], "scopes": ["openid"]}) is None
    res, task, sm = resource(entries=[dict(GOOD, scopes=["email"])])
    assert "does not include 'openid'" in sm.warnings[0]
    with pytest.raises(InputError, match="region: no AWS region"):
        res._test_issuer(task, "12345678", {"issuer": GOOD["issuer"], "scopes": ["email"]})


def test_validate_rejects_delete_states():
    res, task, _sm = resource(state="deleted")
    with pytest.raises(InputError, match="no way to remove"):
        res.validate(task, GOOD, "")


@pytest.mark.parametrize("params, message", [
    ({"access_key": "AKIA"}, "secret_key: access_key is set but secret_key is not"),
    ({"secret_key": "abcd"}, "access_key: secret_key is set"),
    ({"session_token": "tok"}, "session_token: only works with access_key"),
    ({"access_key": "AKIA", "secret_key": "abcd", "profile": "p"}, "profile: give either profile"),
    ({"region": "US East"}, "region: 'US East' is not an AWS region"),
    ({"endpoint_url": "admin.wickr"}, "endpoint_url: 'admin.wickr' is not an http(s) URL"),
    ({"endpoint_url": "https://x", "use_fips_endpoint": True}, "cannot be combined with use_fips_endpoint"),
    ({"timeout": 0}, "timeout: must be a positive"),
])
def test_connection_validation(params, message):
    conn = wc.WickrConnection(FakeSm(**params))
    with pytest.raises(InputError) as exc:
        conn.validate()
    assert message in str(exc.value)


# ---------------------------------------------------------------- endpoint and region
@pytest.mark.parametrize("params, url", [
    ({"region": "us-east-1"}, "https://admin.wickr.us-east-1.amazonaws.com"),
    ({"region": "ca-central-1", "use_fips_endpoint": True}, "https://admin.wickr-fips.ca-central-1.amazonaws.com"),
    ({"region": "us-east-1", "use_dualstack_endpoint": True}, "https://admin.wickr.us-east-1.api.aws"),
    ({"region": "cn-north-1"}, "https://admin.wickr.cn-north-1.amazonaws.com.cn"),
    ({"region": "eu-west-2", "endpoint_url": "https://vpce.example:8443/base"}, "https://vpce.example:8443/base"),
])
def test_endpoint_from_botocore_rule_set(params, url):
    sm = FakeSm(access_key="AKIDEXAMPLE", secret_key="secret", **params)
    conn = wc.connect(sm)
    assert sm.clients == [] and len(sm.closers) == 1  # connect() makes no client and no request
    assert conn.api.base_url == url
    assert sm.clients == [conn.api] and len(sm.closers) == 1


def test_region_is_required_and_can_come_from_the_profile(tmp_path, monkeypatch):
    conn = wc.WickrConnection(FakeSm(access_key="AKIDEXAMPLE", secret_key="secret"))
    with pytest.raises(InputError, match="region: no AWS region"):
        conn.api  # pylint: disable=pointless-statement
    (tmp_path / "config").write_text("[profile ops]\nregion = ap-southeast-2\n")
    conn = wc.WickrConnection(FakeSm(profile="ops"))
    assert conn.api.base_url == "https://admin.wickr.ap-southeast-2.amazonaws.com"


def test_region_from_environment(monkeypatch):
    from ansible_collections.sso.oidc.plugins.module_utils._env import env_fallback
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-central-1")
    fallback = wc.connection_options()["region"]["fallback"]
    assert fallback[0] is env_fallback and fallback[0](*fallback[1]) == "eu-central-1"
    monkeypatch.setenv("AWS_REGION", "eu-west-1")
    assert fallback[0](*fallback[1]) == "eu-west-1"


# ---------------------------------------------------------------- credentials
def test_credentials_from_options_are_frozen_and_scrubbed():
    sm = FakeSm(access_key="AKIDEXAMPLE", secret_key="opt-secret-key", session_token="opt-session-token")
    frozen = wc.WickrConnection(sm).credentials()
    assert (frozen.access_key, frozen.secret_key, frozen.token) == ("AKIDEXAMPLE", "opt-secret-key",
                                                                    "opt-session-token")
    assert sm.scrub("x opt-secret-key y opt-session-token") == "x %s y %s" % (MASK, MASK)


def test_credentials_from_the_environment_chain(monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDENV")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "env-secret-key")
    monkeypatch.setenv("AWS_SESSION_TOKEN", "env-session-token")
    sm = FakeSm(region="us-east-1")
    conn = wc.WickrConnection(sm)
    frozen = conn.credentials()
    assert (frozen.access_key, frozen.token) == ("AKIDENV", "env-session-token")
    assert conn._cred_source == "the AWS_* environment variables"
    assert "env-secret-key" not in sm.scrub("env-secret-key and env-session-token")
    assert "env-session-token" not in sm.scrub("env-session-token")


def test_credentials_from_a_profile(tmp_path):
    (tmp_path / "credentials").write_text("[ops]\naws_access_key_id = AKIDPROFILE\naws_secret_access_key = prof-key\n")
    frozen = wc.WickrConnection(FakeSm(profile="ops")).credentials()
    assert (frozen.access_key, frozen.secret_key) == ("AKIDPROFILE", "prof-key")


def test_no_credentials_and_unknown_profile_fail_clearly():
    with pytest.raises(InputError, match="no AWS credentials found: set access_key and secret_key"):
        wc.WickrConnection(FakeSm(region="us-east-1")).credentials()
    with pytest.raises(InputError, match="profile: The config profile \\(nope\\) could not be found"):
        wc.WickrConnection(FakeSm(profile="nope")).credentials()


def test_a_refresh_failure_during_the_run_fails_that_request_only():
    from botocore.exceptions import BotoCoreError

    class Expired(object):
        def get_frozen_credentials(self):
            raise BotoCoreError()

    conn = wc.WickrConnection(FakeSm(access_key="AKIDEXAMPLE", secret_key="opt-secret-key", region="us-east-1"))
    assert "Authorization" in conn.sign("GET", conn.api.url("/networks"), {}, b"")
    conn._credentials = Expired()  # the chain's credentials expire and cannot be refreshed
    with pytest.raises(ApiError) as exc:
        conn.sign("POST", conn.api.url("/networks/12345678/oidc/save"), {}, b"{}")
    assert (exc.value.method, exc.value.path) == ("POST", "/networks/12345678/oidc/save")
    assert "AWS credentials could not be refreshed" in str(exc.value)


def test_connection_hints_name_the_wickr_options():
    sm = FakeSm(access_key="AKIDEXAMPLE", secret_key="opt-secret-key", region="us-east-1",
                endpoint_url="https://127.0.0.1:9")
    with pytest.raises(ApiError) as exc:
        wc.connect(sm).request("GET", "/networks", retry=False)
    assert exc.value.status is None
    assert "could not connect" in str(exc.value) and "check region or endpoint_url" in str(exc.value)
    assert "check the URL" not in str(exc.value)


# ---------------------------------------------------------------- SigV4
def _hmac(key, msg):
    return hmac.new(key, msg.encode("utf-8"), hashlib.sha256).digest()


def _reference_signature(method, host, path, query, headers, body, access_key, secret, region, stamp):
    """SigV4 computed by hand from the AWS specification (independent of botocore)."""
    q = sorted((urllib.parse.quote(k, safe="-_.~"), urllib.parse.quote(v, safe="-_.~"))
               for k, v in urllib.parse.parse_qsl(query, keep_blank_values=True))
    signed = dict((k.lower(), " ".join(str(v).split())) for k, v in headers.items())
    signed["host"] = host
    names = sorted(signed)
    canonical = "\n".join([method, path, "&".join("%s=%s" % kv for kv in q),
                           "".join("%s:%s\n" % (n, signed[n]) for n in names), ";".join(names),
                           hashlib.sha256(body).hexdigest()])
    scope = "%s/%s/wickr/aws4_request" % (stamp[:8], region)
    to_sign = "\n".join(["AWS4-HMAC-SHA256", stamp, scope, hashlib.sha256(canonical.encode()).hexdigest()])
    key = _hmac(_hmac(_hmac(_hmac(("AWS4" + secret).encode(), stamp[:8]), region), "wickr"), "aws4_request")
    return "AWS4-HMAC-SHA256 Credential=%s/%s, SignedHeaders=%s, Signature=%s" % (
        access_key, scope, ";".join(names), hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest())


def test_sign_matches_the_sigv4_specification(monkeypatch):
    fixed = datetime.datetime(2026, 3, 1, 12, 30, 45)
    monkeypatch.setattr("botocore.auth.get_current_datetime", lambda: fixed)
    sm = FakeSm(access_key="AKIDEXAMPLE", secret_key="wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
                session_token="session-token-example", region="eu-west-1")
    conn = wc.WickrConnection(sm)
    api = conn.api
    body = json.dumps({"issuer": "https://i", "scopes": "openid"}).encode()
    url = api.url("/networks/12345678/oidc?redirectUri=" + urllib.parse.quote("https://a/b c", safe="-_.~")
                  + "&code=x%2By")
    headers = {"User-Agent": "ua", "Accept": "application/json", "Content-Type": "application/json"}
    out = conn.sign("GET", url, headers, body)
    assert out["X-Amz-Date"] == "20260301T123045Z"
    assert out["X-Amz-Security-Token"] == "session-token-example"
    expected = _reference_signature(
        "GET", "admin.wickr.eu-west-1.amazonaws.com", "/networks/12345678/oidc",
        "redirectUri=https%3A%2F%2Fa%2Fb%20c&code=x%2By",
        {"Accept": "application/json", "Content-Type": "application/json", "X-Amz-Date": "20260301T123045Z",
         "X-Amz-Security-Token": "session-token-example"},
        body, "AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "eu-west-1", "20260301T123045Z")
    assert out["Authorization"] == expected


# ---------------------------------------------------------------- errors
def _response(status, body=None, headers=None):
    return Response(status, headers or {}, json.dumps(body) if body is not None else "")


def test_parse_error_header_type_and_reasons():
    text, code = wc.parse_error(_response(422, {"message": "bad input", "reasons": [
        {"field": "issuer", "reason": "invalid"}, {"field": "scopes", "reason": "missing"}]},
        {"x-amzn-ErrorType": "ValidationError:http://internal.amazon.com/coral/com.amazonaws.wickr/"}))
    assert code == "ValidationError"
    assert text == "ValidationError: bad input (issuer: invalid; scopes: missing)"


@pytest.mark.parametrize("body, code", [
    ({"__type": "com.amazonaws.wickr#ResourceNotFoundError", "message": "Network not found"}, "ResourceNotFoundError"),
    ({"code": "BadRequestError", "message": "Network not found"}, "BadRequestError"),
    ({"Message": "Network not found"}, None),
])
def test_parse_error_body_forms(body, code):
    text, parsed = wc.parse_error(_response(404, body))
    assert parsed == code
    assert text.endswith("Network not found")


def test_parse_error_auth_hint_and_non_json():
    text, code = wc.parse_error(_response(403, {"message": "The request signature we calculated does not match"},
                                          {"x-amzn-ErrorType": "InvalidSignatureException"}))
    assert code == "InvalidSignatureException"
    assert "Check the AWS credentials (secret_key" in text
    text, code = wc.parse_error(_response(403, {"message": "bad"}, {"x-amzn-ErrorType": "UnrecognizedClientException"}),
                                "the shared credentials file of profile ops")
    assert "variables; these came from the shared credentials file of profile ops)" in text
    text, code = wc.parse_error(_response(403, {"message": "no"}, {"x-amzn-ErrorType": "AccessDeniedException"}))
    assert "lack permission" in text
    assert wc.parse_error(Response(502, {"Content-Type": "text/html"}, "<html>bad gateway</html>")) == (None, None)


def test_describe_config_for_the_info_module():
    out = w.describe_config("12345678", dict(RAW, clientId="cid", secret="********", caCertificate="PEM"))
    assert out["configured"] is True and out["secret"] == MASK and out["secret_visibility"] == "masked"
    assert out["user_id"] == "wickr-app" and out["oauth_client_id"] == "cid" and out["client_id"] == "wickr-app"
    assert out["redirect_url"] == "https://r.example" and out["application_id"] == 1 and out["ca_certificate"] == "PEM"
    assert w.describe_config("12345678", {"companyId": "", "issuer": "", "scopes": ""}) == \
        {"network_id": "12345678", "configured": False}
