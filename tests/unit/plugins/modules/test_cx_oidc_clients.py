# Copyright (c) sso.oidc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""cx_oidc_clients (resource set): main() over real HTTPS against the Checkmarx simulator."""

import ast
import os

import yaml

from ansible_collections.sso.oidc.plugins.doc_fragments.checkmarx import ModuleDocFragment
from ansible_collections.sso.oidc.plugins.module_utils import _checkmarx_resource
from ansible_collections.sso.oidc.plugins.modules import cx_oidc_clients

from conftest import run_module
from simulators.checkmarx import secret_hash

BUILTIN = ["cxsast_client", "resource_owner_client", "resource_owner_sast_client"]


def run(capsys, args, check=False, diff=False):
    return run_module(capsys, cx_oidc_clients, args, check=check, diff=diff)


def clients(n=3):
    return [{"client_id": "app-%d" % i, "name": "App %d" % i, "allowed_grant_types": ["client_credentials"],
             "allowed_scopes": ["sast_rest_api"], "client_secrets": ["secret-of-app-%d" % i]} for i in range(n)]


def server(cx):
    return dict((c["clientId"], c) for c in cx.state("checkmarx")["clients"])


def writes(cx):
    return [r for r in cx.requests("checkmarx") if r["kind"] == "write"]


def outcome(result):
    return dict((r["key"], r["action"]) for r in result["results"])


def test_check_mode_then_create_many_then_rerun_unchanged(cx, cx_conn, capsys):
    args = dict(cx_conn, config=clients())
    predicted = run(capsys, args, check=True, diff=True)
    assert predicted["changed"] and writes(cx) == []
    assert outcome(predicted) == {"app-0": "created", "app-1": "created", "app-2": "created"}
    assert predicted["msg"] == "OIDC clients: (check mode) 3 created"

    real = run(capsys, args, diff=True)
    assert real["diff"] == predicted["diff"]
    assert [r["end_state"] for r in real["results"]] == [r["end_state"] for r in predicted["results"]]
    assert real["api_calls"] == {"POST": 4, "GET": 2}  # one login, one read, 3 creates, one read back
    stored = server(cx)
    for i in range(3):
        assert stored["app-%d" % i]["clientSecrets"] == [secret_hash("secret-of-app-%d" % i)]
    assert "secret-of-app" not in real["_raw"]
    assert all(after["client_secrets"] == ["********"] for after in real["diff"]["after"].values())

    cx.clear_requests("checkmarx")
    again = run(capsys, args)
    assert again["changed"] is False and set(outcome(again).values()) == {"unchanged"}
    assert cx.summary("checkmarx") == {"total": 2, "read": 1, "write": 0, "auth": 1, "check": 0}


def test_only_the_differences_are_written(cx, cx_conn, capsys):
    run(capsys, dict(cx_conn, config=clients()))
    config = clients()
    config[1]["allowed_scopes"] = ["sast_rest_api", "access_control_api"]
    cx.clear_requests("checkmarx")
    result = run(capsys, dict(cx_conn, config=config))
    assert outcome(result) == {"app-0": "unchanged", "app-1": "updated", "app-2": "unchanged"}
    assert [(w["method"], w["path"]) for w in writes(cx)] == [("PUT", "/cxrestapi/auth/OIDCClients/6")]
    assert result["results"][1]["changed_fields"] == ["allowed_scopes"]


def test_overridden_deletes_the_unlisted_except_protected_and_builtins(cx, cx_conn, capsys):
    run(capsys, dict(cx_conn, config=clients(4)))
    keep = clients(4)[:2]
    cx.clear_requests("checkmarx")
    check = run(capsys, dict(cx_conn, state="overridden", protected=["app-3"], config=keep), check=True)
    assert outcome(check) == {"app-0": "unchanged", "app-1": "unchanged", "app-2": "deleted"}
    assert writes(cx) == []
    result = run(capsys, dict(cx_conn, state="overridden", protected=["app-3"], config=keep), diff=True)
    assert outcome(result) == outcome(check)
    assert result["diff"]["before"]["app-2"]["client_id"] == "app-2" and result["diff"]["after"]["app-2"] == {}
    assert sorted(server(cx)) == sorted(BUILTIN + ["app-0", "app-1", "app-3"])


def test_replaced_resets_what_is_left_out_to_the_server_defaults(cx, cx_conn, capsys):
    first = clients(1)
    first[0].update(access_token_lifetime=60, allow_offline_access=True)
    run(capsys, dict(cx_conn, config=first))
    result = run(capsys, dict(cx_conn, state="replaced", config=clients(1)))
    assert result["results"][0]["changed_fields"] == ["access_token_lifetime", "allow_offline_access"]
    stored = server(cx)["app-0"]
    assert stored["accessTokenLifetime"] == 3600 and stored["allowOfflineAccess"] is False
    assert stored["clientName"] == "App 0" and stored["clientSecrets"] == [secret_hash("secret-of-app-0")]


def test_a_failure_on_one_item_does_not_hide_the_others(cx, cx_conn, capsys):
    run(capsys, dict(cx_conn, config=clients()))
    config = clients()
    for entry in config:
        entry["access_token_lifetime"] = 120
    cx.fault("checkmarx", method="PUT", path="/OIDCClients/6$", status=400,
             body={"messageCode": 47400, "messageDetails": "simulated rejection"}, times=1)
    result = run(capsys, dict(cx_conn, config=config))
    assert result["failed"] and result["_rc"] == 1
    assert result["failed_keys"] == ["app-1"]
    assert outcome(result) == {"app-0": "updated", "app-1": "failed", "app-2": "updated"}
    assert result["msg"] == ("1 of 3 OIDC client(s) failed: app-1: Checkmarx API PUT /OIDCClients/6 failed: "
                             "HTTP 400: simulated rejection")
    stored = server(cx)
    assert [stored["app-%d" % i]["accessTokenLifetime"] for i in range(3)] == [120, 3600, 120]


def test_gathered_and_deleted(cx, cx_conn, capsys):
    run(capsys, dict(cx_conn, config=clients(2)))
    gathered = run(capsys, dict(cx_conn, state="gathered"))
    assert gathered["changed"] is False
    assert sorted(c["client_id"] for c in gathered["gathered"]) == sorted(BUILTIN + ["app-0", "app-1"])
    assert all(s == "********" for c in gathered["gathered"] for s in c["client_secrets"])
    deleted = run(capsys, dict(cx_conn, state="deleted", config=[{"client_id": "app-0"}, {"client_id": "gone"}]))
    assert outcome(deleted) == {"app-0": "deleted", "gone": "unchanged"}
    everything = run(capsys, dict(cx_conn, state="deleted"))
    assert outcome(everything) == {"app-1": "deleted"}
    assert sorted(server(cx)) == sorted(BUILTIN)


def test_input_errors_come_before_any_request(cx, cx_conn, capsys):
    for args, message in (
        (dict(cx_conn, config=[{"client_id": "a"}, {"client_id": "a"}]), "config: each client_id may appear once"),
        (dict(cx_conn, config=[]), "config: state=merged needs at least one entry"),
        (dict(cx_conn, config=[{"client_id": "a"}, {"client_id": "b", "access_token_lifetime": -5}]),
         "config[1].access_token_lifetime: must be a positive number of seconds"),
    ):
        result = run(capsys, args)
        assert result["failed"] and result["msg"].startswith(message), result["msg"]
    assert cx.requests("checkmarx") == []


def test_update_secret_always_writes_the_given_secrets(cx, cx_conn, capsys):
    run(capsys, dict(cx_conn, config=clients(2)))
    config = clients(2)
    del config[1]["client_secrets"]
    result = run(capsys, dict(cx_conn, update_secret="always", config=config))
    assert outcome(result) == {"app-0": "updated", "app-1": "unchanged"}
    assert server(cx)["app-0"]["clientSecrets"] == [secret_hash("secret-of-app-0")]


def test_the_set_modules_config_documents_the_single_modules_options():
    """cx_oidc_clients documents config's suboptions as cx_oidc_client documents its options: both come from the one
    text of the checkmarx fragment (CLIENTS and CLIENT), typed as the modules' real argument specs."""
    path = os.path.join(os.path.dirname(cx_oidc_clients.__file__), "cx_oidc_clients.py")
    with open(path) as handle:
        tree = ast.parse(handle.read())
    doc = yaml.safe_load([n.value.value for n in tree.body
                          if isinstance(n, ast.Assign) and getattr(n.targets[0], "id", None) == "DOCUMENTATION"][0])
    assert "sso.oidc.checkmarx.clients" in doc["extends_documentation_fragment"]
    # the module documents config itself and leaves its suboptions and stored_secrets to the fragment (a shallow
    # merge: suboptions written in the module would replace the fragment's)
    assert "suboptions" not in doc["options"]["config"] and "stored_secrets" not in doc["options"]
    clients = yaml.safe_load(ModuleDocFragment.CLIENTS)["options"]
    config = clients["config"]["suboptions"]
    client = yaml.safe_load(ModuleDocFragment.CLIENT)["options"]
    assert clients["stored_secrets"]["choices"] == client.pop("stored_secrets")["choices"]
    assert sorted(config) == sorted(client) == sorted(_checkmarx_resource.OPTION_NAMES)
    spec = _checkmarx_resource.SET.module_spec()["argument_spec"]["config"]["options"]
    for name in client:
        for key in ("type", "elements", "choices", "required"):
            assert config[name].get(key) == client[name].get(key), (name, key)
            assert config[name].get(key) == (spec[name].get(key) if key != "type" else spec[name][key]), (name, key)
        # the same text, with the references to the client's options under config[]
        assert yaml.safe_dump(config[name], width=10 ** 6).replace("O(config[].", "O(") \
            .replace("O(state=deleted) with its O(client_id)", "O(state=absent)") == yaml.safe_dump(client[name], width=10 ** 6)


def test_merged_partial_update_without_secrets_and_require_pkce(cx, cx_conn, capsys):
    run(capsys, dict(cx_conn, config=clients(2)))
    before = server(cx)
    cx.clear_requests("checkmarx")
    partial = [{"client_id": "app-0", "require_pkce": True}, {"client_id": "app-1", "access_token_lifetime": 600}]
    result = run(capsys, dict(cx_conn, config=partial))
    assert outcome(result) == {"app-0": "updated", "app-1": "updated"} and not result.get("failed")
    after = server(cx)
    assert after["app-0"] == dict(before["app-0"], requirePkce=True)
    assert after["app-1"] == dict(before["app-1"], accessTokenLifetime=600)  # secrets sent back, kept
    cx.clear_requests("checkmarx")
    again = run(capsys, dict(cx_conn, config=partial))
    assert again["changed"] is False and writes(cx) == []
    refused = run(capsys, dict(cx_conn, config=[{"client_id": "app-0", "enabled": False}], stored_secrets="refuse"))
    assert refused["failed"] and refused["failed_keys"] == ["app-0"] and writes(cx) == []


def test_replaced_on_a_rehashing_server_fails_the_client_and_names_it(cx, cx_conn, capsys):
    cx.config("checkmarx", resent_secrets="rehash")
    run(capsys, dict(cx_conn, config=clients(1)))
    result = run(capsys, dict(cx_conn, state="replaced", config=[{"client_id": "app-0", "name": "Renamed"}]))
    assert result["failed"] and result["failed_keys"] == ["app-0"]
    assert "re-hashed the 1 stored secret(s) of OIDC client 'app-0'" in result["msg"]
    assert "secret-of-app" not in result["_raw"] and secret_hash("secret-of-app-0") not in result["_raw"]
