# Copyright (c) sso.oidc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""cx_token: main() over real HTTPS against the Checkmarx simulator."""

from ansible_collections.sso.oidc.plugins.modules import cx_oidc_client_info, cx_token

from conftest import run_module


def auths(cx):
    return [r for r in cx.requests("checkmarx") if r["kind"] == "auth"]


def test_one_login_whose_token_the_other_modules_use(cx, cx_conn, capsys, sim):
    cx.clear_requests("checkmarx")
    result = run_module(capsys, cx_token, cx_conn)
    assert result["_rc"] == 0 and result["changed"] is False and result["logged_in"] is True
    assert result["token"] in sim.apps["checkmarx"].tokens  # a real token of the server
    assert result["api_calls"] == {"POST": 1} and len(auths(cx)) == 1
    assert cx_conn["password"] not in result["_raw"]

    info = run_module(capsys, cx_oidc_client_info, {"url": cx_conn["url"], "ca_path": cx_conn["ca_path"],
                                                    "token": result["token"]})
    assert info["_rc"] == 0 and len(info["clients"]) == 3, info
    assert len(auths(cx)) == 1  # the info module did not log in again


def test_check_mode_logs_in_too(cx, cx_conn, capsys):
    cx.clear_requests("checkmarx")
    result = run_module(capsys, cx_token, cx_conn, check=True)
    assert result["_rc"] == 0 and result["token"] and result["logged_in"] is True
    assert len(auths(cx)) == 1


def test_a_given_token_is_returned_without_a_request(cx, cx_conn, capsys):
    cx.clear_requests("checkmarx")
    result = run_module(capsys, cx_token, {"url": cx_conn["url"], "token": "Bearer abc.def"})
    assert result["_rc"] == 0 and "token" not in result and result["logged_in"] is False
    assert result["api_calls"] == {} and cx.requests("checkmarx") == []


def test_a_wrong_password_fails_with_the_hint_and_no_secret(cx, cx_conn, capsys):
    result = run_module(capsys, cx_token, dict(cx_conn, password="not-the-password-7f3a"))
    assert result["failed"] and result["_rc"] == 1 and "token" not in result
    assert "Check username and password" in result["msg"], result["msg"]
    assert "not-the-password-7f3a" not in result["_raw"]


def test_input_is_checked_before_any_request(cx, capsys, cx_conn):
    cx.clear_requests("checkmarx")
    result = run_module(capsys, cx_token, {"url": cx_conn["url"], "username": "admin"})
    assert result["failed"] and "password: required to log in unless token is given" in result["msg"]
    assert cx.requests("checkmarx") == []
