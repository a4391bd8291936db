# Copyright (c) sso.oidc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""cx_oidc_client: main() over real HTTPS against the Checkmarx simulator.

Every test reads the outcome from the simulator (its state and request log), not only
from what the module reports.
"""

import json
import urllib.parse
import urllib.request

import pytest

from ansible.module_utils.common import warnings as ansible_warnings

from ansible_collections.sso.oidc.plugins.modules import cx_oidc_client

from conftest import run_module
from simulators.checkmarx import secret_hash

SECRET = "portal-secret-1f9c"
NEW_SECRET = "portal-secret-7d20"


@pytest.fixture(autouse=True)
def _clean_warnings():
    ansible_warnings._global_warnings.clear()
    yield
    ansible_warnings._global_warnings.clear()


def run(capsys, args, check=False, diff=False, module=cx_oidc_client):
    return run_module(capsys, module, args, check=check, diff=diff)


def server_client(cx, client_id):
    found = [c for c in cx.state("checkmarx")["clients"] if c["clientId"] == client_id]
    return found[0] if found else None


def writes(cx):
    return [r for r in cx.requests("checkmarx") if r["kind"] == "write"]


def bodies(cx):
    """The JSON bodies of the writes the simulator received, in order."""
    return [b["body"] for b in cx._call("checkmarx", "GET", "/bodies")["bodies"]]


def portal(cx_conn, **extra):
    args = dict(cx_conn, client_id="portal", name="Internal portal", allowed_grant_types=["password"],
                allowed_scopes=["access_control_api", "sast_rest_api"], redirect_uris=["https://portal.example.com/cb"],
                client_secrets=[SECRET], access_token_lifetime=1800, refresh_token_usage="reuse")
    args.update(extra)
    return args


def token_request(sim, sim_env, client_id, client_secret, username=None, password=None, scope="access_control_api"):
    """A real password-grant login against the simulator; returns (status, json)."""
    env = sim_env["checkmarx"]
    form = urllib.parse.urlencode({"grant_type": "password", "client_id": client_id, "client_secret": client_secret,
                                   "username": username or env["username"], "password": password or env["password"],
                                   "scope": scope}).encode()
    req = urllib.request.Request(env["token_url"], data=form, method="POST",
                                 headers={"Content-Type": "application/x-www-form-urlencoded"})
    try:
        with urllib.request.urlopen(req, context=sim.pki.client_context(), timeout=10) as resp:
            return resp.status, json.loads(resp.read().decode())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read().decode() or "{}")


# ---------------------------------------------------------------------------- lifecycle
def test_create_in_check_mode_writes_nothing_and_predicts_the_real_end_state(cx, cx_conn, capsys):
    predicted = run(capsys, portal(cx_conn), check=True, diff=True)
    assert predicted["changed"] and predicted["action"] == "created" and predicted["_rc"] == 0
    assert writes(cx) == []
    assert server_client(cx, "portal") is None
    assert predicted["msg"] == "OIDC client 'portal' would be created"

    real = run(capsys, portal(cx_conn), diff=True)
    assert real["changed"] and real["msg"] == "OIDC client 'portal' created"
    assert real["end_state"] == predicted["end_state"]
    assert real["diff"] == predicted["diff"]
    assert real["proposed"] == predicted["proposed"]
    assert real["api_calls"] == {"POST": 2, "GET": 2}  # login, list, create, read back

    stored = server_client(cx, "portal")
    assert stored["clientSecrets"] == [secret_hash(SECRET)]
    assert stored["accessTokenLifetime"] == 1800 and stored["refreshTokenUsage"] == 0
    assert stored["redirectUris"] == ["https://portal.example.com/cb"]
    assert real["end_state"]["client_secrets"] == ["********"]
    assert SECRET not in real["_raw"] and secret_hash(SECRET) not in real["_raw"]
    # the created client really works with its secret at the token endpoint
    assert token_request(cx.harness, _env(cx), "portal", SECRET)[0] == 200


def _env(cx):
    return cx.harness.describe()


def test_rerun_is_unchanged_with_one_login_one_read_and_no_write(cx, cx_conn, capsys):
    run(capsys, portal(cx_conn))
    cx.clear_requests("checkmarx")
    shuffled = portal(cx_conn, redirect_uris=["https://portal.example.com/cb"] * 2,
                      allowed_scopes=["sast_rest_api", "access_control_api"])
    again = run(capsys, shuffled, diff=True)
    assert again["changed"] is False and again["action"] == "unchanged"
    assert cx.summary("checkmarx") == {"total": 2, "read": 1, "write": 0, "auth": 1, "check": 0}
    assert again["api_calls"] == {"POST": 1, "GET": 1}
    assert again["diff"]["before"] == again["diff"]["after"]


def test_change_one_field_changes_only_that_field_on_the_server(cx, cx_conn, capsys):
    run(capsys, portal(cx_conn))
    before = server_client(cx, "portal")
    cx.clear_requests("checkmarx")
    result = run(capsys, portal(cx_conn, access_token_lifetime=900), diff=True)
    assert result["changed"] and result["changed_fields"] == ["access_token_lifetime"]
    assert result["diff"]["before"]["access_token_lifetime"] == 1800
    assert result["diff"]["after"]["access_token_lifetime"] == 900
    assert result["diff"]["after"]["client_secrets"] == ["********"]  # not reported as changed
    after = server_client(cx, "portal")
    assert dict(before, accessTokenLifetime=900) == after
    assert [w["method"] for w in writes(cx)] == ["PUT"]


def test_rotate_a_secret(cx, cx_conn, capsys):
    run(capsys, portal(cx_conn))
    result = run(capsys, portal(cx_conn, client_secrets=[NEW_SECRET]), diff=True)
    assert result["changed"] and result["changed_fields"] == ["client_secrets"]
    assert result["diff"]["after"]["client_secrets"] == "******** (changed)"
    assert server_client(cx, "portal")["clientSecrets"] == [secret_hash(NEW_SECRET)]
    assert NEW_SECRET not in result["_raw"] and SECRET not in result["_raw"]
    assert token_request(cx.harness, _env(cx), "portal", NEW_SECRET)[0] == 200
    assert token_request(cx.harness, _env(cx), "portal", SECRET) == (400, {"error": "invalid_client"})
    assert run(capsys, portal(cx_conn, client_secrets=[NEW_SECRET]))["changed"] is False


def test_update_without_the_secret_is_refused_before_any_write_with_stored_secrets_refuse(cx, cx_conn, capsys):
    run(capsys, portal(cx_conn))
    before = server_client(cx, "portal")
    cx.clear_requests("checkmarx")
    minimal = dict(cx_conn, client_id="portal", enabled=False, stored_secrets="refuse")
    for check in (True, False):
        result = run(capsys, minimal, check=check)
        assert result["failed"] and result["_rc"] == 1 and result["action"] == "failed"
        assert result["msg"].startswith("OIDC client 'portal' failed: client_secrets: the client has 1 secret(s)")
    assert writes(cx) == []
    assert server_client(cx, "portal") == before
    # with the secret it works, and the stored hash is the same
    result = run(capsys, dict(minimal, client_secrets=[SECRET]))
    assert result["changed"] and result["changed_fields"] == ["enabled"]
    assert server_client(cx, "portal") == dict(before, enabled=False)


@pytest.mark.parametrize("check", [True, False])
def test_partial_update_without_the_secret_sends_the_stored_values_back(cx, cx_conn, capsys, check):
    """The default (stored_secrets=send_back) on a server that keeps a stored value sent back (resent_secrets=keep)."""
    run(capsys, portal(cx_conn))
    before = server_client(cx, "portal")
    cx.clear_requests("checkmarx")
    result = run(capsys, dict(cx_conn, client_id="portal", access_token_lifetime=900), check=check)
    assert result["changed"] and not result.get("failed") and result["changed_fields"] == ["access_token_lifetime"]
    assert result["proposed"]["clientSecrets"] == ["********"]
    if check:
        assert writes(cx) == [] and server_client(cx, "portal") == before
        return
    assert [w["method"] for w in writes(cx)] == ["PUT"]
    assert bodies(cx)[0]["clientSecrets"] == [secret_hash(SECRET)]  # the stored value, sent back
    assert server_client(cx, "portal") == dict(before, accessTokenLifetime=900)
    assert token_request(cx.harness, _env(cx), "portal", SECRET)[0] == 200  # the secret still works
    cx.clear_requests("checkmarx")
    assert run(capsys, dict(cx_conn, client_id="portal", access_token_lifetime=900))["changed"] is False
    assert writes(cx) == []


def test_a_builtin_client_can_be_changed_without_its_secret(cx, cx_conn, capsys):
    result = run(capsys, dict(cx_conn, client_id="resource_owner_client", access_token_lifetime=7200))
    assert result["changed"] and not result.get("failed")
    assert server_client(cx, "resource_owner_client")["accessTokenLifetime"] == 7200
    # the module still logs in with the built-in client and its documented secret
    assert run(capsys, dict(cx_conn, client_id="resource_owner_client", access_token_lifetime=7200))["changed"] is False


def test_a_server_that_rehashes_a_resent_secret_fails_naming_the_client_and_the_fix(cx, cx_conn, capsys):
    cx.config("checkmarx", resent_secrets="rehash")
    run(capsys, portal(cx_conn))
    result = run(capsys, dict(cx_conn, client_id="portal", access_token_lifetime=900))
    assert result["failed"] and result["action"] == "updated" and result["changed"]
    msg = result["msg"]
    assert msg.startswith("OIDC client 'portal' failed: the read right after the write does not show what was written")
    assert "re-hashed the 1 stored secret(s) of OIDC client 'portal'" in msg and "with client_secrets" in msg
    assert secret_hash(SECRET) not in result["_raw"] and SECRET not in result["_raw"]
    assert server_client(cx, "portal")["clientSecrets"] == [secret_hash(secret_hash(SECRET))]
    # the documented fix: give client_secrets; the client works again and a rerun is quiet
    fixed = run(capsys, dict(cx_conn, client_id="portal", access_token_lifetime=900, client_secrets=[SECRET]))
    assert fixed["changed"] and not fixed.get("failed")
    assert token_request(cx.harness, _env(cx), "portal", SECRET)[0] == 200
    assert run(capsys, dict(cx_conn, client_id="portal", access_token_lifetime=900, client_secrets=[SECRET]))["changed"] is False
    # refuse protects such a server before any write
    cx.clear_requests("checkmarx")
    refused = run(capsys, dict(cx_conn, client_id="portal", access_token_lifetime=600, stored_secrets="refuse"))
    assert refused["failed"] and writes(cx) == []


@pytest.mark.parametrize("setting", ["apply", "ignore"])
def test_create_only_fields_on_update_are_verified(cx, cx_conn, capsys, setting):
    cx.config("checkmarx", put_create_only=setting)
    run(capsys, portal(cx_conn))
    result = run(capsys, portal(cx_conn, include_jwt_id=True, access_token_type="reference"))
    stored = server_client(cx, "portal")
    if setting == "apply":
        assert result["changed"] and not result.get("failed")
        assert stored["includeJwtId"] is True and stored["accessTokenType"] == 1
        assert run(capsys, portal(cx_conn, include_jwt_id=True, access_token_type="reference"))["changed"] is False
        return
    assert result["failed"] and stored["includeJwtId"] is False
    assert "include_jwt_id: written as True, the server kept False" in result["msg"]
    assert "access_token_type: written as 'reference', the server kept 'jwt'" in result["msg"]
    assert "delete the client (state=absent) and create it again" in result["msg"]
    # the documented way: delete and create again (a create takes them)
    run(capsys, dict(cx_conn, client_id="portal", state="absent"))
    again = run(capsys, portal(cx_conn, include_jwt_id=True, access_token_type="reference"))
    assert again["action"] == "created" and not again.get("failed")
    assert server_client(cx, "portal")["includeJwtId"] is True


def test_require_pkce_is_compared_and_written(cx, cx_conn, capsys):
    created = run(capsys, portal(cx_conn, require_pkce=True))
    assert created["end_state"]["require_pkce"] is True and server_client(cx, "portal")["requirePkce"] is True
    assert run(capsys, portal(cx_conn, require_pkce=True))["changed"] is False
    off = run(capsys, portal(cx_conn, require_pkce=False))
    assert off["changed_fields"] == ["require_pkce"] and server_client(cx, "portal")["requirePkce"] is False


def test_bodies_sent_carry_the_users_values(cx, cx_conn, capsys):
    scopes = ["sast_rest_api", "access_control_api", "sast_rest_api"]
    run(capsys, portal(cx_conn, allowed_scopes=scopes, allowed_grant_types=["password", "client_credentials"]))
    body = bodies(cx)[0]
    assert body["allowedScopes"] == scopes and body["allowedGrantTypes"] == ["password", "client_credentials"]
    assert body["clientSecrets"] == [SECRET]
    cx.clear_requests("checkmarx")
    run(capsys, portal(cx_conn, redirect_uris=["https://z.example.com/cb", "https://a.example.com/cb"]))
    assert bodies(cx)[0]["redirectUris"] == ["https://z.example.com/cb", "https://a.example.com/cb"]


def test_a_server_that_stores_secrets_as_sent(cx, cx_conn, capsys):
    cx.config("checkmarx", secrets_stored_as="as_sent")
    created = run(capsys, portal(cx_conn), check=True)
    run(capsys, portal(cx_conn))
    stored = server_client(cx, "portal")
    assert stored["clientSecrets"] == [SECRET]
    assert run(capsys, portal(cx_conn))["changed"] is False
    # an update that does not mention the secret keeps it as stored (the server proved it stores as sent)
    result = run(capsys, dict(cx_conn, client_id="portal", include_jwt_id=True))
    assert result["changed"] and result["changed_fields"] == ["include_jwt_id"]
    assert server_client(cx, "portal") == dict(stored, includeJwtId=True)
    assert created["end_state"]["client_secrets"] == ["********"]


def test_a_hash_stored_on_an_as_sent_server_is_sent_back_as_is(cx, cx_conn, capsys):
    cx.config("checkmarx", secrets_stored_as="as_sent")
    cx._call("checkmarx", "POST", "/seed", {"clients": [
        {"clientId": "hashed", "clientSecrets": [secret_hash(SECRET)], "allowedGrantTypes": ["password"]},
        {"clientId": "plain", "clientSecrets": ["stored-as-sent"]},
    ]})
    before = server_client(cx, "hashed")
    result = run(capsys, dict(cx_conn, client_id="hashed", client_secrets=[SECRET], enabled=False))
    assert result["changed"] and result["changed_fields"] == ["enabled"]
    assert server_client(cx, "hashed") == dict(before, enabled=False)


def test_a_server_that_lists_summaries_only(cx, cx_conn, capsys):
    cx.config("checkmarx", list_summary=True)
    run(capsys, portal(cx_conn))
    cx.clear_requests("checkmarx")
    again = run(capsys, portal(cx_conn))
    assert again["changed"] is False
    assert [r["path"].rsplit("/", 1)[-1] for r in cx.requests("checkmarx")] == ["token", "OIDCClients", "5"]
    assert run(capsys, portal(cx_conn, name="Renamed"))["changed"]
    assert server_client(cx, "portal")["clientName"] == "Renamed"
    assert server_client(cx, "portal")["clientSecrets"] == [secret_hash(SECRET)]


def test_absent_then_absent_again(cx, cx_conn, capsys):
    run(capsys, portal(cx_conn))
    gone = run(capsys, dict(cx_conn, client_id="portal", state="absent"), diff=True)
    assert gone["changed"] and gone["action"] == "deleted" and gone["end_state"] == {}
    assert gone["diff"]["after"] == {}
    assert server_client(cx, "portal") is None
    cx.clear_requests("checkmarx")
    again = run(capsys, dict(cx_conn, client_id="portal", state="absent"))
    assert again["changed"] is False and again["msg"] == "OIDC client 'portal' is already absent"
    assert writes(cx) == []


def test_a_builtin_client_is_never_deleted(cx, cx_conn, capsys):
    result = run(capsys, dict(cx_conn, client_id="resource_owner_client", state="absent"))
    assert result["failed"] and "is protected and is never deleted" in result["msg"]
    assert writes(cx) == []
    assert server_client(cx, "resource_owner_client") is not None


def test_enum_words_and_claims(cx, cx_conn, capsys):
    args = portal(cx_conn, access_token_type="reference", refresh_token_expiration="sliding",
                  claims=[{"type": "tenant", "value": "acme"}, {"type": "role", "value": "ci"}],
                  client_claims_prefix="cx_", allowed_cors_origins=["https://portal.example.com"],
                  front_channel_logout_uri="https://portal.example.com/logout")
    run(capsys, args)
    stored = server_client(cx, "portal")
    assert stored["accessTokenType"] == 1 and stored["refreshTokenExpiration"] == 0
    assert sorted(c["type"] for c in stored["claims"]) == ["role", "tenant"]
    args["claims"] = list(reversed(args["claims"]))
    assert run(capsys, args)["changed"] is False
    cleared = run(capsys, dict(args, front_channel_logout_uri=""))
    assert cleared["changed_fields"] == ["front_channel_logout_uri"]
    assert server_client(cx, "portal")["frontChannelLogoutUri"] == ""  # sent as written
    assert run(capsys, dict(args, front_channel_logout_uri=""))["changed"] is False


# ---------------------------------------------------------------------------- auth
def test_token_expiring_mid_run_logs_in_again_once(cx, cx_conn, capsys):
    cx.config("checkmarx", token_lifetime=1)
    cx.fault("checkmarx", method="GET", path="/OIDCClients$", delay=1.3, times=1)
    result = run(capsys, portal(cx_conn))
    assert result["changed"] and result["_rc"] == 0
    log = cx.requests("checkmarx")
    assert [r["status"] for r in log if r["method"] == "GET"][0] == 401
    assert sum(1 for r in log if r["kind"] == "auth") >= 2
    assert server_client(cx, "portal") is not None


def test_a_given_token_skips_the_login(cx, cx_conn, capsys, sim, sim_env):
    status, body = token_request(sim, sim_env, "resource_owner_client", "014DF517-39D1-4453-B7B3-9930C563627C",
                                 scope="access_control_api sast_rest_api")
    assert status == 200
    cx.clear_requests("checkmarx")
    args = dict(portal(cx_conn), token="Bearer " + body["access_token"])
    del args["username"], args["password"]
    result = run(capsys, args)
    assert result["changed"]
    assert cx.summary("checkmarx")["auth"] == 0
    assert body["access_token"] not in result["_raw"]

    cx._call("checkmarx", "POST", "/tokens/expire")
    failed = run(capsys, dict(args, access_token_lifetime=60))
    assert failed["failed"] and failed["status"] == 401
    assert failed["msg"].startswith("Checkmarx API GET /OIDCClients failed: HTTP 401")
    assert "token (or CX_TOKEN) was refused" in failed["msg"]
    # with credentials too, the module logs in by itself when the token is refused
    recovered = run(capsys, dict(args, access_token_lifetime=60, username=cx_conn["username"],
                                 password=cx_conn["password"]))
    assert recovered["changed"] and server_client(cx, "portal")["accessTokenLifetime"] == 60


def test_connection_from_environment_variables(cx, cx_conn, capsys, monkeypatch):
    monkeypatch.setenv("CX_URL", cx_conn["url"] + "/cxrestapi/auth/")
    monkeypatch.setenv("CX_USERNAME", cx_conn["username"])
    monkeypatch.setenv("CX_PASSWORD", cx_conn["password"])
    monkeypatch.setenv("CX_CA_PATH", cx_conn["ca_path"])
    result = run(capsys, {"client_id": "from-env", "allowed_grant_types": ["client_credentials"]})
    assert result["changed"] and server_client(cx, "from-env")["clientName"] == "from-env"
    assert result["end_state"]["name"] == "from-env"
    assert cx_conn["password"] not in result["_raw"]


def test_bad_input_fails_before_any_request(cx, cx_conn, capsys):
    for args, message in (
        (portal(cx_conn, allowed_cors_origins=["https://portal.example.com/"]), "allowed_cors_origins[0]: "),
        (portal(cx_conn, access_token_lifetime=0), "access_token_lifetime: must be a positive number of seconds"),
        (dict(portal(cx_conn), url=None), "url: the CxSAST server URL is required"),
        (dict(portal(cx_conn), password=None), "password: required to log in unless token is given"),
    ):
        result = run(capsys, args)
        assert result["failed"] and result["msg"].startswith(message), result["msg"]
    assert cx.requests("checkmarx") == []


def test_rate_limit_with_retry_after_is_survived(cx, cx_conn, capsys):
    cx.fault("checkmarx", method="GET", path="/OIDCClients$", status=429, retry_after=1, times=1)
    result = run(capsys, portal(cx_conn))
    assert result["changed"] and result["_rc"] == 0
    assert any("HTTP 429; retrying in 1.0s" in str(w) for w in result.get("warnings", []))
    assert [r["status"] for r in cx.requests("checkmarx") if r["method"] == "GET"][:2] == [429, 200]


def test_wrong_password_and_missing_permission_read_clearly(cx, cx_conn, capsys, sim_env):
    bad = run(capsys, dict(portal(cx_conn), password="not-the-password"))
    assert bad["failed"] and bad["status"] == 400
    assert bad["msg"].startswith("Checkmarx API POST /identity/connect/token failed: HTTP 400: "
                                 "invalid_grant (invalid_username_or_password)")
    assert "CX_PASSWORD" in bad["msg"] and "not-the-password" not in bad["_raw"]
    env = sim_env["checkmarx"]
    denied = run(capsys, dict(portal(cx_conn), username=env["readonly_username"], password=env["readonly_password"]))
    assert denied["failed"] and denied["status"] == 403
    assert "'Manage Clients' permission" in denied["msg"]
    bad_client = run(capsys, dict(portal(cx_conn), auth_client_secret="wrong-secret"))
    assert "invalid_client" in bad_client["msg"] and "CX_AUTH_CLIENT_SECRET" in bad_client["msg"]
    assert writes(cx) == []


@pytest.mark.parametrize("error_format, vendor_text", [
    ("messages", "A client with clientId 'PORTAL' already exists"),
    ("problem", "One or more validation errors occurred. clientId: A client with clientId 'PORTAL' already exists"),
    ("text", "A client with clientId 'PORTAL' already exists"),
])
def test_vendor_error_text_reaches_the_message(cx, cx_conn, capsys, error_format, vendor_text):
    run(capsys, portal(cx_conn))
    cx.config("checkmarx", error_format=error_format)
    result = run(capsys, portal(cx_conn, client_id="PORTAL"))
    assert result["failed"] and result["action"] == "failed"
    assert result["msg"] == "OIDC client 'PORTAL' failed: Checkmarx API POST /OIDCClients failed: HTTP 400: " + vendor_text


def test_check_mode_update_and_delete_send_no_write(cx, cx_conn, capsys):
    run(capsys, portal(cx_conn))
    cx.clear_requests("checkmarx")
    update = run(capsys, portal(cx_conn, name="Other"), check=True)
    delete = run(capsys, dict(cx_conn, client_id="portal", state="absent"), check=True)
    assert update["changed"] and update["end_state"]["name"] == "Other"
    assert delete["changed"] and delete["action"] == "deleted"
    assert writes(cx) == []
    assert server_client(cx, "portal")["clientName"] == "Internal portal"


def test_secrets_and_their_hashes_never_reach_an_error_message(cx, cx_conn, capsys):
    echo = "rejected %s (hash %s, stored %s)" % (SECRET, secret_hash(SECRET), secret_hash("014DF517-39D1-4453-B7B3-9930C563627C"))
    cx.fault("checkmarx", method="POST", path="/OIDCClients$", status=400,
             body={"messageCode": 1, "messageDetails": echo}, times=1)
    result = run(capsys, portal(cx_conn))
    assert result["failed"] and "rejected ******** (hash ********, stored ********)" in result["msg"]
    assert SECRET not in result["_raw"] and secret_hash(SECRET) not in result["_raw"]


def test_the_examples_of_the_three_modules_run_as_written(cx, sim, sim_env, run_playbook, tmp_path):
    """A new user's playbook: the EXAMPLES of the docs, with only the server URL and the variables filled in."""
    import ast
    import os

    import yaml

    from ansible_collections.sso.oidc.plugins.modules import cx_oidc_client_info, cx_oidc_clients

    env = sim_env["checkmarx"]
    tasks = []
    for module in (cx_oidc_client, cx_oidc_client_info, cx_oidc_clients):
        with open(module.__file__) as handle:
            tree = ast.parse(handle.read())
        examples = [n.value.value for n in tree.body if isinstance(n, ast.Assign) and getattr(n.targets[0], "id", None) == "EXAMPLES"][0]
        tasks += yaml.safe_load(examples.replace("https://cxsast.example.com", env["url"]))
    variables = {"cx_username": env["username"], "cx_password": env["password"], "portal_client_secret": "portal-s1-xx",
                 "portal_client_secret_new": "portal-s2-yy", "portal_secret": "portal-s2-yy",
                 "ci_reporter_secret": "ci-reporter-zz"}
    path = os.path.join(str(tmp_path), "examples.yml")
    with open(path, "w") as handle:
        yaml.safe_dump([{"name": "Examples", "hosts": "localhost", "gather_facts": False, "vars": variables,
                         "tasks": tasks}], handle)
    result = run_playbook(path, env={"CX_URL": env["url"], "CX_USERNAME": env["username"],
                                     "CX_PASSWORD": env["password"], "CX_CA_PATH": sim.pki.ca_path,
                                     "SSL_CERT_FILE": sim.pki.ca_path})
    assert result.rc == 0, result
    assert "failed=0" in result.stdout
    ids = sorted(c["clientId"] for c in cx.state("checkmarx")["clients"])
    # the overridden example leaves the built-in clients and the portal
    assert ids == ["cxsast_client", "portal", "resource_owner_client", "resource_owner_sast_client"]


# ---------------------------------------------------------------------------- credentials in the URL
@pytest.mark.parametrize("module", ["cx_oidc_client", "cx_oidc_clients", "cx_oidc_client_info"])
def test_a_url_with_user_information_is_refused_before_any_request_and_never_shown(cx, cx_conn, capsys, module):
    from ansible_collections.sso.oidc.plugins.modules import cx_oidc_client_info, cx_oidc_clients
    mod = {"cx_oidc_client": cx_oidc_client, "cx_oidc_clients": cx_oidc_clients,
           "cx_oidc_client_info": cx_oidc_client_info}[module]
    password = "Url-Pass%40word-77"
    url = cx_conn["url"].replace("https://", "https://admin:%s@" % password)
    args = dict(cx_conn, url=url)
    if module == "cx_oidc_client":
        args["client_id"] = "portal"
    elif module == "cx_oidc_clients":
        args["config"] = [{"client_id": "portal"}]
    result = run(capsys, args, module=mod)
    assert result["_rc"] == 1
    assert result["msg"].startswith("url: the value carries a user name or password")
    assert "username and password (CX_USERNAME and CX_PASSWORD), or token (CX_TOKEN)" in result["msg"]
    assert cx_conn["url"] in result["msg"]  # the URL to give instead
    assert cx.requests("checkmarx") == []
    for leaked in (password, "Url-Pass@word-77", "admin:" + password):
        assert leaked not in result["_raw"]
    if "invocation" in result:  # ansible-core 2.21 returns no invocation from a module
        assert result["invocation"]["module_args"]["url"] != url  # masked like a no_log value
