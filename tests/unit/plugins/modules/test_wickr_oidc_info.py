# Copyright (c) sso.oidc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""wickr_oidc_info: run through main() against the Wickr simulator, with a real token exchange
(the simulator calls the token endpoint of the harness's OpenID provider)."""

import base64
import hashlib
import importlib.util
import json
import os
import urllib.parse

import pytest
import requests

from ansible_collections.sso.oidc.plugins.modules import wickr_oidc_info as module

_spec = importlib.util.spec_from_file_location(
    "wickr_test_helpers", os.path.join(os.path.dirname(os.path.abspath(__file__)), "test_wickr_helpers.py"))
h = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(h)

NET = "12345678"
REDIRECT = "https://messaging-pro-prod.wickr.com/deeplink/oidc.php"
IDP_SECRET = "idp-token-client-secret-93ab"


@pytest.fixture
def wickr(sim, sim_env, sim_api, monkeypatch, tmp_path, capsys):
    h.isolate_aws(monkeypatch, tmp_path)
    sim_api.reset("wickr")

    class Ctx(object):
        env = sim_env
        api = sim_api
        conn = h.connection(sim_env)
        issuer = sim_env["oidc"]["issuer"]

        def run(self, **args):
            return h.run_module(module, dict(self.conn, **args), capsys)

        def configure(self, network_id=NET, **oidc):
            values = {"companyId": "acme", "issuer": self.issuer, "scopes": "openid email", "userId": "wickr-app",
                      "secret": "stored-secret-77", "applicationId": 2, "applicationName": "wickr",
                      "redirectUrl": REDIRECT}
            values.update(oidc)
            sim_api.reset("wickr", {"networks": {network_id: {"oidc": values}}})

        def authorization_code(self, client_id="wickr-app"):
            """A real authorization code from the OpenID provider (as the browser flow would get it)."""
            query = urllib.parse.urlencode({"client_id": client_id, "redirect_uri": REDIRECT, "response_type": "code",
                                            "scope": "openid email", "state": "st", "nonce": "n0nce"})
            resp = requests.post("%s/oauth2/authorize?%s" % (self.issuer, query), data={"sub": "alice@example.com"},
                                 allow_redirects=False, verify=sim_env["ca_path"], timeout=10)
            assert resp.status_code == 302, resp.text
            return urllib.parse.parse_qs(urllib.parse.urlsplit(resp.headers["Location"]).query)["code"][0]

    return Ctx()


def test_unconfigured_network(wickr):
    result = wickr.run(network_id=NET)
    assert result["changed"] is False
    assert result["oidc_config"] == {"network_id": NET, "configured": False}
    assert "token_info" not in result
    assert result["api_calls"] == {"GET": 1}


def test_configured_network_in_option_names(wickr):
    wickr.configure(customUsername="nick", ssoTokenBufferMinutes=3)
    result = wickr.run(network_id=NET)
    assert result["oidc_config"] == {
        "network_id": NET, "configured": True, "company_id": "acme", "issuer": wickr.issuer,
        "scopes": ["openid", "email"], "client_id": "wickr-app", "user_id": "wickr-app",
        "custom_username": "nick", "sso_token_buffer_minutes": 3, "secret_visibility": "omitted",
        "application_name": "wickr", "application_id": 2, "redirect_url": REDIRECT,
    }


@pytest.mark.parametrize("visibility", ["clear", "masked"])
def test_secret_is_masked_whatever_the_api_shows(wickr, visibility):
    wickr.configure()
    wickr.api.config("wickr", secret_visibility=visibility)
    result = wickr.run(network_id=NET)
    assert result["oidc_config"]["secret"] == "********"
    assert result["oidc_config"]["secret_visibility"] == visibility
    assert "stored-secret-77" not in json.dumps(result)


def test_client_id_readback_variant(wickr):
    wickr.configure()
    wickr.api.config("wickr", client_id_readback="clientId")
    config = wickr.run(network_id=NET)["oidc_config"]
    assert (config["client_id"], config["user_id"], config["oauth_client_id"]) == ("email", "email", "wickr-app")


def test_errors(wickr):
    missing = wickr.run(network_id="99999999")
    assert missing["failed"] is True
    assert "Wickr API GET /networks/99999999/oidc failed: HTTP 404: ResourceNotFoundError: Network not found" \
        in missing["msg"]
    bad = wickr.run(network_id="1234567")
    assert bad["msg"].startswith("network_id: '1234567' is not a Wickr network ID")
    assert len(wickr.api.requests("wickr")) == 1


def test_token_exchange_returns_tokens_only_when_asked(wickr):
    wickr.configure()
    code = wickr.authorization_code()
    result = wickr.run(network_id=NET, code=code, grant_type="authorization_code", redirect_uri=REDIRECT,
                       token_client_id="wickr-app", token_client_secret=IDP_SECRET,
                       code_verifier="verifier-with-enough-entropy-0123456789abcdef")
    token = result["token_info"]
    assert token["token_type"] == "Bearer" and token["expires_in"] > 0
    assert token["access_token"] and token["id_token"].count(".") == 2 and token["refresh_token"]
    assert token["code_verifier"] == "********"  # the verifier is a no_log input
    assert token["code_challenge"] == base64.urlsafe_b64encode(hashlib.sha256(
        b"verifier-with-enough-entropy-0123456789abcdef").digest()).decode().rstrip("=")  # RFC 7636 S256
    assert IDP_SECRET not in json.dumps(result) and code not in json.dumps(result)
    query = urllib.parse.parse_qs(wickr.api.requests("wickr")[-1]["query"])
    assert query["clientSecret"] == [IDP_SECRET] and query["redirectUri"] == [REDIRECT]
    assert result["oidc_config"]["configured"] is True


def test_token_exchange_failure_shows_the_vendor_text_without_secrets(wickr):
    wickr.configure()
    result = wickr.run(network_id=NET, code="not-a-valid-code", grant_type="authorization_code",
                       redirect_uri=REDIRECT, token_client_id="wickr-app", token_client_secret=IDP_SECRET)
    assert result["failed"] is True
    assert "HTTP 400: BadRequestError: Token exchange with the identity provider failed: invalid_grant" \
        in result["msg"]
    assert IDP_SECRET not in json.dumps(result) and "not-a-valid-code" not in json.dumps(result)
    assert "?clientId=wickr-app&code=********&grantType=authorization_code&" in result["msg"]
    assert result["msg"].count("clientSecret=********") == 1
