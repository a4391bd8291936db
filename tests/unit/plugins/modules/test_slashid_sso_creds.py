# Copyright (c) sso.oidc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""slashid_sso_creds (the resource-set module) against the SlashID simulator."""

import pytest

from ansible_collections.sso.oidc.plugins.module_utils import _slashid_resource

from test_slashid_support import APPLE_KEY, PATH, no_secret_in, stored
from test_slashid_support import slashid  # noqa: F401 pylint: disable=unused-import


@pytest.fixture(autouse=True)
def fast_readback(monkeypatch):
    monkeypatch.setattr(_slashid_resource, "READBACK_DELAYS", (0.0, 0.0, 0.0))


def entry(client_id, provider="google", **extra):
    out = {"client_id": client_id, "client_secret": "%s-secret-1" % client_id, "provider": provider}
    out.update(extra)
    return out


MANY = [
    entry("g1", label="one"),
    entry("g2", options={"google": {"authorize_scopes": ["drive"]}}),
    entry("gh", provider="github"),
    entry("az", provider="azuread", options={"azuread": {"tenant": "organizations"}}),
    entry("ap", provider="apple", options={"apple": {"private_key": APPLE_KEY, "team_id": "ABCDE12345",
                                                     "key_id": "FGHIJ67890"}}),
]


def actions(result):
    return dict((r["key"], r["action"]) for r in result["results"])


def test_check_mode_then_create_many_then_rerun_with_one_read(slashid):
    check = slashid.creds(check=True, diff=True, config=MANY)
    assert check["changed"] and set(actions(check).values()) == {"created"}
    assert [e["method"] for e in slashid.log()] == ["GET"]
    assert slashid.state() == {}
    assert sorted(check["diff"]["after"]) == ["ap", "az", "g1", "g2", "gh"]

    done = slashid.creds(config=MANY)
    assert actions(done) == actions(check)
    log = slashid.log()
    assert [e["method"] for e in log] == ["GET"] + ["POST"] * 5 + ["GET"]
    assert sorted(slashid.state()) == ["ap", "az", "g1", "g2", "gh"]
    for predicted, real in zip(check["results"], done["results"]):
        assert predicted["end_state"] == real["end_state"]
    no_secret_in(done, APPLE_KEY, "g1-secret-1", slashid.base["api_key"])

    again = slashid.creds(config=MANY)
    assert not again["changed"] and set(actions(again).values()) == {"unchanged"}
    assert [(e["method"], e["path"]) for e in slashid.log()] == [("GET", PATH)]
    assert again["api_calls"] == {"GET": 1}


def test_merged_updates_only_what_differs(slashid):
    slashid.reset(**dict((e["client_id"], stored(e["client_id"], provider=e["provider"])) for e in MANY[:3]))
    result = slashid.creds(diff=True, config=[{"client_id": "g1", "label": "new"}, {"client_id": "g2"},
                                              {"client_id": "gh", "enable_in_slashid_oidc_authz_server": True}])
    assert actions(result) == {"g1": "updated", "g2": "unchanged", "gh": "updated"}
    assert [e["method"] for e in slashid.writes(slashid.log())] == ["PATCH", "PATCH"]
    assert result["diff"]["before"]["g1"]["label"] == "" and result["diff"]["after"]["g1"]["label"] == "new"
    assert "g2" not in result["diff"]["after"]


def test_replaced_resets_what_is_left_out(slashid):
    slashid.reset(g1=stored("g1", label="old", external_cred_id="ext", enable_in_slashid_oidc_authz_server=True,
                            options={"google": {"authorize_scopes": ["drive"]}}),
                  az=stored("az", provider="azuread", options={"azuread": {"tenant": "organizations"}}))
    check = slashid.creds(check=True, state="replaced", config=[{"client_id": "g1"}, {"client_id": "az"}])
    result = slashid.creds(state="replaced", config=[{"client_id": "g1"}, {"client_id": "az"}])
    assert actions(result) == {"g1": "updated", "az": "updated"}
    assert [r["end_state"] for r in result["results"]] == [r["end_state"] for r in check["results"]]
    g1 = result["results"][0]["end_state"]
    assert g1["label"] == "" and g1["external_cred_id"] == "" and not g1["enable_in_slashid_oidc_authz_server"]
    assert g1["options"]["google"]["authorize_scopes"] == ["openid", "email", "profile"]
    assert result["results"][1]["end_state"]["options"]["azuread"]["tenant"] == "common"
    again = slashid.creds(state="replaced", config=[{"client_id": "g1"}, {"client_id": "az"}])
    assert not again["changed"], again["results"]


def test_replaced_apple_needs_the_apple_options(slashid):
    slashid.reset(ap=stored("ap", provider="apple", options={"apple": {
        "private_key": APPLE_KEY, "team_id": "ABCDE12345", "key_id": "FGHIJ67890", "secret_lifetime": "24h"}}))
    result = slashid.creds(state="replaced", config=[{"client_id": "ap", "label": "x"}])
    assert result["failed"] and result["failed_keys"] == ["ap"]
    assert "options.apple" in result["msg"] and "config[0]." in result["msg"]
    assert slashid.writes(slashid.log()) == []


def test_overridden_deletes_the_unlisted_except_protected(slashid):
    slashid.reset(keep=stored("keep"), extra=stored("extra"), guard=stored("guard", provider="okta"))
    config = [entry("keep"), entry("new")]
    check = slashid.creds(check=True, state="overridden", protected=["guard"], config=config)
    assert actions(check) == {"keep": "unchanged", "new": "created", "extra": "deleted"}
    assert slashid.writes(slashid.log()) == []
    result = slashid.creds(diff=True, state="overridden", protected=["guard"], config=config)
    assert actions(result) == actions(check)
    assert sorted(slashid.state()) == ["guard", "keep", "new"]
    assert result["diff"]["before"]["extra"]["client_id"] == "extra" and result["diff"]["after"]["extra"] == {}
    again = slashid.creds(state="overridden", protected=["guard"], config=config)
    assert not again["changed"] and again["api_calls"] == {"GET": 1}


def test_partial_failure_reports_every_item_and_fails_at_the_end(slashid):
    slashid.reset(g1=stored("g1"), g2=stored("g2"), g3=stored("g3"))
    slashid.fault(method="PATCH", path=PATH + "/g2$", status=400,
                  body={"errors": [{"httpcode": 400, "message": "label rejected"}]})
    config = [{"client_id": k, "label": "L"} for k in ("g1", "g2", "g3")] + [entry("g4")]
    result = slashid.creds(config=config)
    assert result["failed"] and result["failed_keys"] == ["g2"]
    assert actions(result) == {"g1": "updated", "g2": "failed", "g3": "updated", "g4": "created"}
    assert "label rejected" in result["msg"] and "1 of 4" in result["msg"]
    state = slashid.state()
    assert state["g1"]["label"] == "L" and state["g3"]["label"] == "L" and "label" not in state["g2"]
    assert "g4" in state


def test_input_error_on_one_entry_fails_before_any_request(slashid):
    result = slashid.creds(config=[entry("a"), entry("b", options={"github": {}})])
    assert result["failed"] and "config[1].options.github" in result["msg"]
    assert slashid.log() == []


def test_entry_that_cannot_be_created_does_not_stop_the_others(slashid):
    result = slashid.creds(config=[{"client_id": "nosecret", "provider": "google"}, entry("fine")])
    assert result["failed"] and result["failed_keys"] == ["nosecret"]
    assert "config[0].client_secret" in result["msg"]
    assert sorted(slashid.state()) == ["fine"]


def test_duplicate_keys_are_refused(slashid):
    result = slashid.creds(config=[entry("a"), entry("a")])
    assert result["failed"] and "repeated: a" in result["msg"]
    assert slashid.log() == []


def test_deleted_listed_and_protected(slashid):
    slashid.reset(a=stored("a"), b=stored("b"), c=stored("c"))
    result = slashid.creds(state="deleted", config=[{"client_id": "a"}, {"client_id": "zz"}])
    assert actions(result) == {"a": "deleted", "zz": "unchanged"}
    assert sorted(slashid.state()) == ["b", "c"]
    everything = slashid.creds(state="deleted", protected=["c"])
    assert actions(everything) == {"b": "deleted"}
    assert sorted(slashid.state()) == ["c"]
    refused = slashid.creds(state="deleted", protected=["c"], config=[{"client_id": "c"}])
    assert refused["failed"] and "protected" in refused["msg"]
    assert sorted(slashid.state()) == ["c"]


def test_gathered(slashid):
    slashid.reset(a=stored("a", label="x"), b=stored("b", provider="okta"))
    result = slashid.creds(state="gathered")
    assert not result["changed"] and [g["client_id"] for g in result["gathered"]] == ["a", "b"]
    assert result["gathered"][1]["options"] == {"okta": {"authorize_scopes": ["openid", "email", "profile"],
                                                         "organization_url": ""}}
    no_secret_in(result, "stored-secret-0001")


def test_set_recreate_per_entry_and_update_secret(slashid):
    slashid.reset(a=stored("a"), b=stored("b", secret="old-secret-1"))
    result = slashid.creds(update_secret="always", config=[
        entry("a", provider="github", recreate=True), {"client_id": "b", "client_secret": "new-secret-2"}])
    assert actions(result) == {"a": "recreated", "b": "updated"}
    assert slashid.state()["a"]["provider"] == "github"
    assert slashid.state()["b"]["client_secret"] == "new-secret-2"
    no_secret_in(result, "new-secret-2")


def test_merged_needs_entries(slashid):
    result = slashid.creds(config=[])
    assert result["failed"] and "at least one entry" in result["msg"]


def test_set_bodies_carry_the_options_as_written(slashid):
    slashid.config(scopes_include_defaults=True, duration_format="go")
    slashid.log()
    apple_opts = {"private_key": APPLE_KEY, "team_id": "ABCDE12345", "key_id": "FGHIJ67890", "secret_lifetime": "48h"}
    config = [entry("gh", provider="github", options={"github": {"authorize_scopes": ["read:org"]}}),
              entry("ap", provider="apple", options={"apple": apple_opts})]
    created = slashid.creds(config=config)
    assert actions(created) == {"gh": "created", "ap": "created"} and not created.get("failed")
    bodies = dict((e["body"]["client_id"], e["body"]) for e in slashid.writes(slashid.log()))
    assert bodies["gh"]["options"] == {"github": {"authorize_scopes": ["read:org"]}}
    assert bodies["ap"]["options"]["apple"]["secret_lifetime"] == "48h"
    again = slashid.creds(config=config)
    assert not again["changed"] and slashid.writes(slashid.log()) == []
    changed = slashid.creds(config=[{"client_id": "gh", "options": {"github": {"authorize_scopes": ["repo"]}}}])
    assert actions(changed) == {"gh": "updated"}
    [patch] = slashid.writes(slashid.log())
    assert patch["body"] == {"options": {"github": {"authorize_scopes": ["repo"]}}}
