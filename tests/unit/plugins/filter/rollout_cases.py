# Copyright (c) sso.oidc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The filters of plugins/filter/rollout.py (what the sso_rollout role sends and how it reads the outcome).

Run by test_rollout.py in a pytest process of its own: the filter plugin imports ansible.errors, which
turns module_utils into controller mode (ansible-core 2.19+) for every module test sharing the process."""

import os

import pytest
import yaml

from ansible.errors import AnsibleFilterError

from ansible_collections.sso.oidc.plugins.filter import rollout
from ansible_collections.sso.oidc.plugins.filter.rollout import (
    CONNECTION_OPTIONS, FilterModule, rollout_connections, rollout_done, rollout_entries, rollout_repeated,
    rollout_report, rollout_summary, rollout_verified,
)

IDP = {"issuer": "https://login.example.com/realms/corp/", "client_id": "corp", "client_secret": "s3cret",
       "scopes": ["openid", "email"], "name": "Corporate SSO",
       "redirect_uris": ["https://login.example.com/cb"]}
FILTER_DIR = os.path.dirname(rollout.__file__)


def test_every_filter_has_its_documentation_file():
    for name in FilterModule().filters():
        with open(os.path.join(FILTER_DIR, name + ".yml")) as handle:
            doc = yaml.safe_load(handle)
        assert doc["DOCUMENTATION"]["name"] == name
        assert doc["EXAMPLES"] and doc["RETURN"]["_value"]["description"]


def test_wickr_entries_take_the_provider_then_the_network():
    section = {"validate": False, "networks": [{"network_id": 12345678, "company_id": "eng", "issuer": None},
                                               {"network_id": "23456789", "company_id": "sales", "scopes": ["openid"]}]}
    entries = rollout_entries(IDP, "wickr", section)
    assert entries[0] == {"issuer": IDP["issuer"], "scopes": ["openid", "email"], "client_id": "corp",
                          "secret": "s3cret", "validate": False, "network_id": "12345678", "company_id": "eng"}
    assert entries[1]["scopes"] == ["openid"] and entries[1]["network_id"] == "23456789"
    assert rollout_entries(IDP, "wickr", {}) == []


def test_checkmarx_entries_default_scopes_and_no_secret_for_a_public_client():
    idp = dict(IDP, scopes=None)
    entries = rollout_entries(idp, "checkmarx", {"clients": [{"client_id": "web"},
                                                             {"client_id": "spa", "require_client_secret": False}]})
    assert entries[0] == {"client_id": "web", "allowed_grant_types": ["authorization_code"],
                          "allowed_scopes": ["openid", "profile", "email"], "client_secrets": ["s3cret"],
                          "redirect_uris": ["https://login.example.com/cb"]}
    assert "client_secrets" not in entries[1] and entries[1]["require_client_secret"] is False


def test_slashid_entries_per_provider():
    azure = dict(IDP, issuer="https://login.microsoftonline.com/tenant-42/v2.0")
    okta, az, github = rollout_entries(IDP, "slashid", {"credentials": [
        {"label": "a"}, {"client_id": "b", "provider": "azuread"},
        {"client_id": "c", "provider": "github", "options": {"github": {"authorize_scopes": ["read:org"]}}}]})
    assert okta["options"] == {"okta": {"organization_url": "https://login.example.com",
                                        "authorize_scopes": ["openid", "email"]}}
    assert okta["client_id"] == "corp" and okta["label"] == "a"
    assert "tenant" not in az["options"]["azuread"]
    assert rollout_entries(azure, "slashid", {"credentials": [{"provider": "azuread"}]})[0]["options"] == {
        "azuread": {"authorize_scopes": ["openid", "email"], "tenant": "tenant-42"}}
    assert github["options"] == {"github": {"authorize_scopes": ["read:org"]}}
    # The section's provider is the default; a recursive merge keeps the derived options beside the given ones.
    merged = rollout_entries(IDP, "slashid", {"credentials": [{"options": {"okta": {"authorize_scopes": ["openid"]}}}]})
    assert merged[0]["options"]["okta"] == {"organization_url": "https://login.example.com",
                                            "authorize_scopes": ["openid"]}


def test_vcenter_targets_oidc_and_oauth2():
    discovery = {"configuration": {"authorization_endpoint": "https://idp/auth", "token_endpoint": "https://idp/token",
                                   "jwks_uri": "https://idp/jwks"}}
    targets = rollout_entries(IDP, "vcenter", [
        {"hostname": "vc1", "username": "u", "password": "p", "validate_certs": None},
        {"hostname": "vc2", "port": "8443", "timeout": 5, "provider": {"config_tag": "oauth2", "domain_names": ["x"]}},
    ], defaults={"ca_path": "/ca.pem", "validate_certs": None, "timeout": 30}, discovery=discovery)
    one, two = targets
    assert one["key"] == "vc1/Corporate SSO" and two["key"] == "vc2:8443/Corporate SSO"
    assert one["connection"] == {"hostname": "vc1", "username": "u", "password": "p", "ca_path": "/ca.pem",
                                 "timeout": 30}
    assert two["connection"]["timeout"] == 5
    assert one["entry"]["oidc"] == {"discovery_endpoint": "https://login.example.com/realms/corp/.well-known/"
                                                          "openid-configuration",
                                    "client_id": "corp", "client_secret": "s3cret", "claim_map": {}}
    assert two["entry"]["oauth2"]["token_endpoint"] == "https://idp/token"
    assert two["entry"]["oauth2"]["public_key_uri"] == "https://idp/jwks"
    assert two["entry"]["domain_names"] == ["x"] and "oidc" not in two["entry"]
    with pytest.raises(AnsibleFilterError, match="port"):
        rollout_entries(IDP, "vcenter", [{"hostname": "vc", "port": "https"}])


def test_bad_input_is_named():
    with pytest.raises(AnsibleFilterError, match="kind must be one of"):
        rollout_entries(IDP, "jira", {})
    with pytest.raises(AnsibleFilterError, match="sso_rollout_checkmarx.clients must be a list"):
        rollout_entries(IDP, "checkmarx", {"clients": {"client_id": "x"}})


def test_connections_only_what_is_set_plus_role_wide_defaults():
    conns = rollout_connections({"idp": IDP, "wickr": {"region": "us-east-1", "networks": []},
                                 "checkmarx": {"url": "https://cx", "username": None},
                                 "slashid": {"org_id": "o", "ca_path": "/own.pem"}},
                                {"ca_path": "/ca.pem", "validate_certs": None, "timeout": 10}, token="tok")
    assert conns["idp"] == {"ca_path": "/ca.pem", "timeout": 10}
    assert conns["wickr"] == {"region": "us-east-1", "aws_ca_bundle": "/ca.pem", "timeout": 10}
    assert conns["checkmarx"] == {"url": "https://cx", "ca_path": "/ca.pem", "timeout": 10, "token": "tok"}
    assert conns["slashid"] == {"org_id": "o", "ca_path": "/own.pem", "timeout": 10}
    with pytest.raises(AnsibleFilterError):
        rollout_connections({"vcenter": {}})
    assert set(CONNECTION_OPTIONS) == {"idp", "wickr", "checkmarx", "slashid", "vcenter"}


def test_repeated_and_done():
    assert rollout_repeated({"wickr": ["1", "2", "1"], "checkmarx": ["Portal", "portal", "x"], "slashid": []}) == {
        "wickr": ["1"], "checkmarx": ["portal"]}
    runs = {"wickr": {"results": [{"key": 1, "action": "created"}, {"key": 2, "action": "failed"}]},
            "checkmarx": {"failed": True, "results": []},
            "vcenter:vc1/Corp": {"results": [{"key": "Corp", "action": "unchanged"}]}}
    assert rollout_done(runs) == {"wickr": ["1"], "checkmarx": [], "slashid": [], "vcenter": ["vc1/Corp"]}
    # A write whose read-back did not show it keeps its action (the item was written) and is in failed_keys.
    runs["vcenter:vc2/Corp"] = {"failed": True, "failed_keys": ["corp"],
                                "results": [{"key": "Corp", "action": "updated", "msg": "the read right after"}]}
    assert rollout_done(runs)["vcenter"] == ["vc1/Corp"]


def test_summary_counts_a_written_item_in_failed_keys_as_failed():
    vc = rollout_entries(IDP, "vcenter", [{"hostname": "vc1"}])
    runs = {"vcenter:vc1/Corporate SSO": {"failed": True, "msg": "1 of 1 identity provider(s) failed",
                                          "failed_keys": ["Corporate SSO"], "results": [{
                                              "key": "Corporate SSO", "action": "updated", "changed_fields": ["oidc"],
                                              "msg": "identity provider 'Corporate SSO' failed: the read right after"}]}}
    out = rollout_summary(runs, {"vcenter": vc})
    record = out["records"][0]
    assert (record["status"], record["action"], record["changed"]) == ("failed", "updated", True)
    assert record["msg"] == "identity provider 'Corporate SSO' failed: the read right after"
    assert out["counts"]["failed"] == 1 and out["counts"]["updated"] == 0 and out["counts"]["changed"] == 0
    del runs["vcenter:vc1/Corporate SSO"]["failed_keys"]  # without it, the item's own action counts
    assert rollout_summary(runs, {"vcenter": vc})["records"][0]["status"] == "updated"


def test_verified_and_summary():
    vc = rollout_entries(IDP, "vcenter", [{"hostname": "vc1"}, {"hostname": "vc2"}])
    cx = rollout_entries(IDP, "checkmarx", {"clients": [{"client_id": "web"}, {"client_id": "cli"}]})
    cx_results = [{"key": "web", "action": "created", "msg": "created"},
                  {"key": "cli", "action": "recreated", "changed_fields": ["provider"]}]
    runs = {"checkmarx": {"failed": False, "msg": "", "results": cx_results},
            "vcenter:vc1/Corporate SSO": {"failed": False, "results": [{"key": "Corporate SSO", "action": "unchanged"}]},
            "vcenter:vc2/Corporate SSO": {"failed": True, "msg": "HTTP 500", "results": []}}
    done = rollout_done(runs)
    cx_read = {"clients": [{"client_id": "web", "enabled": True, "redirect_uris": ["https://login.example.com/cb"]},
                           {"client_id": "cli", "enabled": True, "redirect_uris": ["https://elsewhere"]}]}
    vc_read = {"results": [{"item": vc[0], "providers": [{"name": "Corporate SSO", "config_tag": "oidc", "oidc": {
        "discovery_endpoint": vc[0]["entry"]["oidc"]["discovery_endpoint"], "client_id": "corp"}}]}]}
    verified = rollout_verified(cx_read, "checkmarx", cx, done) + rollout_verified(vc_read, "vcenter")
    assert [v["error"] for v in verified] == [None, None, None]
    out = rollout_summary(runs, {"checkmarx": cx, "vcenter": vc}, verified=verified)
    records = dict(((r["kind"], r["key"]), r) for r in out["records"])
    assert records[("checkmarx", "web")]["status"] == "created" and records[("checkmarx", "web")]["verified"] is True
    cli = records[("checkmarx", "cli")]
    assert cli["status"] == "failed" and cli["verified"] is False
    assert cli["msg"] == 'verify: redirect_uris is ["https://elsewhere"], expected ["https://login.example.com/cb"]'
    assert records[("vcenter", "vc1/Corporate SSO")]["status"] == "unchanged"
    assert records[("vcenter", "vc2/Corporate SSO")] == {
        "kind": "vcenter", "key": "vc2/Corporate SSO", "action": "failed", "changed": False, "verified": None,
        "changed_fields": [], "msg": "HTTP 500", "status": "failed"}
    assert out["counts"] == {"created": 1, "updated": 0, "unchanged": 1, "failed": 2, "skipped": 0, "changed": 1,
                             "total": 4}
    missing = rollout_verified({"clients": []}, "checkmarx", cx, done)
    assert [v["error"] for v in missing] == ["the client is not on the server"] * 2
    failed_read = rollout_verified({"failed": True, "msg": "HTTP 403"}, "checkmarx", cx, done)
    assert failed_read[0]["error"] == "HTTP 403"
    skipped = rollout_summary({}, {"checkmarx": cx}, stop=True)["records"][0]
    assert skipped["status"] == "skipped" and "sso_rollout_fail_fast" in skipped["msg"]
    # the printed summary: the failed targets first, then the head line and one line per target
    lines = rollout_report(out["records"], out["counts"], issuer="https://login.example.com")
    assert lines[0] == ("The SSO rollout failed for 2 of 4 target(s): checkmarx cli, vcenter vc2/Corporate SSO. "
                        "See the summary below.")
    assert lines[1] == ("SSO rollout of https://login.example.com: 4 target(s), 1 created, 0 updated, 1 unchanged, "
                        "2 failed")
    assert lines[2] == "%-10s %-44s %s" % ("checkmarx", "web", "created")
    assert lines[3].startswith("checkmarx  cli") and lines[3].endswith("failed: " + cli["msg"])
    assert lines[5] == "%-10s %-44s failed: HTTP 500" % ("vcenter", "vc2/Corporate SSO") and len(lines) == 6
    planned = rollout_report([dict(records[("checkmarx", "web")], status="updated", changed_fields=["name", "enabled"])],
                             {"total": 1, "updated": 1, "skipped": 2}, issuer="https://idp", check_mode=True)
    assert planned == ["SSO rollout of https://idp (check mode: the plan; nothing was written): 1 target(s), 0 created, "
                       "1 updated, 0 unchanged, 0 failed, 2 skipped",
                       "%-10s %-44s updated (name, enabled)" % ("checkmarx", "web")]
