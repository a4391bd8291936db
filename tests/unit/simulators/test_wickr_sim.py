# Copyright (c) sso.oidc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Conformance of the Wickr simulator with a real AWS client.

boto3's ``wickr`` client, pointed at the simulator with ``endpoint_url`` and the
harness CA, performs every simulated operation and receives the modeled
exceptions for bad calls. If boto3 disagrees with the simulator, the simulator
is wrong.
"""

import datetime

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

NET = "12345678"
SESSION = boto3.session.Session()  # one session: its loader caches the service model between clients


@pytest.fixture
def env(sim, sim_env, sim_api):
    sim_api.reset("wickr")
    return sim_env


def client(env, **overrides):
    wickr = env["wickr"]
    kwargs = {
        "endpoint_url": wickr["url"], "region_name": wickr["region"], "verify": env["ca_path"],
        "aws_access_key_id": wickr["access_key"], "aws_secret_access_key": wickr["secret_key"],
        "config": Config(retries={"mode": "legacy", "max_attempts": 3}),
    }
    kwargs.update(overrides)
    return SESSION.client("wickr", **kwargs)


def test_the_three_oidc_operations(env, sim_api):
    c = client(env)
    issuer = env["oidc"]["issuer"]
    empty = c.get_oidc_info(networkId=NET)
    assert empty["openidConnectInfo"] == {"companyId": "", "issuer": "", "scopes": ""}
    assert "tokenInfo" not in empty

    tested = c.register_oidc_config_test(networkId=NET, issuer=issuer, scopes="openid profile email")
    assert tested["issuer"] == issuer
    assert tested["authorizationEndpoint"] == issuer + "/oauth2/authorize"
    assert tested["tokenEndpoint"] == issuer + "/oauth2/token"
    assert "openid" in tested["scopesSupported"] and tested["microsoftMultiRefreshToken"] is False

    saved = c.register_oidc_config(networkId=NET, companyId="acme", issuer=issuer, scopes="openid email",
                                   userId="wickr-app", secret="idp-secret", ssoTokenBufferMinutes=5,
                                   customUsername="nick", extraAuthParams="prompt=login")
    assert (saved["companyId"], saved["userId"], saved["ssoTokenBufferMinutes"]) == ("acme", "wickr-app", 5)
    assert 1 <= saved["applicationId"] <= 10 and "secret" not in saved

    read = c.get_oidc_info(networkId=NET)["openidConnectInfo"]
    assert (read["issuer"], read["scopes"], read["customUsername"], read["extraAuthParams"]) == \
        (issuer, "openid email", "nick", "prompt=login")
    assert sim_api.state("wickr")["networks"][NET]["oidc"]["secret"] == "idp-secret"
    kinds = [r["kind"] for r in sim_api.requests("wickr")]
    assert kinds == ["read", "check", "write", "read"]


def test_secret_visibility_switch(env, sim_api):
    c = client(env)
    c.register_oidc_config(networkId=NET, companyId="acme", issuer="https://i", scopes="openid", secret="idp-secret")
    seen = {}
    for visibility in ("omitted", "masked", "clear"):
        sim_api.config("wickr", secret_visibility=visibility)
        seen[visibility] = c.get_oidc_info(networkId=NET)["openidConnectInfo"].get("secret")
    assert seen == {"omitted": None, "masked": "********", "clear": "idp-secret"}
    sim_api.config("wickr", client_id_readback="clientId")
    c.register_oidc_config(networkId=NET, companyId="acme", issuer="https://i", scopes="openid", userId="cid",
                           secret="idp-secret")
    info = c.get_oidc_info(networkId=NET)["openidConnectInfo"]
    assert (info["clientId"], info["userId"], info["clientSecret"]) == ("cid", "email", "idp-secret")


def test_networks(env):
    c = client(env)
    assert c.get_network(networkId="23456789")["networkName"] == "Sales"
    first = c.list_networks(maxResults=4, sortFields="networkName", sortDirection="DESC")
    assert [n["networkName"] for n in first["networks"]] == ["Support", "Sales", "Research", "Operations"]
    pages = c.get_paginator("list_networks").paginate(PaginationConfig={"PageSize": 4})
    ids = [n["networkId"] for page in pages for n in page["networks"]]
    assert ids == sorted(env["wickr"]["networks"])


@pytest.mark.parametrize("error_type", ["both", "header", "body"])
def test_modeled_exceptions(env, sim_api, error_type):
    sim_api.config("wickr", error_type=error_type)
    c = client(env)
    with pytest.raises(c.exceptions.ValidationError) as exc:
        c.get_oidc_info(networkId="1234abcd")
    assert exc.value.response["reasons"] == [{"field": "networkId", "reason": "Member must satisfy regular "
                                                                              "expression pattern: [0-9]{8}"}]
    assert exc.value.response["ResponseMetadata"]["HTTPStatusCode"] == 422
    with pytest.raises(c.exceptions.ResourceNotFoundError) as exc:
        c.get_oidc_info(networkId=env["wickr"]["unknown_network"])
    assert exc.value.response["Error"]["Message"] == "Network not found"
    with pytest.raises(c.exceptions.ResourceNotFoundError):
        c.register_oidc_config(networkId="99999999", companyId="a", issuer="https://i", scopes="openid")
    with pytest.raises(c.exceptions.BadRequestError) as exc:
        c.register_oidc_config(networkId=NET, companyId="", issuer="https://i", scopes="openid")
    assert exc.value.response["Error"]["Message"] == "Company ID is required"
    with pytest.raises(c.exceptions.BadRequestError) as exc:
        c.register_oidc_config_test(networkId=NET, issuer="https://127.0.0.1:9", scopes="openid")
    assert "Unable to fetch the OpenID configuration" in exc.value.response["Error"]["Message"]
    with pytest.raises(c.exceptions.BadRequestError) as exc:
        c.register_oidc_config_test(networkId=NET, issuer="http://idp.example.com", scopes="openid")
    assert exc.value.response["Error"]["Message"] == "issuer contains an invalid endpoint"
    with pytest.raises(c.exceptions.BadRequestError):
        c.register_oidc_config_test(networkId=NET, issuer="", scopes="openid")
    assert exc.value.response["ResponseMetadata"]["RequestId"]


def test_issuer_without_discovery_and_company_id_rule(env, sim_api):
    c = client(env)
    with pytest.raises(c.exceptions.BadRequestError) as exc:
        c.register_oidc_config_test(networkId=NET, issuer=env["oidc"]["issuer"] + "/other", scopes="openid")
    assert exc.value.response["Error"]["Message"] == (
        "Unable to fetch the OpenID configuration from %s/other/.well-known/openid-configuration: HTTP Error 404: "
        "NOT FOUND" % env["oidc"]["issuer"])
    sim_api.config("wickr", company_id_rule="region_prefix")
    with pytest.raises(c.exceptions.BadRequestError) as exc:
        c.register_oidc_config(networkId=NET, companyId="invalid-company123", issuer="https://i", scopes="openid")
    assert exc.value.response["Error"]["Message"] == "Invalid companyId"
    c.register_oidc_config(networkId=NET, companyId="us-east-1-company123", issuer="https://i", scopes="openid")


@pytest.mark.parametrize("overrides, code, text", [
    ({"aws_secret_access_key": "wrong"}, "InvalidSignatureException", "does not match the signature"),
    ({"aws_access_key_id": "AKIAUNKNOWN000000000"}, "UnrecognizedClientException", "security token"),
    ({"region_name": "eu-west-1"}, "InvalidSignatureException", "scoped to a valid region"),
])
def test_signature_failures_are_aws_403s(env, overrides, code, text):
    c = client(env, **overrides)
    with pytest.raises(ClientError) as exc:
        c.get_oidc_info(networkId=NET)
    assert exc.value.response["Error"]["Code"] == code
    assert text in exc.value.response["Error"]["Message"]
    assert exc.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403


def test_session_token_and_clock_skew(env, monkeypatch):
    wickr = env["wickr"]
    temp = client(env, aws_access_key_id=wickr["temp_access_key"], aws_secret_access_key=wickr["temp_secret_key"],
                  aws_session_token=wickr["session_token"])
    assert temp.get_network(networkId=NET)["networkId"] == NET
    no_token = client(env, aws_access_key_id=wickr["temp_access_key"], aws_secret_access_key=wickr["temp_secret_key"])
    with pytest.raises(ClientError) as exc:
        no_token.get_network(networkId=NET)
    assert exc.value.response["Error"]["Code"] == "UnrecognizedClientException"
    old = datetime.datetime.utcnow() - datetime.timedelta(minutes=20)
    monkeypatch.setattr("botocore.auth.get_current_datetime", lambda: old)
    with pytest.raises(ClientError) as exc:
        client(env).get_network(networkId=NET)
    assert exc.value.response["Error"]["Code"] == "InvalidSignatureException"
    assert "Signature expired" in exc.value.response["Error"]["Message"]


def test_unsigned_request_is_refused(env):
    import requests
    resp = requests.get(env["wickr"]["url"] + "/networks", verify=env["ca_path"], timeout=10)
    assert resp.status_code == 403
    assert resp.headers["x-amzn-ErrorType"].startswith("MissingAuthenticationTokenException")
    assert resp.json()["message"] == "Missing Authentication Token"


def test_rate_limit_is_retried_by_boto3(env, sim_api):
    sim_api.fault("wickr", method="GET", path="/oidc$", status=429, retry_after=0, times=1)
    out = client(env).get_oidc_info(networkId=NET)
    assert out["ResponseMetadata"]["RetryAttempts"] == 1
    sim_api.fault("wickr", method="GET", path="/oidc$", status=429, times=5)
    c = client(env, config=Config(retries={"mode": "legacy", "total_max_attempts": 1}))
    with pytest.raises(c.exceptions.RateLimitError):
        c.get_oidc_info(networkId=NET)


def test_token_exchange_through_get_oidc_info(env, sim_api):
    import urllib.parse
    import requests
    issuer = env["oidc"]["issuer"]
    redirect = "https://messaging-pro-prod.wickr.com/deeplink/oidc.php"
    query = urllib.parse.urlencode({"client_id": "wickr-app", "redirect_uri": redirect, "response_type": "code",
                                    "scope": "openid email", "state": "s", "nonce": "n"})
    resp = requests.post("%s/oauth2/authorize?%s" % (issuer, query), data={"sub": "bob@example.com"},
                         allow_redirects=False, verify=env["ca_path"], timeout=10)
    code = urllib.parse.parse_qs(urllib.parse.urlsplit(resp.headers["Location"]).query)["code"][0]
    c = client(env)
    c.register_oidc_config(networkId=NET, companyId="acme", issuer=issuer, scopes="openid email")
    out = c.get_oidc_info(networkId=NET, code=code, grantType="authorization_code", redirectUri=redirect,
                          clientId="wickr-app", clientSecret="s e c r e t")
    assert out["tokenInfo"]["tokenType"] == "Bearer" and out["tokenInfo"]["idToken"].count(".") == 2
    with pytest.raises(c.exceptions.BadRequestError) as exc:
        c.get_oidc_info(networkId=NET, code=code, grantType="authorization_code", redirectUri=redirect,
                        clientId="wickr-app", clientSecret="s e c r e t")  # a code works once
    assert "invalid_grant" in exc.value.response["Error"]["Message"]
