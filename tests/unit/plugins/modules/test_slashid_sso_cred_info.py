# Copyright (c) sso.oidc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""slashid_sso_cred_info against the SlashID simulator."""

import pytest

from test_slashid_support import APPLE_KEY, PATH, no_secret_in, stored
from test_slashid_support import slashid  # noqa: F401 pylint: disable=unused-import

SEED = {
    "g1": stored("g1", label="one"),
    "g2": stored("g2", options={"google": {"authorize_scopes": ["drive"]}}),
    "gh": stored("gh", provider="github"),
    "ap": stored("ap", provider="apple", options={"apple": {
        "private_key": APPLE_KEY, "team_id": "ABCDE12345", "key_id": "FGHIJ67890", "secret_lifetime": "24h"}}),
}


@pytest.mark.parametrize("shown", ["plain", "empty"])
def test_all_credentials_in_option_form_without_secrets(slashid, shown):
    slashid.reset(**SEED)
    slashid.config(private_key_in_response=shown)
    result = slashid.info()
    assert not result["changed"]
    assert [c["client_id"] for c in result["credentials"]] == ["g1", "g2", "gh", "ap"]
    by_id = dict((c["client_id"], c) for c in result["credentials"])
    assert by_id["g1"] == {"client_id": "g1", "provider": "google", "label": "one", "external_cred_id": "",
                           "enable_in_slashid_oidc_authz_server": False,
                           "options": {"google": {"authorize_scopes": ["openid", "email", "profile"]}}}
    assert by_id["g2"]["options"]["google"]["authorize_scopes"] == ["openid", "email", "profile", "drive"]
    assert by_id["ap"]["options"]["apple"] == {"authorize_scopes": ["openid", "email", "name"],
                                               "team_id": "ABCDE12345", "key_id": "FGHIJ67890",
                                               "secret_lifetime": "24h0m0s"}
    no_secret_in(result, "stored-secret-0001", APPLE_KEY, APPLE_KEY.splitlines()[1])
    assert result["api_calls"] == {"GET": 1}


def test_one_credential(slashid):
    slashid.reset(**SEED)
    result = slashid.info(client_id="gh")
    assert [c["client_id"] for c in result["credentials"]] == ["gh"]
    assert [(e["method"], e["path"]) for e in slashid.log()] == [("GET", PATH + "/gh")]


def test_missing_credential_is_an_empty_list(slashid):
    result = slashid.info(client_id="nope")
    assert not result.get("failed") and result["credentials"] == []
    assert "no SlashID SSO credential 'nope'" in result["msg"]


def test_provider_filter_is_sent_to_the_api(slashid):
    slashid.reset(**SEED)
    result = slashid.info(provider="google")
    assert [c["client_id"] for c in result["credentials"]] == ["g1", "g2"]
    assert [e["query"] for e in slashid.log()] == ["oauth_provider=google"]


def test_one_credential_with_a_provider_that_does_not_match(slashid):
    slashid.reset(**SEED)
    assert slashid.info(client_id="gh", provider="google")["credentials"] == []


def test_info_runs_in_check_mode_and_reports_a_401(slashid):
    assert slashid.run("slashid_sso_cred_info", check=True)["credentials"] == []
    result = slashid.info(api_key="not-the-key-1234")
    assert result["failed"] and "HTTP 401" in result["msg"]
