# Copyright (c) sso.oidc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests of plugins/module_utils/_checkmarx_connection.py and _checkmarx_resource.py: hashing, normalisation,
payloads, validation, errors."""

import base64
import copy
import hashlib

import pytest

from ansible_collections.sso.oidc.plugins.module_utils import _checkmarx_connection as cxc
from ansible_collections.sso.oidc.plugins.module_utils import _checkmarx_resource as cx
from ansible_collections.sso.oidc.plugins.module_utils._http import MASK, Response
from ansible_collections.sso.oidc.plugins.module_utils._reconcile import InputError, ItemFailure, Task

from simulators import checkmarx as sim_cx

# The vendor sample of GET /OIDCClients/{id} (shared/seeds/002), verbatim.
SAMPLE = {
    "id": 4, "updateAccessTokenClaimsOnRefresh": False, "accessTokenType": 0, "includeJwtId": False,
    "alwaysIncludeUserClaimsInIdToken": False, "clientId": "resource_owner_sast_client",
    "clientName": "Cx Sast Resource Owner Client", "allowOfflineAccess": True,
    "clientSecrets": ["7PXDgKOvDnF+YLUEpZ02brsgAAfeyld6n2D/qd4UunM="], "allowedGrantTypes": ["password"],
    "allowedScopes": ["sast_api", "access_control_api", "offline_access"], "enabled": True,
    "requireClientSecret": True, "redirectUris": [], "postLogoutRedirectUris": [], "frontChannelLogoutUri": None,
    "frontChannelLogoutSessionRequired": True, "backChannelLogoutUri": None, "backChannelLogoutSessionRequired": True,
    "identityTokenLifetime": 300, "accessTokenLifetime": 3600, "authorizationCodeLifetime": 300,
    "absoluteRefreshTokenLifetime": 2592000, "slidingRefreshTokenLifetime": 1296000, "refreshTokenUsage": 1,
    "refreshTokenExpiration": 1, "allowedCorsOrigins": [], "allowAccessTokensViaBrowser": False, "claims": [],
    "clientClaimsPrefix": "",
}


def resource():
    return cx.OidcClientResource(None)


def task(**kwargs):
    return Task(**kwargs)


def item_of(res, raw):
    return {"raw": raw, "canon": res.normalize(task(), raw)}


def build_create(res, tsk, want):
    """The create body of ``want`` given as written (canonical values as the user's)."""
    return res.create_payload(tsk, want, want)


def build_update(res, tsk, item, want, changed):
    return res.update_payload(tsk, item, want, changed, want)


def predict(res, tsk, item, want, changed):
    """The engine's prediction: the body first, then ``predict`` with it."""
    if item is None:
        return res.predict(tsk, None, want, changed, build_create(res, tsk, want))
    return res.predict(tsk, item, want, changed, build_update(res, tsk, item, want, changed))


def server_stores(payload, mode="hash"):
    """What the simulator (the vendor contract) stores for a body: secrets hashed or kept as sent."""
    stored = copy.deepcopy(payload)
    if mode == "hash":
        stored["clientSecrets"] = [sim_cx.secret_hash(v) for v in payload.get("clientSecrets") or []]
    return stored


# ---------------------------------------------------------------------------- hashing
def test_secret_hash_is_identityserver_sha256_of_the_documented_default_secret():
    assert cx.secret_hash(cxc.DEFAULT_AUTH_CLIENT_SECRET) == SAMPLE["clientSecrets"][0]
    assert cx.secret_hash("x") == sim_cx.secret_hash("x")
    assert base64.b64decode(cx.secret_hash("x", "sha512")) == hashlib.sha512(b"x").digest()


def test_looks_hashed():
    assert cx.looks_hashed(SAMPLE["clientSecrets"][0])
    assert cx.looks_hashed(cx.secret_hash("x", "sha512"))
    assert not cx.looks_hashed("plain-secret")
    assert not cx.looks_hashed(base64.b64encode(b"short").decode())
    assert not cx.looks_hashed(None)
    assert not cx.looks_hashed("ünïcode")


@pytest.mark.parametrize("plains, stored, expected", [
    (["a-secret"], [cx.secret_hash("a-secret")], True),
    (["a-secret"], ["a-secret"], True),                                  # server stores as sent
    (["a-secret"], [cx.secret_hash("a-secret", "sha512")], True),
    (["a-secret", "b-secret"], ["b-secret", cx.secret_hash("a-secret")], True),   # mixed forms, any order
    (["a-secret"], [cx.secret_hash("other")], False),                   # rotated
    (["a-secret"], [cx.secret_hash("a-secret"), cx.secret_hash("b-secret")], False),  # one too many
    (["a-secret", "b-secret"], [cx.secret_hash("a-secret")], False),    # one missing
    ([], [], True),
    ([], [cx.secret_hash("a-secret")], False),
    (["a-secret"], [], False),
    (["a-secret"], [cx.secret_hash("a-secret"), "a-secret"], False),     # two stored values for one secret
])
def test_secrets_match(plains, stored, expected):
    assert cx.secrets_match(plains, stored) is expected


# ---------------------------------------------------------------------------- normalisation
def test_normalize_the_vendor_sample():
    canon = resource().normalize(task(), SAMPLE)
    assert canon == {
        "client_id": "resource_owner_sast_client", "name": "Cx Sast Resource Owner Client", "enabled": True,
        "require_client_secret": True, "require_pkce": False, "client_secrets": SAMPLE["clientSecrets"],
        "allowed_grant_types": ["password"], "allowed_scopes": ["access_control_api", "offline_access", "sast_api"],
        "redirect_uris": [], "post_logout_redirect_uris": [], "front_channel_logout_uri": None,
        "front_channel_logout_session_required": True, "back_channel_logout_uri": None,
        "back_channel_logout_session_required": True, "allow_offline_access": True, "access_token_type": "jwt",
        "update_access_token_claims_on_refresh": False, "include_jwt_id": False,
        "always_include_user_claims_in_id_token": False, "identity_token_lifetime": 300,
        "access_token_lifetime": 3600, "authorization_code_lifetime": 300,
        "absolute_refresh_token_lifetime": 2592000, "sliding_refresh_token_lifetime": 1296000,
        "refresh_token_usage": "one_time_only", "refresh_token_expiration": "absolute", "allowed_cors_origins": [],
        "allow_access_tokens_via_browser": False, "claims": [], "client_claims_prefix": "",
    }
    assert "id" not in canon  # server-assigned: not an option, so check mode can predict end_state exactly


@pytest.mark.parametrize("option, api_value, canonical", [
    ("access_token_type", 1, "reference"),
    ("refresh_token_usage", 0, "reuse"),
    ("refresh_token_expiration", 0, "sliding"),
    ("access_token_type", 7, 7),                     # unknown number: kept, so it differs from any word
    ("refresh_token_usage", "OneTimeOnly", "one_time_only"),   # .NET enum names mean the same words
    ("refresh_token_usage", "ReUse", "reuse"),
    ("access_token_type", "Jwt", "jwt"),
    ("access_token_type", "Opaque", "Opaque"),
    ("front_channel_logout_uri", "", None),
    ("client_claims_prefix", None, ""),
    ("allowed_scopes", ["b", "a", "b"], ["a", "b"]),
    ("claims", [{"type": "t", "value": "2", "valueType": "string"}, {"type": "a", "value": "1"},
                {"type": "t", "value": "2"}], [{"type": "a", "value": "1"}, {"type": "t", "value": "2"}]),
    ("access_token_lifetime", "60", 60),
])
def test_to_canonical(option, api_value, canonical):
    assert cx.to_canonical(option, api_value) == canonical


def test_desired_keeps_only_what_was_set_in_canonical_form():
    entry = dict((name, None) for name in cx.OPTION_NAMES)
    entry.update(client_id="app", allowed_scopes=["openid", "api", "openid"], access_token_type="reference",
                 back_channel_logout_uri="", claims=[{"type": "role", "value": "x"}], enabled=False, state="present")
    assert resource().desired(task(), entry) == {
        "client_id": "app", "allowed_scopes": ["api", "openid"], "access_token_type": "reference",
        "back_channel_logout_uri": None, "claims": [{"type": "role", "value": "x"}], "enabled": False}


def test_to_api_maps_words_to_the_api_integers():
    assert cx.to_api("access_token_type", "reference") == 1
    assert cx.to_api("refresh_token_usage", "reuse") == 0
    assert cx.to_api("refresh_token_expiration", "sliding") == 0
    assert cx.to_api("claims", [{"type": "a", "value": "b"}]) == [{"type": "a", "value": "b"}]


def test_equal_compares_secrets_by_hash_and_follows_update_secret_always():
    res = resource()
    assert res.equal(task(), "client_secrets", ["abcd-1"], [cx.secret_hash("abcd-1")], None)
    assert not res.equal(task(), "client_secrets", ["abcd-2"], [cx.secret_hash("abcd-1")], None)
    assert res.equal(task(), "allowed_scopes", ["a"], ["a"], None)
    always = task(update_secret="always")
    assert not res.equal(always, "client_secrets", ["abcd-1"], [cx.secret_hash("abcd-1")], None)


@pytest.mark.parametrize("url, base", [
    ("https://cx.example.com", "https://cx.example.com"),
    ("https://cx.example.com/", "https://cx.example.com"),
    ("https://cx.example.com/cxrestapi", "https://cx.example.com"),
    ("https://cx.example.com/CxRestAPI/auth/", "https://cx.example.com"),
    ("http://10.0.0.5:8080/cxrestapi/auth", "http://10.0.0.5:8080"),
])
def test_normalize_url(url, base):
    assert cxc.normalize_url(url) == base


# ---------------------------------------------------------------------------- payloads
def test_build_create_sends_every_field_with_defaults_and_plaintext_secrets():
    res = resource()
    want = res.desired(task(), {"client_id": "app", "client_secrets": ["plain-1"], "access_token_type": "reference",
                                "allowed_grant_types": ["client_credentials"]})
    body = build_create(res, task(), want)
    assert set(body) == set(cx.FULL_KEYS) and "requirePkce" not in body  # sent only when given
    assert body["clientSecrets"] == ["plain-1"]
    assert body["accessTokenType"] == 1 and body["refreshTokenUsage"] == 1 and body["refreshTokenExpiration"] == 1
    assert body["clientName"] == "app" and body["enabled"] is True and body["allowedGrantTypes"] == ["client_credentials"]
    assert res.mask_payload(body)["clientSecrets"] == [MASK]
    assert body["clientSecrets"] == ["plain-1"]  # masking works on a copy


@pytest.mark.parametrize("mode", ["hash", "as_sent"])
def test_predict_create_is_what_the_server_stores(mode):
    res = resource()
    tsk = task()
    if mode == "as_sent":
        tsk.memo[cx.STORES_AS_SENT] = True
    want = res.desired(tsk, {"client_id": "app", "client_secrets": ["plain-1"],
                             "redirect_uris": ["https://b", "https://a"], "refresh_token_usage": "reuse"})
    predicted = predict(res, tsk, None, want, sorted(want))
    assert predicted == res.normalize(tsk, server_stores(build_create(res, tsk, want), mode))


def test_build_update_is_the_current_object_plus_the_changes_and_keeps_unknown_fields():
    res = resource()
    raw = dict(SAMPLE, id=9, clientId="app", clientSecrets=[], futureField={"kept": True})
    item = item_of(res, raw)
    want = res.desired(task(), {"client_id": "app", "access_token_lifetime": 60, "allowed_scopes": ["sast_api"]})
    body = build_update(res, task(), item, want, ["access_token_lifetime"])
    assert "id" not in body
    assert body["futureField"] == {"kept": True}
    assert body["accessTokenLifetime"] == 60
    assert body["allowedScopes"] == SAMPLE["allowedScopes"]  # not in changed: untouched
    assert body["clientSecrets"] == []


def test_update_with_the_secret_given_sends_the_plaintext_so_a_hashing_server_stores_the_same_hash():
    res = resource()
    item = item_of(res, dict(SAMPLE, clientId="app", clientSecrets=[cx.secret_hash("keep-me")]))
    want = res.desired(task(), {"client_id": "app", "client_secrets": ["keep-me"], "enabled": False})
    body = build_update(res, task(), item, want, ["enabled"])
    assert body["clientSecrets"] == ["keep-me"]
    stored = server_stores(body)
    assert stored["clientSecrets"] == item["raw"]["clientSecrets"]
    assert predict(res, task(), item, want, ["enabled"]) == res.normalize(task(), stored)


def test_update_on_a_server_that_stores_as_sent_sends_the_stored_form_back():
    res = resource()
    tsk = task()
    tsk.memo[cx.STORES_AS_SENT] = True
    stored = [cx.secret_hash("hashed-one"), "plain-two"]
    item = item_of(res, dict(SAMPLE, clientId="app", clientSecrets=stored))
    want = res.desired(tsk, {"client_id": "app", "client_secrets": ["hashed-one", "plain-two"], "enabled": False})
    assert sorted(build_update(res, tsk, item, want, ["enabled"])["clientSecrets"]) == sorted(stored)
    # without client_secrets: the stored values go back unchanged
    want = res.desired(tsk, {"client_id": "app", "enabled": False})
    assert build_update(res, tsk, item, want, ["enabled"])["clientSecrets"] == stored
    assert predict(res, tsk, item, want, ["enabled"])["client_secrets"] == sorted(stored)


def test_rotation_sends_the_new_plaintext():
    res = resource()
    item = item_of(res, dict(SAMPLE, clientId="app", clientSecrets=[cx.secret_hash("old-secret")]))
    want = res.desired(task(), {"client_id": "app", "client_secrets": ["new-secret"]})
    body = build_update(res, task(), item, want, ["client_secrets"])
    assert body["clientSecrets"] == ["new-secret"]
    assert predict(res, task(), item, want, ["client_secrets"])["client_secrets"] == [cx.secret_hash("new-secret")]


def test_update_without_secrets_sends_the_stored_values_back_unless_refused():
    stored = [cx.secret_hash("unknown")]
    res = resource()
    item = item_of(res, dict(SAMPLE, clientId="app", clientSecrets=stored))
    want = res.desired(task(), {"client_id": "app", "enabled": False})
    assert build_update(res, task(), item, want, ["enabled"])["clientSecrets"] == stored  # as CxSASTClientGo does
    refuse = task(options={"stored_secrets": "refuse"})
    refuse.where["app"] = "config[3]."
    with pytest.raises(ItemFailure) as exc:
        build_update(res, refuse, item, want, ["enabled"])
    assert str(exc.value).startswith("client_secrets: the client has 1 secret(s)")
    assert "enabled" in str(exc.value) and "stored_secrets=send_back" in str(exc.value)
    assert exc.value.key == "app" and exc.value.option == "config[3].client_secrets"
    # a client without secrets has nothing to lose
    item = item_of(res, dict(SAMPLE, clientId="app", clientSecrets=[]))
    assert build_update(res, refuse, item, want, ["enabled"])["clientSecrets"] == []


def test_read_all_learns_that_the_server_stores_as_sent():
    class FakeSession(object):
        def __init__(self, clients):
            self.clients = clients
            self.calls = []

        def request(self, method, path, **kwargs):
            self.calls.append((method, path))
            if path == cx.CLIENTS_PATH:
                return Response(200, {}, __import__("json").dumps(self.clients))
            cid = int(path.rsplit("/", 1)[1])
            return Response(200, {}, __import__("json").dumps([c for c in full if c["id"] == cid][0]))

    full = [dict(SAMPLE), dict(SAMPLE, id=5, clientId="b", clientSecrets=[cx.secret_hash("z")])]
    res = cx.OidcClientResource(FakeSession(full))
    learned = []
    tsk = task(add_secret=learned.append)
    res.read_all(tsk, ["b"])
    assert tsk.memo.get(cx.STORES_AS_SENT, False) is False
    assert sorted(learned) == sorted([SAMPLE["clientSecrets"][0], cx.secret_hash("z")])  # scrubbed from messages
    full.append(dict(SAMPLE, id=6, clientId="c", clientSecrets=["sent-as-is"]))
    res.read_all(tsk, None)
    assert tsk.memo[cx.STORES_AS_SENT] is True
    assert not vars(res).keys() - {"conn"}  # the fact is the task's: the resource keeps nothing
    # a list wrapped in an object is read as well
    session = FakeSession({"value": full})
    assert [r["clientId"] for r in cx.OidcClientResource(session).read_all(task(), None)] == \
        ["resource_owner_sast_client", "b", "c"]
    # a server that lists summaries: the full client is read for the keys the task names only
    summaries = [dict((k, c[k]) for k in ("id", "clientId", "clientName", "enabled")) for c in full]
    session = FakeSession(summaries)
    res = cx.OidcClientResource(session)
    raws = res.read_all(task(), ["b"])
    assert session.calls == [("GET", "/OIDCClients"), ("GET", "/OIDCClients/5")]
    assert [r for r in raws if r["clientId"] == "b"][0]["clientSecrets"] == [cx.secret_hash("z")]


# ---------------------------------------------------------------------------- validation
def valid_entry(**kwargs):
    entry = dict((name, None) for name in cx.OPTION_NAMES)
    entry["client_id"] = "app"
    entry.update(kwargs)
    return entry


@pytest.mark.parametrize("kwargs, where, message", [
    ({"client_id": " app"}, "", "client_id: ' app' has leading or trailing blanks"),
    ({"client_id": ""}, "config[2].", "config[2].client_id: must be a non-empty string"),
    ({"client_secrets": ["abc"]}, "", "client_secrets[0]: a secret must have at least 4 characters"),
    ({"client_secrets": ["abcd", "abcd"]}, "", "client_secrets: the same secret is listed twice"),
    ({"allowed_grant_types": ["implicit", "authorization_code"]}, "", "allowed_grant_types: implicit and authorization_code"),
    ({"allowed_grant_types": ["hybrid", "authorization_code"]}, "", "allowed_grant_types: authorization_code and hybrid"),
    ({"allowed_cors_origins": ["https://a.example.com/"]}, "", "allowed_cors_origins[0]: 'https://a.example.com/'"),
    ({"allowed_cors_origins": ["a.example.com"]}, "", "allowed_cors_origins[0]"),
    ({"access_token_lifetime": 0}, "", "access_token_lifetime: must be a positive number of seconds"),
    ({"sliding_refresh_token_lifetime": -1}, "config[0].", "config[0].sliding_refresh_token_lifetime: must not be negative"),
    ({"redirect_uris": [""]}, "", "redirect_uris[0]: must not be empty"),
    ({"claims": [{"type": " ", "value": "x"}]}, "", "claims[0].type: must not be empty"),
])
def test_validate_names_the_option(kwargs, where, message):
    with pytest.raises(InputError) as exc:
        resource().validate(task(), valid_entry(**kwargs), where)
    assert str(exc.value).startswith(message)


def test_validate_accepts_good_input_and_deleted_needs_only_the_key():
    resource().validate(task(), valid_entry(allowed_grant_types=["authorization_code", "client_credentials"],
                                            allowed_cors_origins=["https://a.example.com", "http://localhost:8080"],
                                            absolute_refresh_token_lifetime=0, client_secrets=["good-secret"]), "")
    resource().validate(task(state="deleted"), valid_entry(client_secrets=["x"]), "")


@pytest.mark.parametrize("params, message", [
    ({}, "url: the CxSAST server URL is required"),
    ({"url": "cx.example.com"}, "url: 'cx.example.com' is not an http(s) URL"),
    ({"url": "ftp://cx"}, "url: 'ftp://cx' is not an http(s) URL"),
    ({"url": "https://cx"}, "username and password: required to log in unless token is given; set username and "
                            "password or the environment variables CX_USERNAME and CX_PASSWORD"),
    ({"url": "https://cx", "username": "u"}, "password: required to log in unless token is given; set password or "
                                             "the environment variable CX_PASSWORD"),
    ({"url": "https://cx", "token": "t", "timeout": 0}, "timeout: must be a positive number of seconds"),
])
def test_check_connection(params, message):
    with pytest.raises(InputError) as exc:
        cxc.check_connection(params)
    assert str(exc.value).startswith(message)


def test_check_connection_accepts_a_token_alone():
    cxc.check_connection({"url": "https://cx", "token": "abc"})
    cxc.check_connection({"url": "https://cx", "username": "u", "password": "p"})


# ---------------------------------------------------------------------------- errors
def response(status, body=None, text=None, headers=None):
    if text is None:
        text = "" if body is None else __import__("json").dumps(body)
    return Response(status, headers or {}, text)


@pytest.mark.parametrize("resp, text, code", [
    (response(400, {"error": "invalid_grant", "error_description": "invalid_username_or_password"}),
     "invalid_grant (invalid_username_or_password)", "invalid_grant"),
    (response(400, {"error": "invalid_client"}), "invalid_client", "invalid_client"),
    (response(400, {"messageCode": 47400, "messageDetails": "A client with clientId 'a' already exists"}),
     "A client with clientId 'a' already exists", "47400"),
    (response(404, {"message": "Client not found"}), "Client not found", None),
    (response(400, {"ErrorMessage": "bad", "ErrorCode": 3}), "bad", "3"),
    (response(400, {"title": "One or more validation errors occurred.", "errors": {"clientId": ["required"]}}),
     "One or more validation errors occurred. clientId: required", None),
    (response(400, {"ClientId": ["The ClientId field is required."]}), "ClientId: The ClientId field is required.", None),
    (response(400, ["first", "second"]), "first; second", None),
    (response(400, text="Client not found"), "Client not found", None),
    (response(401, headers={"WWW-Authenticate": 'Bearer error="invalid_token"'}),
     'WWW-Authenticate: Bearer error="invalid_token"', None),
    (response(500, text=""), "(empty response body)", None),
    (response(502, text="<html><head><title>Bad Gateway</title></head></html>", headers={"Content-Type": "text/html"}),
     "non-JSON response (HTML page: Bad Gateway)", None),
])
def test_parse_error_reads_every_plausible_format(resp, text, code):
    assert cxc.parse_error(resp) == (text, code)


def test_login_hints_name_the_options_and_env_vars():
    class Exc(object):
        hint = None

        def __init__(self, code):
            self.error_code = code

    client = "my_client"
    assert "CX_AUTH_CLIENT_SECRET" in cxc.login_hint(Exc("invalid_client"), client)
    assert "CX_PASSWORD" in cxc.login_hint(Exc("invalid_grant"), client)
    assert "'my_client' must allow the scope access_control_api" in cxc.login_hint(Exc("invalid_scope"), client)
    assert "password grant" in cxc.login_hint(Exc("unauthorized_client"), client)
    assert cxc.login_hint(Exc("other"), client) is None


def test_session_scope_and_token_handling_need_no_network():
    session = cxc.CheckmarxConnection.from_params({"url": "https://cx.example.com/cxrestapi/auth",
                                                   "token": "Bearer abc"})
    assert session.api.base_url == "https://cx.example.com/cxrestapi/auth"
    assert session.token == "abc" and session.given_token and not session.can_login
    assert session.scope() == "access_control_api sast_rest_api"
    session.auth_client_id = "resource_owner_sast_client"
    assert session.scope() == "access_control_api sast_api"
    session.auth_client_id = "custom"
    assert session.scope() == "access_control_api"
    assert session.api.total_requests() == 0
    assert session.api.headers["Accept"] == "application/json;v=1.0"
    assert session.api.headers["cxOrigin"] == "sso.oidc ansible"


def test_specs_document_secrets_and_lifetimes():
    spec = cx.SINGLE.module_spec()["argument_spec"]
    for name in ("password", "auth_client_secret", "token", "client_secrets"):
        assert spec[name]["no_log"] is True
    for name in cx.LIFETIMES:
        assert spec[name]["no_log"] is False and spec[name]["type"] == "int"
    assert spec["state"] == {"type": "str", "default": "present", "choices": ["present", "absent"]}
    set_spec = cx.SET.module_spec()["argument_spec"]
    assert set(set_spec["config"]["options"]) == set(cx.OPTION_NAMES)
    assert set_spec["update_secret"]["default"] == "on_create"
    assert set_spec["stored_secrets"] == spec["stored_secrets"] == {
        "type": "str", "default": "send_back", "choices": ["send_back", "refuse"], "no_log": False}
    assert "stored_secrets" not in set_spec["config"]["options"]
    assert cx.INFO.module_spec()["argument_spec"]["client_id"] == {"type": "str"}
    assert cxc.TOKEN.module_spec()["argument_spec"] == cxc.connection_options()
    assert sorted(cx.DEFAULTS) == sorted(set(cx.OPTION_NAMES) - {"client_id", "name", "client_secrets"})


def test_the_defaults_are_the_simulators_server_defaults():
    """The module's model of the server defaults and the simulator's (from the vendor sample) agree."""
    res = resource()
    server_default = dict((key, default) for key, _kind, default in sim_cx.FIELDS)
    server_default.update(clientId="x", id=1)
    canon = res.normalize(task(), server_default)
    for option, value in cx.DEFAULTS.items():
        assert canon[option] == value, option


# ---------------------------------------------------------------------------- the user's values, verification
def test_bodies_carry_the_values_as_the_user_wrote_them():
    res = resource()
    given = {"client_id": "app", "client_secrets": ["zz-secret", "aa-secret"],
             "allowed_scopes": ["sast_api", "openid", "sast_api"], "redirect_uris": ["https://b/cb", "https://a/cb"],
             "claims": [{"type": "t2", "value": "v"}, {"type": "t1", "value": "v"}], "front_channel_logout_uri": "",
             "access_token_type": "reference", "require_pkce": True}
    want = res.desired(task(), given)
    body = res.create_payload(task(), want, res.given(task(), given))
    assert body["clientSecrets"] == ["zz-secret", "aa-secret"]
    assert body["allowedScopes"] == ["sast_api", "openid", "sast_api"]  # not the sorted comparison set
    assert body["redirectUris"] == ["https://b/cb", "https://a/cb"]
    assert body["claims"] == [{"type": "t2", "value": "v"}, {"type": "t1", "value": "v"}]
    assert body["frontChannelLogoutUri"] == "" and body["accessTokenType"] == 1 and body["requirePkce"] is True
    item = item_of(res, dict(SAMPLE, id=3, clientId="app", clientSecrets=[]))
    upd = {"client_id": "app", "allowed_scopes": ["z_scope", "a_scope"], "require_pkce": True}
    want = res.desired(task(), upd)
    body = res.update_payload(task(), item, want, ["allowed_scopes", "require_pkce"], res.given(task(), upd))
    assert body["allowedScopes"] == ["z_scope", "a_scope"] and body["requirePkce"] is True


def test_an_update_leaves_require_pkce_out_on_a_server_that_does_not_show_it():
    res = resource()
    item = item_of(res, dict(SAMPLE, id=3, clientId="app", clientSecrets=[]))
    assert item["canon"]["require_pkce"] is False
    body = res.update_payload(task(), item, res.desired(task(), {"client_id": "app", "enabled": False}), ["enabled"], {})
    assert "requirePkce" not in body


def test_verify_names_rehashed_secrets_and_create_only_fields():
    res = resource()
    before = item_of(res, dict(SAMPLE, id=3, clientId="app", clientSecrets=[cx.secret_hash("s-1")]))
    rehashed = item_of(res, dict(SAMPLE, id=3, clientId="app", enabled=False,
                                 clientSecrets=[cx.secret_hash(cx.secret_hash("s-1"))]))
    want = res.desired(task(), {"client_id": "app", "enabled": False})
    problems = res.verify_write(task(), before, rehashed, want, ["enabled"])
    assert [f for f, _t in problems] == ["client_secrets"]
    text = problems[0][1]
    assert "re-hashed the 1 stored secret(s) of OIDC client 'app'" in text and "client_secrets" in text
    assert cx.secret_hash("s-1") not in text
    kept = item_of(res, dict(before["raw"], enabled=False))
    assert res.verify_write(task(), before, kept, want, ["enabled"]) == []
    want = res.desired(task(), {"client_id": "app", "include_jwt_id": True})
    problems = res.verify_write(task(), before, before, want, ["include_jwt_id"])
    assert problems[0][0] == "include_jwt_id" and "written as True, the server kept False" in problems[0][1]
    assert "create it again" in problems[0][1]
