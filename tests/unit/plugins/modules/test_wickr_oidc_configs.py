# Copyright (c) sso.oidc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""wickr_oidc_configs: the resource-set module, run through main() against the Wickr simulator."""

import importlib.util
import json
import os

import pytest

from ansible_collections.sso.oidc.plugins.modules import wickr_oidc_configs as module

_spec = importlib.util.spec_from_file_location(
    "wickr_test_helpers", os.path.join(os.path.dirname(os.path.abspath(__file__)), "test_wickr_helpers.py"))
h = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(h)

NETS = ["12345678", "23456789", "34567890", "45678901"]


@pytest.fixture
def wickr(sim, sim_env, sim_api, monkeypatch, tmp_path, capsys):
    h.isolate_aws(monkeypatch, tmp_path)
    sim_api.reset("wickr")

    class Ctx(object):
        env = sim_env
        api = sim_api
        conn = h.connection(sim_env)
        issuer = sim_env["oidc"]["issuer"]

        def entry(self, network_id, **extra):
            out = {"network_id": network_id, "company_id": "acme-%s" % network_id, "issuer": self.issuer,
                   "scopes": ["openid", "email"], "client_id": "wickr-%s" % network_id,
                   "secret": "secret-for-%s" % network_id}
            out.update(extra)
            return out

        def run(self, config, state="merged", check=False, diff=False, **extra):
            args = dict(self.conn, config=config, state=state)
            args.update(extra)
            return h.run_module(module, args, capsys, check=check, diff=diff)

        def networks(self):
            return sim_api.state("wickr")["networks"]

    return Ctx()


def by_key(result):
    return dict((item["key"], item) for item in result["results"])


def test_check_mode_then_create_many_then_unchanged_with_one_read(wickr):
    config = [wickr.entry(n) for n in NETS]
    check = wickr.run(config, check=True, diff=True)
    assert check["changed"] is True
    assert [item["action"] for item in check["results"]] == ["created"] * 4
    assert h.save_count(wickr.api) == 0 and h.count(wickr.api, suffix="/oidc/test") == 4
    assert all(net["oidc"] is None for net in wickr.networks().values())
    assert sorted(check["diff"]["after"]) == NETS

    wickr.api.clear_requests("wickr")
    real = wickr.run(config, diff=True)
    assert real["msg"] == "Wickr OIDC configs: 4 created"
    assert [by_key(real)[n]["end_state"] for n in NETS] == [by_key(check)[n]["end_state"] for n in NETS]
    for network_id in NETS:
        stored = wickr.networks()[network_id]["oidc"]
        assert (stored["companyId"], stored["userId"], stored["secret"]) == \
            ("acme-%s" % network_id, "wickr-%s" % network_id, "secret-for-%s" % network_id)
    assert h.save_count(wickr.api) == 4
    text = json.dumps(real)
    assert not any("secret-for-%s" % n in text for n in NETS)

    wickr.api.clear_requests("wickr")
    again = wickr.run([dict(e, scopes="email openid") for e in config])
    assert again["changed"] is False and again["msg"] == "Wickr OIDC configs: 4 unchanged"
    log = wickr.api.requests("wickr")
    assert [r["method"] for r in log] == ["GET"] * 4
    assert sorted(r["path"] for r in log) == sorted("/networks/%s/oidc" % n for n in NETS)
    assert again["api_calls"] == {"GET": 4}


def test_only_the_differing_networks_are_saved(wickr):
    config = [wickr.entry(n) for n in NETS]
    wickr.run(config)
    wickr.api.clear_requests("wickr")
    config[1]["scopes"] = ["openid", "email", "profile"]
    result = wickr.run(config, diff=True)
    assert [by_key(result)[n]["action"] for n in NETS] == ["unchanged", "updated", "unchanged", "unchanged"]
    assert by_key(result)[NETS[1]]["changed_fields"] == ["scopes"]
    assert list(result["diff"]["after"]) == [NETS[1]]
    assert h.save_count(wickr.api) == 1 and h.save_count(wickr.api, NETS[1]) == 1
    assert wickr.networks()[NETS[1]]["oidc"]["scopes"] == "openid email profile"


def test_partial_failure_reports_every_item_and_fails_at_the_end(wickr):
    config = [wickr.entry(n) for n in NETS[:3]] + [wickr.entry("99999999")]
    wickr.api.fault("wickr", method="POST", path="/networks/%s/oidc/save" % NETS[1], status=400,
                    body={"message": "Company ID already in use", "__type": "com.amazonaws.wickr#BadRequestError"})
    result = wickr.run(config)
    assert result["failed"] is True and result["rc"] == 1
    assert sorted(result["failed_keys"]) == sorted([NETS[1], "99999999"])
    outcomes = by_key(result)
    assert outcomes[NETS[0]]["action"] == "created" and outcomes[NETS[2]]["action"] == "created"
    assert outcomes[NETS[1]]["action"] == "failed"
    assert "HTTP 400: BadRequestError: Company ID already in use" in outcomes[NETS[1]]["msg"]
    assert "HTTP 404: ResourceNotFoundError: Network not found" in outcomes["99999999"]["msg"]
    assert result["msg"].startswith("2 of 4 Wickr OIDC config(s) failed")
    networks = wickr.networks()
    assert networks[NETS[0]]["oidc"]["companyId"] == "acme-%s" % NETS[0]
    assert networks[NETS[2]]["oidc"]["companyId"] == "acme-%s" % NETS[2]
    assert networks[NETS[1]]["oidc"] is None
    assert result["changed"] is True


def test_issuer_test_failure_is_an_item_failure(wickr):
    config = [wickr.entry(NETS[0]), wickr.entry(NETS[1], issuer="https://127.0.0.1:9")]
    result = wickr.run(config, check=True)
    assert result["failed_keys"] == [NETS[1]]
    assert "RegisterOidcConfigTest" in by_key(result)[NETS[1]]["msg"]
    assert by_key(result)[NETS[0]]["action"] == "created"
    assert h.save_count(wickr.api) == 0


def test_replaced_resets_optional_fields(wickr):
    wickr.run([wickr.entry(NETS[0], custom_username="nick", extra_auth_params="prompt=login",
                           sso_token_buffer_minutes=10)])
    merged = wickr.run([{"network_id": NETS[0], "scopes": ["openid"]}])
    assert merged["results"][0]["changed_fields"] == ["scopes"]
    assert wickr.networks()[NETS[0]]["oidc"]["customUsername"] == "nick"
    check = wickr.run([{"network_id": NETS[0], "scopes": ["openid"]}], state="replaced", check=True)
    real = wickr.run([{"network_id": NETS[0], "scopes": ["openid"]}], state="replaced")
    assert real["results"][0]["changed_fields"] == ["custom_username", "extra_auth_params",
                                                    "sso_token_buffer_minutes"]
    assert real["results"][0]["end_state"] == check["results"][0]["end_state"] == {
        "network_id": NETS[0], "company_id": "acme-%s" % NETS[0], "issuer": wickr.issuer, "scopes": ["openid"],
        "client_id": "wickr-%s" % NETS[0]}
    stored = wickr.networks()[NETS[0]]["oidc"]
    assert not stored["customUsername"] and not stored["extraAuthParams"] and stored["ssoTokenBufferMinutes"] is None
    assert wickr.run([{"network_id": NETS[0], "scopes": ["openid"]}], state="replaced")["changed"] is False


def test_a_save_without_client_id_never_guesses_between_user_id_and_client_id(wickr):
    wickr.api.config("wickr", client_id_readback="clientId")  # userId reads back as the claim name 'email'
    wickr.run([wickr.entry(NETS[0], custom_username="nick")])
    entry = {"network_id": NETS[0], "scopes": ["openid", "email"]}
    refused = wickr.run([entry], state="replaced")
    assert refused["failed_keys"] == [NETS[0]]
    assert "the read shows userId 'email' and clientId 'wickr-%s'" % NETS[0] in refused["results"][0]["msg"]
    assert h.save_count(wickr.api) == 1 and wickr.networks()[NETS[0]]["oidc"]["customUsername"] == "nick"
    entry["client_id"] = "wickr-%s" % NETS[0]
    first = wickr.run([entry], state="replaced")
    assert first["results"][0]["changed_fields"] == ["custom_username"]
    assert wickr.networks()[NETS[0]]["oidc"]["userId"] == "wickr-%s" % NETS[0]
    assert wickr.run([entry], state="replaced")["changed"] is False


def test_gathered_reads_listed_or_all_networks(wickr):
    wickr.run([wickr.entry(NETS[0]), wickr.entry(NETS[2])])
    seeded = dict(("%08d" % (20000000 + i), {"networkName": "bulk %d" % i}) for i in range(105))
    wickr.api._call("wickr", "POST", "/seed", {"networks": seeded})
    wickr.api.clear_requests("wickr")
    everything = wickr.run([], state="gathered")
    assert everything["changed"] is False
    assert [g["network_id"] for g in everything["gathered"]] == [NETS[0], NETS[2]]
    assert everything["gathered"][0]["company_id"] == "acme-%s" % NETS[0]
    list_calls = [r for r in wickr.api.requests("wickr") if r["path"] == "/networks"]
    assert len(list_calls) == 2 and "nextToken=" in list_calls[1]["query"]
    assert h.count(wickr.api, suffix="/oidc") == 6 + 105
    wickr.api.clear_requests("wickr")
    listed = wickr.run([{"network_id": NETS[1]}, {"network_id": NETS[2]}], state="gathered")
    assert [g["network_id"] for g in listed["gathered"]] == [NETS[2]]
    assert h.count(wickr.api) == 2
    assert "secret" not in json.dumps(listed["gathered"])


def test_input_errors_before_any_request(wickr):
    dupes = wickr.run([wickr.entry(NETS[0]), wickr.entry(NETS[0])])
    assert dupes["failed"] is True and "each network_id may appear once; repeated: %s" % NETS[0] in dupes["msg"]
    bad = wickr.run([wickr.entry(NETS[0]), wickr.entry("1234")])
    assert bad["msg"].startswith("config[1].network_id: '1234' is not a Wickr network ID")
    empty = wickr.run([])
    assert empty["msg"] == "config: state=merged needs at least one entry"
    overridden = wickr.run([wickr.entry(NETS[0])], state="overridden")
    assert overridden["failed"] is True and "value of state must be one of: merged, replaced, gathered" \
        in overridden["msg"]
    assert h.count(wickr.api) == 0


def test_update_secret_always_for_many(wickr):
    config = [wickr.entry(n) for n in NETS[:2]]
    wickr.run(config)
    rotated = [dict(e, secret="rotated-%s" % e["network_id"]) for e in config]
    assert wickr.run(rotated)["changed"] is False
    result = wickr.run(rotated, update_secret="always")
    assert [item["changed_fields"] for item in result["results"]] == [["secret"], ["secret"]]
    assert [wickr.networks()[n]["oidc"]["secret"] for n in NETS[:2]] == ["rotated-%s" % n for n in NETS[:2]]
    assert "rotated-" not in json.dumps(result)
