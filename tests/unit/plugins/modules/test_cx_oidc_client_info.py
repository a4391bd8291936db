# Copyright (c) sso.oidc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""cx_oidc_client_info: main() over real HTTPS against the Checkmarx simulator."""

from ansible_collections.sso.oidc.plugins.modules import cx_oidc_client_info

from conftest import run_module
from simulators.checkmarx import DEFAULT_AUTH_CLIENT_SECRET, secret_hash


def run(capsys, args, check=False):
    return run_module(capsys, cx_oidc_client_info, args, check=check)


def test_all_clients_masked_with_their_ids(cx, cx_conn, capsys):
    result = run(capsys, cx_conn)
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


def test_one_client_in_check_mode_and_a_missing_one(cx, cx_conn, capsys):
    one = run(capsys, dict(cx_conn, client_id="cxsast_client"), check=True)
    assert [c["client_id"] for c in one["clients"]] == ["cxsast_client"]
    assert one["clients"][0]["require_client_secret"] is False
    assert one["clients"][0]["client_secrets"] == []
    missing = run(capsys, dict(cx_conn, client_id="nope"))
    assert missing["clients"] == [] and missing["_rc"] == 0 and missing["msg"] == "OIDC client 'nope' not found"
    assert [r for r in cx.requests("checkmarx") if r["kind"] == "write"] == []


def test_summary_lists_read_the_full_client(cx, cx_conn, capsys):
    cx.config("checkmarx", list_summary=True)
    one = run(capsys, dict(cx_conn, client_id="resource_owner_client"))
    assert one["clients"][0]["allowed_grant_types"] == ["password"]
    assert one["api_calls"] == {"POST": 1, "GET": 2}
    everything = run(capsys, cx_conn)
    assert all("access_token_lifetime" in c for c in everything["clients"])


def test_info_fails_cleanly_without_permission(cx, cx_conn, capsys, sim_env):
    env = sim_env["checkmarx"]
    result = run(capsys, dict(cx_conn, username=env["readonly_username"], password=env["readonly_password"]))
    assert result["failed"] and result["status"] == 403
    assert result["msg"].startswith("Checkmarx API GET /OIDCClients failed: HTTP 403: ")
