# Copyright (c) sso.oidc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Conformance of the Checkmarx Access Control simulator with the vendor contract (shared/api/checkmarx.md)."""

import time

import pytest
import requests

from simulators.checkmarx import DEFAULT_AUTH_CLIENT_SECRET, FIELD_NAMES, secret_hash

# The vendor sample of GET /OIDCClients/4 (shared/seeds/002).
SAMPLE_HASH = "7PXDgKOvDnF+YLUEpZ02brsgAAfeyld6n2D/qd4UunM="
JSON_V1 = "application/json;v=1.0"


class _Verified(requests.Session):
    """A session that verifies with the harness CA on every request (REQUESTS_CA_BUNDLE would win otherwise)."""

    def __init__(self, ca_path):
        requests.Session.__init__(self)
        self.ca_path = ca_path

    def request(self, method, url, **kwargs):  # pylint: disable=arguments-differ
        kwargs.setdefault("verify", self.ca_path)
        return requests.Session.request(self, method, url, **kwargs)


class Cx(object):
    def __init__(self, sim, sim_api):
        self.sim = sim
        self.api = sim_api
        self.env = sim.describe()["checkmarx"]
        self.base = self.env["url"] + "/cxrestapi/auth"
        self.http = _Verified(sim.pki.ca_path)

    def token_response(self, **form):
        data = {"grant_type": "password", "client_id": "resource_owner_client",
                "client_secret": DEFAULT_AUTH_CLIENT_SECRET, "username": self.env["username"],
                "password": self.env["password"], "scope": "access_control_api sast_rest_api"}
        data.update(form)
        data = dict((k, v) for k, v in data.items() if v is not None)
        return self.http.post(self.env["token_url"], data=data)

    def token(self, **form):
        resp = self.token_response(**form)
        assert resp.status_code == 200, resp.text
        return resp.json()["access_token"]

    def call(self, method, path, token=None, body=None, content_type=JSON_V1, accept=JSON_V1):
        headers = {"Accept": accept}
        if token is not False:
            headers["Authorization"] = "Bearer " + (token or self.token())
        kwargs = {}
        if body is not None:
            kwargs["json"] = body
        if content_type:
            headers["Content-Type"] = content_type
        return self.http.request(method, self.base + path, headers=headers, **kwargs)

    def client(self, client_id):
        for client in self.api.state("checkmarx")["clients"]:
            if client["clientId"] == client_id:
                return client
        return None


@pytest.fixture
def cx(sim, sim_api):
    sim_api.reset("checkmarx")
    return Cx(sim, sim_api)


# ---------------------------------------------------------------------------- token endpoint
def test_token_endpoint_password_grant(cx):
    resp = cx.token_response()
    assert resp.status_code == 200
    body = resp.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == 3600 and body["access_token"]
    assert cx.token_response(client_id="resource_owner_sast_client", scope="access_control_api sast_api").ok
    assert cx.api.summary("checkmarx")["auth"] == 2


@pytest.mark.parametrize("form, error", [
    ({"client_secret": "wrong"}, {"error": "invalid_client"}),
    ({"client_id": "nobody"}, {"error": "invalid_client"}),
    ({"password": "wrong"}, {"error": "invalid_grant", "error_description": "invalid_username_or_password"}),
    ({"username": "ghost"}, {"error": "invalid_grant", "error_description": "invalid_username_or_password"}),
    ({"scope": "access_control_api sast_api"}, {"error": "invalid_scope"}),
    ({"grant_type": "authorization_code"}, {"error": "unsupported_grant_type"}),
    ({"grant_type": "client_credentials"}, {"error": "unauthorized_client"}),
])
def test_token_endpoint_errors_are_oauth_400s(cx, form, error):
    resp = cx.token_response(**form)
    assert resp.status_code == 400
    assert resp.json() == error


def test_token_endpoint_needs_a_form_body(cx):
    resp = cx.http.post(cx.env["token_url"], json={"grant_type": "password"})
    assert resp.status_code == 400 and resp.json()["error"] == "invalid_request"


def test_token_path_is_case_insensitive_and_basic_auth_works(cx):
    resp = cx.http.post(cx.env["url"] + "/CxRestAPI/auth/identity/connect/token",
                        auth=("resource_owner_client", DEFAULT_AUTH_CLIENT_SECRET),
                        data={"grant_type": "password", "username": cx.env["username"],
                              "password": cx.env["password"], "scope": "access_control_api"})
    assert resp.status_code == 200


# ---------------------------------------------------------------------------- auth on the API
def test_api_needs_a_valid_unexpired_token_with_scope_and_permission(cx):
    missing = cx.call("GET", "/OIDCClients", token=False)
    assert missing.status_code == 401 and missing.headers["WWW-Authenticate"] == "Bearer" and not missing.content
    bogus = cx.call("GET", "/OIDCClients", token="not-a-token")
    assert bogus.status_code == 401 and 'error="invalid_token"' in bogus.headers["WWW-Authenticate"]

    cx.api.config("checkmarx", token_lifetime=0.2)
    short = cx.token()
    time.sleep(0.3)
    expired = cx.call("GET", "/OIDCClients", token=short)
    assert expired.status_code == 401 and "The token expired at" in expired.headers["WWW-Authenticate"]

    cx.api.config("checkmarx", token_lifetime=None)
    no_scope = cx.token(client_id="resource_owner_sast_client", scope="sast_api")
    resp = cx.call("GET", "/OIDCClients", token=no_scope)
    assert resp.status_code == 403 and "access_control_api" in resp.json()["messageDetails"]

    auditor = cx.token(username=cx.env["readonly_username"], password=cx.env["readonly_password"])
    resp = cx.call("GET", "/OIDCClients/4", token=auditor)
    assert resp.status_code == 403 and "Manage Clients" in resp.json()["messageDetails"]


def test_tokens_can_be_expired_from_the_control_api(cx):
    token = cx.token()
    assert cx.call("GET", "/OIDCClients", token=token).status_code == 200
    cx.api._call("checkmarx", "POST", "/tokens/expire")
    assert cx.call("GET", "/OIDCClients", token=token).status_code == 401
    assert cx.call("GET", "/OIDCClients", token=cx.token()).status_code == 200


# ---------------------------------------------------------------------------- OIDCClients
def test_builtin_clients_and_the_vendor_sample(cx):
    resp = cx.call("GET", "/OIDCClients/4")
    assert resp.status_code == 200 and resp.headers["Content-Type"].startswith("application/json;v=1.0")
    sample = resp.json()
    assert list(sample) == ["id"] + list(FIELD_NAMES)  # the sample's field order
    assert sample["clientId"] == "resource_owner_sast_client" and sample["clientSecrets"] == [SAMPLE_HASH]
    assert sample["allowedScopes"] == ["sast_api", "access_control_api", "offline_access"]
    listed = cx.call("GET", "/OIDCClients").json()
    assert [c["clientId"] for c in listed] == ["cxsast_client", "resource_owner_client", "resource_owner_sast_client"]


def test_create_fills_defaults_hashes_secrets_and_answers_201(cx):
    resp = cx.call("POST", "/OIDCClients", body={"clientId": "new", "clientSecrets": ["plain-secret"]})
    assert resp.status_code == 201 and resp.content == b""
    stored = cx.client("new")
    assert stored["id"] == 5
    assert stored["clientSecrets"] == [secret_hash("plain-secret")]
    assert stored["accessTokenType"] == 0 and stored["refreshTokenUsage"] == 1 and stored["identityTokenLifetime"] == 300
    assert stored["enabled"] is True and stored["clientClaimsPrefix"] == "" and stored["frontChannelLogoutUri"] is None
    got = cx.call("GET", "/OIDCClients/5").json()
    assert got["clientSecrets"] == [secret_hash("plain-secret")]
    # the new client logs in with its plaintext secret, as IdentityServer validates hashed secrets
    usable = dict(got, clientSecrets=["plain-secret"], allowedGrantTypes=["password"], allowedScopes=["access_control_api"])
    assert cx.call("PUT", "/OIDCClients/5", body=usable).status_code == 204
    assert cx.token_response(client_id="new", client_secret="plain-secret", scope="access_control_api").ok


@pytest.mark.parametrize("setting, expected", [("keep", "once"), ("rehash", "twice")])
def test_a_stored_hash_sent_back_is_kept_or_rehashed(cx, setting, expected):
    cx.api.config("checkmarx", resent_secrets=setting)
    cx.call("POST", "/OIDCClients", body={"clientId": "new", "clientSecrets": ["plain-secret"]})
    got = cx.call("GET", "/OIDCClients/5").json()
    assert cx.call("PUT", "/OIDCClients/5", body=got).status_code == 204
    once = secret_hash("plain-secret")
    assert cx.client("new")["clientSecrets"] == [once if expected == "once" else secret_hash(once)]
    # a value that is not stored yet is hashed in either setting
    assert cx.call("PUT", "/OIDCClients/5", body=dict(got, clientSecrets=["other-secret"])).status_code == 204
    assert cx.client("new")["clientSecrets"] == [secret_hash("other-secret")]


@pytest.mark.parametrize("setting", ["apply", "ignore"])
def test_put_create_only_fields(cx, setting):
    cx.api.config("checkmarx", put_create_only=setting)
    cx.call("POST", "/OIDCClients", body={"clientId": "new"})
    got = cx.call("GET", "/OIDCClients/5").json()
    assert got["requirePkce"] is False
    body = dict(got, includeJwtId=True, accessTokenType=1, requirePkce=True, accessTokenLifetime=60)
    assert cx.call("PUT", "/OIDCClients/5", body=body).status_code == 204
    stored = cx.client("new")
    assert stored["requirePkce"] is True and stored["accessTokenLifetime"] == 60
    assert (stored["includeJwtId"], stored["accessTokenType"]) == ((True, 1) if setting == "apply" else (False, 0))


def test_as_sent_mode_stores_what_it_receives(cx):
    cx.api.config("checkmarx", secrets_stored_as="as_sent")
    cx.call("POST", "/OIDCClients", body={"clientId": "new", "clientSecrets": ["plain-secret"]})
    assert cx.client("new")["clientSecrets"] == ["plain-secret"]


def test_put_is_a_full_replacement_unless_configured_to_keep(cx):
    cx.call("POST", "/OIDCClients", body={"clientId": "new", "clientName": "Name", "accessTokenLifetime": 60})
    assert cx.call("PUT", "/OIDCClients/5", body={"clientId": "new"}).status_code == 204
    assert cx.client("new")["clientName"] is None and cx.client("new")["accessTokenLifetime"] == 3600
    cx.api.config("checkmarx", put_omitted="keep")
    cx.call("PUT", "/OIDCClients/5", body={"clientId": "new", "clientName": "Again", "accessTokenLifetime": 90})
    cx.call("PUT", "/OIDCClients/5", body={"clientId": "new"})
    assert cx.client("new")["clientName"] == "Again" and cx.client("new")["accessTokenLifetime"] == 90


def test_delete_and_not_found(cx):
    cx.call("POST", "/OIDCClients", body={"clientId": "new"})
    assert cx.call("DELETE", "/OIDCClients/5", content_type=None).status_code == 204
    for method in ("GET", "PUT", "DELETE"):
        resp = cx.call(method, "/OIDCClients/5", body={"clientId": "x"} if method == "PUT" else None)
        assert resp.status_code == 404 and resp.json()["messageDetails"] == "Client not found"
    resp = cx.call("GET", "/OIDCClients/abc")
    assert resp.status_code == 400


@pytest.mark.parametrize("body, text", [
    ({"clientName": "no id"}, "The ClientId field is required."),
    ({"clientId": "RESOURCE_OWNER_CLIENT"}, "A client with clientId 'RESOURCE_OWNER_CLIENT' already exists"),
    ({"clientId": "x", "accessTokenType": 2}, "The value 2 is not valid for accessTokenType."),
    ({"clientId": "x", "enabled": "yes"}, "The JSON value could not be converted to System.Boolean."),
    ({"clientId": "x", "accessTokenLifetime": 0}, "accessTokenLifetime must be greater than 0."),
    ({"clientId": "x", "slidingRefreshTokenLifetime": -1}, "slidingRefreshTokenLifetime must not be negative."),
    ({"clientId": "x", "allowedGrantTypes": ["implicit", "authorization_code"]},
     "Grant types list cannot contain both implicit and authorization_code"),
    ({"clientId": "x", "allowedGrantTypes": ["device_code"]}, "Grant type 'device_code' is not supported"),
    ({"clientId": "x", "allowedCorsOrigins": ["https://a.example.com/"]}, "'https://a.example.com/' is not a valid CORS origin"),
    ({"clientId": "x", "claims": [{"type": "", "value": "v"}]}, "Every claim needs a non-empty type"),
    ({"clientId": "x", "redirectUris": "https://a"}, "redirectUris must be a list of non-empty strings."),
])
def test_invalid_bodies_are_400(cx, body, text):
    resp = cx.call("POST", "/OIDCClients", body=body)
    assert resp.status_code == 400
    assert resp.json()["messageDetails"].startswith(text)


def test_versioned_media_types(cx):
    assert cx.call("POST", "/OIDCClients", body={"clientId": "x"}, content_type="text/plain").status_code == 415
    assert cx.call("POST", "/OIDCClients", body={"clientId": "x"},
                   content_type="application/json;v=2.0").status_code == 415
    assert cx.call("GET", "/OIDCClients", accept="application/json;v=3.0").status_code == 406
    assert cx.call("GET", "/OIDCClients", accept="application/json").status_code == 200
    assert cx.call("POST", "/OIDCClients", body={"clientId": "x"}, content_type="application/json").status_code == 201


@pytest.mark.parametrize("fmt, check", [
    ("problem", lambda r: r.json()["errors"] == {"clientId": ["The ClientId field is required."]}),
    ("text", lambda r: r.text == "The ClientId field is required." and r.headers["Content-Type"].startswith("text/")),
])
def test_error_formats(cx, fmt, check):
    cx.api.config("checkmarx", error_format=fmt)
    resp = cx.call("POST", "/OIDCClients", body={"clientName": "no id"})
    assert resp.status_code == 400 and check(resp)


def test_list_summary_mode(cx):
    cx.api.config("checkmarx", list_summary=True)
    listed = cx.call("GET", "/OIDCClients").json()
    assert all(sorted(c) == ["clientId", "clientName", "enabled", "id"] for c in listed)
    assert "clientSecrets" in cx.call("GET", "/OIDCClients/2").json()


def test_reset_restores_the_builtins_and_drops_tokens_and_seed_adds_clients(cx):
    token = cx.token()
    cx.call("DELETE", "/OIDCClients/1", token=token)
    cx.api.reset("checkmarx", {"clients": [{"clientId": "seeded", "clientSecrets": ["as-is"]}]})
    assert cx.call("GET", "/OIDCClients", token=token).status_code == 401
    ids = [c["clientId"] for c in cx.api.state("checkmarx")["clients"]]
    assert ids == ["cxsast_client", "resource_owner_client", "resource_owner_sast_client", "seeded"]
    assert cx.client("seeded")["id"] == 5 and cx.client("seeded")["accessTokenLifetime"] == 3600
