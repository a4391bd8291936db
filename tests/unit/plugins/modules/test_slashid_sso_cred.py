# Copyright (c) sso.oidc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""slashid_sso_cred: every path of the module, run in-process against the SlashID simulator."""

import pytest

from ansible_collections.sso.oidc.plugins.module_utils import _slashid_resource

from test_slashid_support import APPLE_KEY, APPLE_KEY_2, PATH, google, no_secret_in, stored, warnings
from test_slashid_support import slashid  # noqa: F401 pylint: disable=unused-import

CID = "123-abc.apps.googleusercontent.com"


@pytest.fixture(autouse=True)
def fast_readback(monkeypatch):
    """The reads after a 408 without the real pauses between them."""
    monkeypatch.setattr(_slashid_resource, "READBACK_DELAYS", (0.0, 0.0, 0.0))


# ----------------------------------------------------------------------------- create / no-op / update
def test_check_mode_create_sends_no_write_and_predicts_the_real_result(slashid):
    wanted = google(label="Corp", options={"google": {"authorize_scopes": ["https://x/drive", "email"]}},
                    enable_in_slashid_oidc_authz_server=True)
    predicted = slashid.cred(check=True, diff=True, **wanted)
    assert predicted["changed"] and predicted["action"] == "created"
    log = slashid.log()
    assert [(e["method"], e["status"]) for e in log] == [("GET", 404)]
    assert slashid.state() == {}
    assert predicted["diff"]["before"] == {}

    real = slashid.cred(**wanted)
    assert real["changed"] and real["action"] == "created"
    assert real["end_state"] == predicted["end_state"] == predicted["diff"]["after"]
    assert real["end_state"]["options"]["google"]["authorize_scopes"] == ["openid", "email", "profile",
                                                                          "https://x/drive"]
    assert real["proposed"]["client_secret"] == "********"
    no_secret_in(real, "google-secret-0001", slashid.base["api_key"])
    server = slashid.state()[CID]
    assert server["client_secret"] == "google-secret-0001"
    assert server["label"] == "Corp" and server["enable_in_slashid_oidc_authz_server"] is True
    assert real["api_calls"] == {"GET": 2, "POST": 1}


def test_rerun_is_unchanged_with_one_read(slashid):
    slashid.cred(**google(label="Corp"))
    slashid.log()
    again = slashid.cred(**google(label="Corp"))
    assert not again["changed"] and again["action"] == "unchanged"
    assert [e["method"] for e in slashid.log()] == ["GET"]
    assert again["api_calls"] == {"GET": 1}


def test_minimal_task_is_idempotent_on_a_credential_with_everything_set(slashid):
    slashid.reset(**{CID: stored(CID, label="x", external_cred_id="ext-1", enable_in_slashid_oidc_authz_server=True,
                                 options={"google": {"authorize_scopes": ["drive"]}})})
    result = slashid.cred(client_id=CID, provider="google")
    assert not result["changed"]
    assert result["end_state"]["external_cred_id"] == "ext-1"


def test_label_change_patches_only_the_label(slashid):
    slashid.reset(**{CID: stored(CID, label="old", options={"google": {"authorize_scopes": ["drive"]}})})
    before = slashid.state()[CID]
    result = slashid.cred(diff=True, client_id=CID, label="new")
    assert result["changed"] and result["changed_fields"] == ["label"]
    assert result["proposed"] == {"label": "new"}
    assert result["diff"]["before"]["label"] == "old" and result["diff"]["after"]["label"] == "new"
    after = slashid.state()[CID]
    assert after == dict(before, label="new")
    assert [e["method"] for e in slashid.writes(slashid.log())] == ["PATCH"]


def test_options_change_sends_the_whole_provider_object(slashid):
    slashid.reset(**{"azure-1": stored("azure-1", provider="azuread",
                                       options={"azuread": {"tenant": "contoso.onmicrosoft.com"}})})
    result = slashid.cred(client_id="azure-1", options={"azuread": {"authorize_scopes": ["Mail.Read"]}})
    assert result["changed_fields"] == ["options"]
    sent = result["proposed"]["options"]["azuread"]
    assert sent["tenant"] == "contoso.onmicrosoft.com"  # kept: PATCH replaces the whole options object
    assert slashid.state()["azure-1"]["options"]["azuread"]["tenant"] == "contoso.onmicrosoft.com"
    assert "Mail.Read" in slashid.state()["azure-1"]["options"]["azuread"]["authorize_scopes"]
    assert not slashid.cred(client_id="azure-1", options={"azuread": {"authorize_scopes": ["Mail.Read"]}})["changed"]


def test_scope_order_and_default_scopes_do_not_count(slashid):
    slashid.reset(**{CID: stored(CID, options={"google": {"authorize_scopes": ["b", "a"]}})})
    result = slashid.cred(client_id=CID, options={"google": {"authorize_scopes": ["a", "openid", "b email"]}})
    assert not result["changed"]


def test_enable_flag_and_external_cred_id(slashid):
    slashid.reset(**{CID: stored(CID)})
    result = slashid.cred(client_id=CID, enable_in_slashid_oidc_authz_server=True, external_cred_id="ext-9")
    assert sorted(result["changed_fields"]) == ["enable_in_slashid_oidc_authz_server", "external_cred_id"]
    server = slashid.state()[CID]
    assert server["enable_in_slashid_oidc_authz_server"] is True and server["external_cred_id"] == "ext-9"
    assert not slashid.cred(client_id=CID, enable_in_slashid_oidc_authz_server=True,
                            external_cred_id="ext-9")["changed"]


# ----------------------------------------------------------------------------- secrets
def test_update_secret_on_create_never_resends_the_secret(slashid):
    slashid.reset(**{CID: stored(CID, secret="old-secret-1")})
    result = slashid.cred(**google(client_secret="new-secret-2"))
    assert not result["changed"]
    assert slashid.state()[CID]["client_secret"] == "old-secret-1"
    assert slashid.writes(slashid.log()) == []


def test_update_secret_always_sends_it_and_reports_a_change(slashid):
    slashid.reset(**{CID: stored(CID, secret="old-secret-1", label="keep")})
    result = slashid.cred(diff=True, update_secret="always", **google(client_secret="new-secret-2"))
    assert result["changed"] and result["changed_fields"] == ["client_secret"]
    assert result["proposed"] == {"client_secret": "********"}
    assert slashid.state()[CID]["client_secret"] == "new-secret-2"
    assert slashid.state()[CID]["label"] == "keep"
    no_secret_in(result, "new-secret-2", "old-secret-1")


def test_check_mode_secret_rotation_writes_nothing(slashid):
    slashid.reset(**{CID: stored(CID, secret="old-secret-1")})
    result = slashid.cred(check=True, update_secret="always", **google(client_secret="new-secret-2"))
    assert result["changed"]
    assert slashid.writes(slashid.log()) == []
    assert slashid.state()[CID]["client_secret"] == "old-secret-1"


# ----------------------------------------------------------------------------- provider change
def test_provider_change_without_recreate_fails_and_changes_nothing(slashid):
    slashid.reset(**{CID: stored(CID)})
    result = slashid.cred(client_id=CID, client_secret="gh-secret-1", provider="github")
    assert result["failed"]
    assert "recreate=true" in result["msg"] and "provider" in result["msg"]
    assert slashid.writes(slashid.log()) == []
    assert slashid.state()[CID]["provider"] == "google"


def test_provider_change_with_recreate_deletes_and_creates(slashid):
    slashid.reset(**{CID: stored(CID, label="l")})
    check = slashid.cred(check=True, client_id=CID, client_secret="gh-secret-1", provider="github", recreate=True)
    assert check["action"] == "recreated" and slashid.writes(slashid.log()) == []
    result = slashid.cred(client_id=CID, client_secret="gh-secret-1", provider="github", recreate=True)
    assert result["changed"] and result["action"] == "recreated"
    assert [e["method"] for e in slashid.writes(slashid.log())] == ["DELETE", "POST"]
    server = slashid.state()[CID]
    assert server["provider"] == "github" and server["client_secret"] == "gh-secret-1" and "label" not in server
    assert result["end_state"] == check["end_state"]


def test_recreate_needs_the_secret_before_any_write(slashid):
    slashid.reset(**{CID: stored(CID)})
    result = slashid.cred(client_id=CID, provider="github", recreate=True)
    assert result["failed"] and "client_secret" in result["msg"]
    assert slashid.writes(slashid.log()) == []


# ----------------------------------------------------------------------------- apple
def apple(**extra):
    entry = {"client_id": "com.example.web", "client_secret": "apple-unused-1", "provider": "apple",
             "options": {"apple": {"private_key": APPLE_KEY, "team_id": "ABCDE12345", "key_id": "FGHIJ67890"}}}
    entry.update(extra)
    return entry


@pytest.mark.parametrize("shown", ["empty", "plain", "masked"])
@pytest.mark.parametrize("duration", ["as_sent", "go"])
def test_apple_credential_is_idempotent_and_never_shows_the_key(slashid, shown, duration):
    slashid.config(private_key_in_response=shown, duration_format=duration)
    predicted = slashid.cred(check=True, **apple())
    created = slashid.cred(diff=True, **apple())
    assert created["action"] == "created"
    assert created["end_state"] == predicted["end_state"]
    assert created["end_state"]["options"]["apple"]["secret_lifetime"] == "720h0m0s"
    assert "private_key" not in created["end_state"]["options"]["apple"]
    assert created["proposed"]["options"]["apple"]["private_key"] == "********"
    assert slashid.state()["com.example.web"]["options"]["apple"]["private_key"] == APPLE_KEY
    no_secret_in(created, APPLE_KEY, "apple-unused-1")
    again = slashid.cred(**apple())
    assert not again["changed"], again
    no_secret_in(again, APPLE_KEY)
    info = slashid.info(client_id="com.example.web")
    no_secret_in(info, APPLE_KEY)


def test_apple_key_change_detected_only_when_the_server_shows_the_key(slashid):
    slashid.cred(**apple())
    changed_key = apple(options={"apple": {"private_key": APPLE_KEY_2, "team_id": "ABCDE12345",
                                           "key_id": "FGHIJ67890"}})
    assert not slashid.cred(**changed_key)["changed"]  # not shown: on_create
    slashid.config(private_key_in_response="plain")
    result = slashid.cred(**changed_key)
    assert result["changed"] and result["changed_fields"] == ["options"]
    assert slashid.state()["com.example.web"]["options"]["apple"]["private_key"] == APPLE_KEY_2
    no_secret_in(result, APPLE_KEY, APPLE_KEY_2)


def test_apple_key_rotation_with_update_secret_always(slashid):
    slashid.cred(**apple())
    result = slashid.cred(update_secret="always", **apple(
        client_secret="apple-unused-1",
        options={"apple": {"private_key": APPLE_KEY_2, "team_id": "ABCDE12345", "key_id": "FGHIJ67890"}}))
    assert result["changed"]
    apple_sent = result["proposed"]["options"]["apple"]
    assert apple_sent == {"authorize_scopes": ["openid", "email", "name"], "private_key": "********",
                          "team_id": "ABCDE12345", "key_id": "FGHIJ67890", "secret_lifetime": "720h0m0s"}
    assert slashid.state()["com.example.web"]["options"]["apple"]["private_key"] == APPLE_KEY_2


def test_apple_lifetime_compared_as_a_duration(slashid):
    opts = {"private_key": APPLE_KEY, "team_id": "ABCDE12345", "key_id": "FGHIJ67890", "secret_lifetime": "90m"}
    slashid.cred(**apple(options={"apple": opts}))
    same = dict(opts, secret_lifetime="1h30m0s")
    assert not slashid.cred(**apple(options={"apple": same}))["changed"]
    longer = dict(opts, secret_lifetime="2160h")
    result = slashid.cred(**apple(options={"apple": longer}))
    assert result["changed"]
    assert slashid.state()["com.example.web"]["options"]["apple"]["secret_lifetime"] == "2160h"  # as written


@pytest.mark.parametrize("options,fragment", [
    ({"apple": {"private_key": APPLE_KEY, "team_id": "ABCDE12345"}}, "key_id"),
    ({"apple": {"private_key": APPLE_KEY, "team_id": "short", "key_id": "FGHIJ67890"}}, "team_id"),
    ({"apple": {"private_key": "not a key", "team_id": "ABCDE12345", "key_id": "FGHIJ67890"}}, "private_key"),
    ({"apple": {"private_key": APPLE_KEY, "team_id": "ABCDE12345", "key_id": "FGHIJ67890",
                "secret_lifetime": "1m"}}, "secret_lifetime"),
    ({"apple": {"private_key": APPLE_KEY, "team_id": "ABCDE12345", "key_id": "FGHIJ67890",
                "secret_lifetime": "30d"}}, "secret_lifetime"),
])
def test_apple_bad_input_fails_before_any_request(slashid, options, fragment):
    result = slashid.cred(**apple(options=options))
    assert result["failed"] and fragment in result["msg"]
    assert slashid.log() == []
    no_secret_in(result, APPLE_KEY)


def test_apple_create_needs_apple_options(slashid):
    result = slashid.cred(client_id="com.example.web", client_secret="apple-unused-1", provider="apple")
    assert result["failed"] and "options.apple" in result["msg"]
    assert slashid.writes(slashid.log()) == []


# ----------------------------------------------------------------------------- absent
def test_absent_then_absent_again(slashid):
    slashid.reset(**{CID: stored(CID)})
    check = slashid.cred(check=True, client_id=CID, state="absent")
    assert check["changed"] and check["action"] == "deleted" and CID in slashid.state()
    slashid.log()
    gone = slashid.cred(diff=True, client_id=CID, state="absent")
    assert gone["changed"] and gone["action"] == "deleted" and gone["end_state"] == {}
    assert gone["diff"]["after"] == {} and gone["diff"]["before"]["client_id"] == CID
    assert slashid.state() == {}
    again = slashid.cred(client_id=CID, state="absent")
    assert not again["changed"] and "already absent" in again["msg"]
    assert [e["method"] for e in slashid.log()] == ["GET", "DELETE", "GET"]


# ----------------------------------------------------------------------------- input errors
@pytest.mark.parametrize("args,fragment", [
    ({"provider": "myspace"}, "provider"),
    ({"consistency": "everywhere"}, "consistency"),
    ({"consistency_timeout": 121}, "consistency_timeout"),
    ({"consistency_timeout": 0}, "consistency_timeout"),
    ({"options": {"github": {"authorize_scopes": ["x"]}}}, "options.github"),
    ({"options": {"google": {"authorize_scopes": ["x"]}, "github": {}}}, "options"),
    ({"client_secret": "abc"}, "client_secret"),
    ({"client_id": " padded "}, "client_id"),
    ({"api_url": "api.slashid.com"}, "api_url"),
])
def test_bad_input_fails_before_any_request(slashid, args, fragment):
    result = slashid.cred(**dict(google(), **args))
    assert result["failed"] and fragment in result["msg"], result["msg"]
    assert slashid.log() == []


def test_missing_credentials_name_the_environment_variables(slashid, monkeypatch):
    monkeypatch.delenv("SLASHID_API_KEY", raising=False)
    result = slashid.cred(base=False, api_url=slashid.app.url, ca_path=slashid.base["ca_path"],
                          org_id=slashid.base["org_id"], **google())
    assert result["failed"] and "SLASHID_API_KEY" in result["msg"]
    assert slashid.log() == []


def test_create_needs_provider_and_secret(slashid):
    result = slashid.cred(client_id=CID, label="x")
    assert result["failed"] and "provider and client_secret" in result["msg"]
    assert slashid.writes(slashid.log()) == []


def test_credentials_from_environment_variables(slashid, monkeypatch):
    monkeypatch.setenv("SLASHID_ORG_ID", slashid.base["org_id"])
    monkeypatch.setenv("SLASHID_API_KEY", slashid.base["api_key"])
    monkeypatch.setenv("SLASHID_API_URL", slashid.app.url)
    monkeypatch.setenv("SLASHID_CA_PATH", slashid.base["ca_path"])
    result = slashid.cred(base=False, **google())
    assert result["changed"] and CID in slashid.state()
    no_secret_in(result, slashid.base["api_key"])


# ----------------------------------------------------------------------------- API errors
def test_wrong_api_key_gives_a_clear_401(slashid):
    result = slashid.cred(api_key="wrong-key-123456", **google())
    assert result["failed"] and result["status"] == 401
    assert "SlashID API GET" in result["msg"] and "HTTP 401" in result["msg"]
    assert "Check api_key" in result["msg"] and "org_id" in result["msg"]
    no_secret_in(result, "wrong-key-123456")


def test_wrong_org_id_gives_a_401(slashid):
    result = slashid.cred(org_id="00000000-0000-0000-0000-000000000000", **google())
    assert result["failed"] and result["status"] == 401


def test_rate_limit_is_survived(slashid):
    slashid.fault(method="POST", path=PATH, status=429, retry_after=0, times=2)
    result = slashid.cred(**google())
    assert result["changed"] and CID in slashid.state()
    assert result["api_calls"]["POST"] == 3
    assert any("HTTP 429" in w for w in warnings(result))


def test_vendor_error_text_is_reported(slashid):
    slashid.reset(**{CID: stored(CID)})
    slashid.fault(method="PATCH", path=PATH + "/", status=400,
                  body={"errors": [{"httpcode": 400, "message": "label too long"}]})
    result = slashid.cred(client_id=CID, label="x" * 10)
    assert result["failed"]
    assert result["msg"].endswith(": SlashID API PATCH %s/%s failed: HTTP 400: label too long"
                                  % (PATH, "123-abc.apps.googleusercontent.com"))


def test_unknown_endpoint_is_not_taken_for_a_missing_credential(slashid):
    slashid.reset(**{CID: stored(CID)})
    result = slashid.cred(api_url=slashid.app.url + "/v1", client_id=CID, state="absent")
    assert result["failed"] and result["status"] == 404
    assert "api_url" in result["msg"]
    assert CID in slashid.state()


# ----------------------------------------------------------------------------- encoding, headers
@pytest.mark.parametrize("client_id", ["a/b c", "100%?x=1#frag", "\u00e9t\u00e9"])
def test_client_id_is_url_encoded(slashid, client_id):
    assert slashid.cred(**google(client_id=client_id, label="1"))["changed"]
    assert slashid.cred(**google(client_id=client_id, label="2"))["changed"]
    assert slashid.state()[client_id]["label"] == "2"
    assert slashid.cred(client_id=client_id, state="absent")["changed"]
    assert slashid.state() == {}
    paths = [e["path"] for e in slashid.log() if e["method"] in ("PATCH", "DELETE")]
    assert paths == [PATH + "/" + client_id] * 2


def test_consistency_headers_on_writes(slashid):
    slashid.cred(consistency="all_regions", consistency_timeout=90, **google())
    slashid.cred(consistency="local_region", client_id=CID, label="x")
    writes = slashid.writes(slashid.log())
    assert [(e["method"], e["consistency"], e["consistency_timeout"]) for e in writes] == [
        ("POST", "all_regions", "90"), ("PATCH", "local_region", None)]


# ----------------------------------------------------------------------------- 408 consistency timeouts
def test_408_whose_write_landed_is_reported_as_done(slashid):
    slashid.reset(**{CID: stored(CID)})
    slashid.fault(method="PATCH", path=PATH + "/", status=408, when="after")
    result = slashid.cred(client_id=CID, label="landed")
    assert result["changed"] and not result.get("failed")
    assert any("HTTP 408" in w and "was applied" in w for w in warnings(result))
    assert result["end_state"]["label"] == "landed"
    assert slashid.state()[CID]["label"] == "landed"


@pytest.mark.parametrize("operation", ["create", "delete"])
def test_408_on_create_and_delete_that_landed(slashid, operation):
    if operation == "delete":
        slashid.reset(**{CID: stored(CID)})
    slashid.config(consistency_408_next=1)
    result = slashid.cred(**google(state="absent" if operation == "delete" else "present"))
    assert result["changed"] and not result.get("failed"), result
    assert (CID in slashid.state()) == (operation == "create")


def test_408_whose_write_lands_a_little_later(slashid):
    slashid.reset(**{CID: stored(CID)})
    slashid.config(consistency_408_next=1, consistency_408_mode="delayed", consistency_408_lag=2)
    result = slashid.cred(client_id=CID, label="late")
    assert result["changed"] and not result.get("failed"), result
    assert slashid.state()[CID]["label"] == "late"


def test_408_whose_write_has_not_landed_fails_truthfully_and_converges_later(slashid):
    slashid.config(consistency_408_next=1, consistency_408_mode="delayed", consistency_408_lag=5)
    result = slashid.cred(**google(label="first"))
    assert result["failed"] and "HTTP 408" in result["msg"]
    assert "may still apply it" in result["msg"]
    assert CID not in slashid.state()
    # The next run: the late write lands while it runs, the create meets a duplicate, and the task converges.
    again = slashid.cred(**google(label="second"))
    assert not again.get("failed"), again
    assert slashid.state()[CID]["label"] == "second"


def test_408_on_a_secret_only_change_is_not_claimed_done(slashid):
    slashid.reset(**{CID: stored(CID)})
    slashid.fault(method="PATCH", path=PATH + "/", status=408, when="after")
    result = slashid.cred(update_secret="always", **google(client_secret="rotated-secret-9"))
    assert result["failed"] and "HTTP 408" in result["msg"] and "update_secret=always" in result["msg"]
    no_secret_in(result, "rotated-secret-9")


# ----------------------------------------------------------------------------- duplicate create
@pytest.mark.parametrize("status", [409, 400])
def test_create_that_meets_an_existing_credential_adopts_it(slashid, status):
    slashid.reset(**{CID: stored(CID, secret="old-secret-1")})
    slashid.config(duplicate_status=status)
    # The first read misses it (as if it were created meanwhile): the create then meets it.
    slashid.fault(method="GET", path=PATH + "/", status=404, times=1,
                  body={"errors": [{"httpcode": 404, "message": "not found"}]})
    result = slashid.cred(**google(label="mine"))
    assert not result.get("failed"), result
    assert any("exists already" in w for w in warnings(result))
    server = slashid.state()[CID]
    assert server["label"] == "mine" and server["client_secret"] == "google-secret-0001"


def test_create_meeting_another_provider_fails_clearly(slashid):
    slashid.reset(**{CID: stored(CID, provider="github")})
    slashid.fault(method="GET", path=PATH + "/", status=404, times=1,
                  body={"errors": [{"httpcode": 404, "message": "not found"}]})
    result = slashid.cred(**google())
    assert result["failed"] and "provider github" in result["msg"]
    assert slashid.state()[CID]["provider"] == "github"


# ----------------------------------------------------------------------------- unconfirmed server behaviours
VARIANTS = [
    {"fill_option_defaults": True},
    {"fill_option_defaults": False},
    {"fill_option_defaults": "all"},
    {"scopes_include_defaults": True},
    {"patch_options": "merge"},
    {"fill_option_defaults": False, "patch_options": "merge", "duration_format": "go"},
]


@pytest.mark.parametrize("variant", VARIANTS, ids=lambda v: ",".join("%s=%s" % kv for kv in sorted(v.items())))
def test_idempotent_and_exact_prediction_under_every_server_variant(slashid, variant):
    slashid.config(**variant)
    steps = [
        google(),
        google(options={"google": {"authorize_scopes": ["drive"]}}),
        google(options={"google": {"authorize_scopes": []}}, label="x"),
        {"client_id": "az", "client_secret": "az-secret-1", "provider": "azuread"},
        {"client_id": "az", "options": {"azuread": {"tenant": "organizations"}}},
        {"client_id": "az", "options": {"azuread": {"tenant": "common", "authorize_scopes": ["Mail.Read"]}}},
        {"client_id": "ok", "client_secret": "ok-secret-1", "provider": "okta",
         "options": {"okta": {"organization_url": "https://example.okta.com"}}},
    ]
    for step in steps:
        predicted = slashid.cred(check=True, **step)
        done = slashid.cred(**step)
        assert not done.get("failed"), done
        assert done["changed"] == predicted["changed"]
        assert done["end_state"] == predicted["end_state"], step
        again = slashid.cred(**step)
        assert not again["changed"], (step, again)
    assert slashid.state()["az"]["options"]["azuread"]["tenant"] == "common"
    assert slashid.state()["ok"]["options"]["okta"]["organization_url"] == "https://example.okta.com"


def test_delete_that_finds_it_gone_meanwhile_is_done(slashid):
    slashid.reset(**{CID: stored(CID)})
    slashid.fault(method="DELETE", path=PATH + "/", status=404,
                  body={"errors": [{"httpcode": 404, "message": "no such credential"}]})
    result = slashid.cred(client_id=CID, state="absent")
    assert result["changed"] and not result.get("failed")


def test_delete_answered_by_something_that_is_not_slashid_fails(slashid):
    slashid.reset(**{CID: stored(CID)})
    slashid.fault(method="DELETE", path=PATH + "/", status=404, html=True)
    result = slashid.cred(client_id=CID, state="absent")
    assert result["failed"] and "HTTP 404" in result["msg"] and "api_url" in result["msg"]


# ----------------------------------------------------------------------------- the user's values go out as written
def sent_bodies(slashid):
    return [(e["method"], e["body"]) for e in slashid.writes(slashid.log())]


@pytest.mark.parametrize("scopes_include_defaults", [False, True])
@pytest.mark.parametrize("duration", ["as_sent", "go"])
def test_create_and_update_bodies_carry_the_options_as_written(slashid, scopes_include_defaults, duration):
    slashid.config(scopes_include_defaults=scopes_include_defaults, duration_format=duration)
    slashid.log()
    gh = {"client_id": "gh-1", "client_secret": "gh-secret-0001", "provider": "github",
          "options": {"github": {"authorize_scopes": ["read:org"]}}}
    created = slashid.cred(**gh)
    assert created["action"] == "created" and not created.get("failed")
    [(method, body)] = sent_bodies(slashid)
    assert method == "POST" and body["options"] == {"github": {"authorize_scopes": ["read:org"]}}
    again = slashid.cred(**gh)  # the server may show the effective set: still equal
    assert not again["changed"] and sent_bodies(slashid) == []
    updated = slashid.cred(client_id="gh-1", options={"github": {"authorize_scopes": ["repo", "read:org"]}})
    assert updated["changed_fields"] == ["options"] and not updated.get("failed")
    [(method, body)] = sent_bodies(slashid)
    assert method == "PATCH" and body["options"]["github"]["authorize_scopes"] == ["repo", "read:org"]

    opts = {"private_key": APPLE_KEY, "team_id": "ABCDE12345", "key_id": "FGHIJ67890", "secret_lifetime": "720h"}
    made = slashid.cred(**apple(options={"apple": opts}))
    assert made["action"] == "created" and not made.get("failed")
    [(method, body)] = sent_bodies(slashid)
    assert body["options"]["apple"]["secret_lifetime"] == "720h"
    assert made["end_state"]["options"]["apple"]["secret_lifetime"] == "720h0m0s"  # compared as a duration
    assert not slashid.cred(**apple(options={"apple": dict(opts, secret_lifetime="720h0m0s")}))["changed"]
    assert sent_bodies(slashid) == []
    longer = slashid.cred(**apple(options={"apple": dict(opts, secret_lifetime="1440h")}))
    assert longer["changed"] and not longer.get("failed")
    [(method, body)] = sent_bodies(slashid)
    assert method == "PATCH" and body["options"]["apple"]["secret_lifetime"] == "1440h"
    assert body["options"]["apple"]["authorize_scopes"] == slashid.state()["com.example.web"]["options"]["apple"][
        "authorize_scopes"]  # left out: the server's value, sent back


def test_provider_change_with_recreate_sends_the_options_as_written(slashid):
    slashid.reset(**{CID: stored(CID, label="l")})
    result = slashid.cred(client_id=CID, client_secret="gh-secret-1", provider="github", recreate=True,
                          options={"github": {"authorize_scopes": ["read:org"]}})
    assert result["action"] == "recreated" and not result.get("failed")
    writes = sent_bodies(slashid)
    assert [m for m, _b in writes] == ["DELETE", "POST"]
    assert writes[1][1]["options"] == {"github": {"authorize_scopes": ["read:org"]}}
    assert slashid.state()[CID]["options"] == {"github": {"authorize_scopes": ["read:org"]}}
    again = slashid.cred(client_id=CID, provider="github", options={"github": {"authorize_scopes": ["read:org"]}})
    assert not again["changed"] and sent_bodies(slashid) == []


@pytest.mark.parametrize("module", ["cred", "info"])
def test_an_api_url_with_user_information_is_refused_before_any_request(slashid, module):
    api_url = slashid.base["api_url"].replace("https://", "https://org:Api-Url-Secret-9@")
    if module == "cred":
        result = slashid.cred(api_url=api_url, **google())
    else:
        result = slashid.info(api_url=api_url)
    assert result["failed"] and result["msg"].startswith("api_url: the value carries a user name or password")
    assert "org_id and api_key (SLASHID_ORG_ID and SLASHID_API_KEY)" in result["msg"]
    assert slashid.log() == []
    no_secret_in(result, "Api-Url-Secret-9")
