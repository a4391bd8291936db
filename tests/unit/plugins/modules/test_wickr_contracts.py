# Copyright (c) sso.oidc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Wickr vendor contracts, round 2: the botocore floor, wickr_network_info over ListNetworks (every page),
bodies that carry the user's values, every write checked by its read-back, no credentials in endpoint_url,
and the modules under each simulator setting the vendor leaves open."""

import importlib.util
import os

import pytest

from ansible_collections.sso.oidc.plugins.module_utils import _wickr_connection
from ansible_collections.sso.oidc.plugins.modules import wickr_network_info as network_module
from ansible_collections.sso.oidc.plugins.modules import wickr_oidc_config as config_module
from ansible_collections.sso.oidc.plugins.modules import wickr_oidc_configs as set_module

_spec = importlib.util.spec_from_file_location(
    "wickr_test_helpers", os.path.join(os.path.dirname(os.path.abspath(__file__)), "test_wickr_helpers.py"))
h = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(h)

NET = "12345678"
SECRET = "idp-client-secret-4f1c9a"
SEED_IDS = ["12345678", "23456789", "34567890", "45678901", "56789012", "67890123"]


@pytest.fixture
def wk(sim, sim_env, sim_api, monkeypatch, tmp_path, capsys):
    h.isolate_aws(monkeypatch, tmp_path)
    sim_api.reset("wickr")

    class Ctx(object):
        api = sim_api
        conn = h.connection(sim_env)
        issuer = sim_env["oidc"]["issuer"]

        def run(self, module, check=False, **args):
            params = dict(self.conn)
            params.update(args)
            return h.run_module(module, dict((k, v) for k, v in params.items() if v is not None), capsys, check=check)

        def config(self, **values):
            sim_api.config("wickr", **values)

        def stored(self, network_id=NET):
            return sim_api.state("wickr")["networks"][network_id]["oidc"]

        def requests(self):
            out = sim_api.requests("wickr")
            sim_api.clear_requests("wickr")
            return out

    yield Ctx()
    sim_api.reset("wickr")


def oidc(wk, **extra):
    out = dict(network_id=NET, company_id="acme", issuer=wk.issuer, scopes=["openid", "email"],
               client_id="wickr-app", secret=SECRET)
    out.update(extra)
    return out


# ----------------------------------------------------------------------------- botocore floor
def test_botocore_floor_is_the_first_release_with_the_wickr_model():
    assert _wickr_connection.BOTOCORE_MIN == (1, 42, 14)
    assert _wickr_connection._version_tuple("1.42.13") < _wickr_connection.BOTOCORE_MIN <= _wickr_connection._version_tuple("1.42.14")
    assert _wickr_connection._version_tuple("1.43.0.dev1") > _wickr_connection.BOTOCORE_MIN


@pytest.mark.parametrize("module", [network_module, config_module])
def test_an_older_botocore_fails_at_start_up_naming_both_versions(wk, monkeypatch, module):
    import botocore

    monkeypatch.setattr(botocore, "__version__", "1.42.13")
    args = {} if module is network_module else oidc(wk)
    result = wk.run(module, **args)
    assert result["rc"] == 1
    assert result["msg"].startswith("botocore 1.42.14 or later is required")
    assert "has botocore 1.42.13" in result["msg"] and "pip install 'botocore>=1.42.14'" in result["msg"]
    assert wk.requests() == []


# ----------------------------------------------------------------------------- wickr_network_info
def test_network_info_lists_every_page(wk):
    wk.config(page_limit=2)
    result = wk.run(network_module)
    assert result["rc"] == 0 and result["changed"] is False
    assert [n["network_id"] for n in result["networks"]] == SEED_IDS
    first = result["networks"][0]
    assert first["network_name"] == "Engineering" and first["access_level"] == "PREMIUM"
    assert first["standing"] == 1 and first["migration_state"] == 2
    assert first["network_arn"].endswith(":network/12345678") and first["aws_account_id"] == "123456789012"
    assert "oidc" not in first
    log = wk.requests()
    assert [(r["method"], r["path"]) for r in log] == [("GET", "/networks")] * 3  # 2 + 2 + 2, nextToken twice
    assert [r["query"] for r in log][0] == "maxResults=100"
    assert all("nextToken=" in r["query"] for r in log[1:])
    assert result["api_calls"] == {"GET": 3}
    assert result["msg"] == "6 Wickr network(s) found"


def test_network_info_one_page_and_check_mode(wk):
    result = wk.run(network_module, check=True)
    assert result["rc"] == 0 and len(result["networks"]) == 6
    assert result["api_calls"] == {"GET": 1}


def test_network_info_ids_feed_the_set_module(wk):
    networks = wk.run(network_module)["networks"]
    premium = [n["network_id"] for n in networks if n["access_level"] == "PREMIUM"]
    config = [dict(oidc(wk, network_id=nid, company_id="acme-%s" % nid)) for nid in premium]
    result = wk.run(set_module, config=config, state="merged")
    assert result["rc"] == 0 and result["changed"]
    assert sorted(r["key"] for r in result["results"]) == sorted(premium)
    again = wk.run(set_module, config=config, state="merged")
    assert again["rc"] == 0 and not again["changed"]


def test_network_info_errors_are_the_vendors(wk):
    result = wk.run(network_module, secret_key="wrong-secret-key-000000000000000000000000")
    assert result["rc"] == 1
    assert "GET /networks" in result["msg"] and "HTTP 403" in result["msg"]
    assert "wrong-secret-key" not in result["_raw"].replace('"secret_key": "********"', "")


# ----------------------------------------------------------------------------- the user's values in the body
def test_create_body_carries_scopes_as_written(wk):
    result = wk.run(config_module, **oidc(wk, scopes="openid  email  profile"))
    assert result["rc"] == 0 and result["action"] == "created"
    assert result["proposed"]["scopes"] == "openid  email  profile"
    assert wk.stored()["scopes"] == "openid  email  profile"
    # compared as a set of scopes: the same scopes written another way change nothing
    assert not wk.run(config_module, **oidc(wk, scopes=["profile", "email", "openid"]))["changed"]


def test_update_body_carries_given_values_and_the_servers_own_for_the_rest(wk):
    wk.api._call("wickr", "POST", "/seed", {"networks": {NET: {"oidc": {
        "companyId": "acme", "issuer": wk.issuer + "/", "scopes": "openid,email", "userId": "wickr-app",
        "secret": SECRET, "customUsername": None, "extraAuthParams": None, "ssoTokenBufferMinutes": None,
        "applicationId": 1, "applicationName": "wickr-network", "redirectUrl": "https://x.example/cb",
        "caCertificate": None, "clientId": None}}}})
    result = wk.run(config_module, network_id=NET, custom_username="Preferred_Username",
                    sso_token_buffer_minutes=5)
    assert result["rc"] == 0 and result["action"] == "updated"
    body = result["proposed"]
    assert body["customUsername"] == "Preferred_Username" and body["ssoTokenBufferMinutes"] == 5
    # the fields the task left out go back exactly as the server stores them, not in our comparison form
    assert body["scopes"] == "openid,email" and body["issuer"] == wk.issuer + "/"
    stored = wk.stored()
    assert stored["scopes"] == "openid,email" and stored["customUsername"] == "Preferred_Username"


# ----------------------------------------------------------------------------- every write is verified
def test_a_service_that_does_not_take_a_field_fails_the_item(wk):
    assert wk.run(config_module, **oidc(wk))["action"] == "created"
    wk.config(ignored_fields=["customUsername"])
    result = wk.run(config_module, network_id=NET, custom_username="upn", client_id="wickr-app")
    assert result["rc"] == 1
    assert "custom_username: written as 'upn', the server kept None" in result["msg"]
    assert SECRET not in result["_raw"]


@pytest.mark.parametrize("visibility", ["omitted", "masked", "clear"])
def test_every_save_reads_back_under_each_secret_visibility(wk, visibility):
    wk.config(secret_visibility=visibility)
    assert wk.run(config_module, **oidc(wk))["action"] == "created"
    updated = wk.run(config_module, network_id=NET, sso_token_buffer_minutes=7, client_id="wickr-app",
                     secret=SECRET)
    assert updated["rc"] == 0, updated["msg"]
    assert updated["end_state"]["sso_token_buffer_minutes"] == 7
    assert SECRET not in updated["_raw"]


def test_a_service_that_refuses_a_second_save_fails_with_its_text(wk):
    assert wk.run(config_module, **oidc(wk))["action"] == "created"
    wk.config(resave="conflict")
    result = wk.run(config_module, network_id=NET, custom_username="upn", client_id="wickr-app")
    assert result["rc"] == 1
    assert "BadRequestError: OIDC is already configured for this network" in result["msg"]
    assert wk.stored()["customUsername"] is None
    assert not wk.run(config_module, **oidc(wk))["changed"]  # nothing to write: no save, no conflict


# ----------------------------------------------------------------------------- no credentials in endpoint_url
@pytest.mark.parametrize("module", [network_module, config_module])
def test_endpoint_url_with_user_information_is_refused_before_any_request(wk, module):
    url = wk.conn["endpoint_url"].replace("https://", "https://AKIAEXAMPLE:Very-Secret-9@")
    args = {} if module is network_module else oidc(wk)
    result = wk.run(module, **dict(args, endpoint_url=url))
    assert result["rc"] == 1
    assert result["msg"].startswith("endpoint_url:")
    assert "access_key" in result["msg"] and "Very-Secret-9" not in result["_raw"]
    assert wk.requests() == []


@pytest.mark.parametrize("visibility", ["omitted", "masked"])
def test_update_secret_always_is_not_failed_by_a_secret_the_read_cannot_show(wk, visibility):
    wk.config(secret_visibility=visibility)
    assert wk.run(config_module, **oidc(wk))["action"] == "created"
    rotated = wk.run(config_module, **oidc(wk, secret="rotated-secret-77aa", update_secret="always"))
    assert rotated["rc"] == 0 and rotated["changed"], rotated["msg"]
    assert wk.stored()["secret"] == "rotated-secret-77aa"
    assert "rotated-secret-77aa" not in rotated["_raw"]
