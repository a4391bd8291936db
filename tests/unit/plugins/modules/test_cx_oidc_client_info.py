# Copyright (c) sso.oidc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""cx_oidc_client_info: main() over real HTTPS against the Checkmarx simulator."""

import json

import pytest

from ansible.module_utils.testing import patch_module_args

from ansible_collections.sso.oidc.plugins.modules import cx_oidc_client_info

from simulators.checkmarx import DEFAULT_AUTH_CLIENT_SECRET, secret_hash


@pytest.fixture
def cx(sim_api):
    sim_api.reset("checkmarx")
    return sim_api


@pytest.fixture
def conn(sim, sim_env):
    env = sim_env["checkmarx"]
    return {"url": env["url"], "username": env["username"], "password": env["password"], "ca_path": sim.pki.ca_path}


def run(capsys, args, check=False):
    args = dict(args)
    if check:
        args["_ansible_check_mode"] = True
    with patch_module_args(args):
        with pytest.raises(SystemExit) as exc:
            cx_oidc_client_info.main()
    out = capsys.readouterr().out
    result = json.loads(out)
    result["_rc"] = exc.value.code
    result["_raw"] = out
    return result


def test_all_clients_masked_with_their_ids(cx, conn, capsys):
    result = run(capsys, conn)
    assert result["changed"] is False and result["_rc"] == 0
    ids = dict((c["client_id"], c["id"]) for c in result["clients"])
    assert ids == {"cxsast_client": 1, "resource_owner_client": 2, "resource_owner_sast_client": 4}
    sast = [c for c in result["clients"] if c["client_id"] == "resource_owner_sast_client"][0]
    assert sast["client_secrets"] == ["********"]
    assert sast["allowed_scopes"] == ["access_control_api", "offline_access", "sast_api"]
    assert sast["access_token_type"] == "jwt" and sast["refresh_token_usage"] == "one_time_only"
    assert secret_hash(DEFAULT_AUTH_CLIENT_SECRET) not in result["_raw"]
    assert DEFAULT_AUTH_CLIENT_SECRET not in result["_raw"]
    assert result["api_calls"] == {"POST": 1, "GET": 1}
    assert result["msg"] == "3 OIDC client(s) found"


def test_one_client_in_check_mode_and_a_missing_one(cx, conn, capsys):
    one = run(capsys, dict(conn, client_id="cxsast_client"), check=True)
    assert [c["client_id"] for c in one["clients"]] == ["cxsast_client"]
    assert one["clients"][0]["require_client_secret"] is False
    assert one["clients"][0]["client_secrets"] == []
    missing = run(capsys, dict(conn, client_id="nope"))
    assert missing["clients"] == [] and missing["_rc"] == 0 and missing["msg"] == "OIDC client 'nope' not found"
    assert [r for r in cx.requests("checkmarx") if r["kind"] == "write"] == []


def test_summary_lists_read_the_full_client(cx, conn, capsys):
    cx.config("checkmarx", list_summary=True)
    one = run(capsys, dict(conn, client_id="resource_owner_client"))
    assert one["clients"][0]["allowed_grant_types"] == ["password"]
    assert one["api_calls"] == {"POST": 1, "GET": 2}
    everything = run(capsys, conn)
    assert all("access_token_lifetime" in c for c in everything["clients"])


def test_info_fails_cleanly_without_permission(cx, conn, capsys, sim_env):
    env = sim_env["checkmarx"]
    result = run(capsys, dict(conn, username=env["readonly_username"], password=env["readonly_password"]))
    assert result["failed"] and result["status"] == 403
    assert result["msg"].startswith("Checkmarx API GET /OIDCClients failed: HTTP 403: ")
