# Copyright (c) sso.oidc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""vCenter vendor contracts, round 2: federation_type under each API release the simulator plays
(7.0.3, 8.0.1, 9.0), bodies that carry the user's values, every write checked by its read-back,
and no credentials in hostname."""

import pytest

from test_vcenter_support import SECRET, assert_no_secret, stored, vc  # noqa: F401 pylint: disable=unused-import

PROVIDERS = "/api/vcenter/identity/providers"
VERSIONS = "/sdk/vimServiceVersions.xml"


def bodies(vc, method):
    """The request bodies the simulator received for ``method`` on the providers API (record_exchanges)."""
    app = vc.sim.apps["vcenter"]
    return [e["request"] for e in app.exchanges if e["method"] == method and e["path"].startswith(PROVIDERS)]


def paths(entries):
    return [(e["method"], e["path"]) for e in entries]


# ----------------------------------------------------------------------------- federation_type, per release
@pytest.mark.parametrize("release", ["8.0.1", "9.0"])
def test_federation_type_is_created_shown_and_rerun_reads_no_version(vc, release):
    vc.reset(api_version=release)
    args = dict(name="corp", oidc=vc.oidc(), federation_type="INDIRECT_FEDERATION")
    predicted = vc.provider(check=True, **args)
    assert predicted["changed"] and predicted["proposed"]["federation_type"] == "INDIRECT_FEDERATION"
    log = vc.log()
    assert vc.writes(log) == []
    assert (("GET", VERSIONS)) in paths(log)  # the release is read once, before the (predicted) write

    created = vc.provider(**args)
    assert created["action"] == "created"
    assert created["end_state"]["federation_type"] == "INDIRECT_FEDERATION"
    assert predicted["end_state"] == dict((k, v) for k, v in created["end_state"].items() if k != "provider_id")
    assert vc.by_name("corp")["federation_type"] == "INDIRECT_FEDERATION"
    assert paths(vc.log()).count(("GET", VERSIONS)) == 1

    again = vc.provider(**args)
    assert not again["changed"]
    assert paths(vc.log()) == [("POST", "/api/session"), ("GET", PROVIDERS), ("DELETE", "/api/session")]

    info = vc.info(name="corp")
    assert info["providers"][0]["federation_type"] == "INDIRECT_FEDERATION"


@pytest.mark.parametrize("release", ["8.0.1", "9.0"])
def test_federation_type_update_patches_only_it(vc, release):
    vc.reset({"p1": stored("corp", federation_type="DIRECT_FEDERATION", is_default=True)}, api_version=release)
    result = vc.provider(name="corp", federation_type="INDIRECT_FEDERATION")
    assert result["changed"] and result["changed_fields"] == ["federation_type"]
    assert result["proposed"] == {"config_tag": "Oidc", "federation_type": "INDIRECT_FEDERATION"}
    assert vc.providers_state()["p1"]["federation_type"] == "INDIRECT_FEDERATION"
    # a provider that shows a federation_type proves 8.0.1: no version read for an 8.0.1 value
    assert ("GET", VERSIONS) not in paths(vc.log())


def test_vmware_sso_federation_needs_9_0_and_fails_before_any_write_on_8_0_1(vc):
    vc.reset({"p1": stored("corp", federation_type="DIRECT_FEDERATION", is_default=True)}, api_version="8.0.1")
    result = vc.providers(config=[{"name": "new", "oidc": vc.oidc()},
                                  {"name": "corp", "federation_type": "VMWARE_SSO_FEDERATION"}])
    assert result["_rc"] == 1
    assert "federation_type" in result["msg"] and "8.0.1" in result["msg"] and "9.0" in result["msg"]
    assert "Nothing was written" in result["msg"]
    log = vc.log()
    assert vc.writes(log) == []  # not even the first entry's create
    assert paths(log).count(("GET", VERSIONS)) == 1
    assert set(vc.providers_state()) == {"p1"}


@pytest.mark.parametrize("check", [False, True])
def test_federation_type_on_7_0_3_fails_before_any_write(vc, check):
    vc.reset({"p1": stored("corp", is_default=True)})  # api_version 7.0.3 (default)
    result = vc.provider(check=check, name="corp", federation_type="DIRECT_FEDERATION")
    assert result["_rc"] == 1
    assert result["msg"].startswith("federation_type: this vCenter's API is vSphere API 7.0.3")
    assert "leave federation_type out" in result["msg"]
    assert vc.writes(vc.log()) == []
    assert "federation_type" not in vc.providers_state()["p1"]


def test_7_0_3_without_federation_type_never_reads_the_version(vc):
    result = vc.provider(name="corp", oidc=vc.oidc(), upn_claim="upn")
    assert result["action"] == "created" and "federation_type" not in result["end_state"]
    assert ("GET", VERSIONS) not in paths(vc.log())
    assert "federation_type" not in vc.info(name="corp")["providers"][0]


def test_server_default_federation_type_is_shown_and_compares_equal(vc):
    vc.reset({"p1": stored("corp", is_default=True)}, api_version="8.0.1", federation_type_default="DIRECT_FEDERATION")
    assert vc.info()["providers"][0]["federation_type"] == "DIRECT_FEDERATION"
    result = vc.provider(name="corp", federation_type="DIRECT_FEDERATION")
    assert not result["changed"]
    assert ("GET", VERSIONS) not in paths(vc.log())


def test_unknown_release_sends_and_the_read_back_decides(vc):
    """No version document (a proxy that passes /api only): the module warns and sends; 8.0.1 takes it."""
    vc.reset({"p1": stored("corp", is_default=True)}, api_version="8.0.1", version_document=False)
    result = vc.provider(name="corp", federation_type="DIRECT_FEDERATION")
    assert result["changed"] and result["end_state"]["federation_type"] == "DIRECT_FEDERATION"
    assert any("could not be read" in w for w in result["warnings"]), result["warnings"]


def test_unknown_release_on_7_0_3_fails_with_the_vendor_text(vc):
    vc.reset({"p1": stored("corp", is_default=True)}, version_document=False)
    result = vc.provider(name="corp", federation_type="DIRECT_FEDERATION")
    assert result["_rc"] == 1
    assert "INVALID_ARGUMENT" in result["msg"] and "federation_type" in result["msg"]
    assert "federation_type" not in vc.providers_state()["p1"]


# ----------------------------------------------------------------------------- the user's values in the body
def test_create_and_update_bodies_carry_the_values_as_written(vc):
    vc.reset(api_version="8.0.1", record_exchanges=True)
    claim_map = {"perms": {"Admins": ["vsphere.local\\Zeta", "vsphere.local\\Administrators"]}}
    created = vc.provider(name="corp", oidc=vc.oidc(claim_map=claim_map),
                          domain_names=["Corp.Example.com", "a.example.com"], org_ids=["o2", "o1"],
                          auth_query_params={"prompt": "login", "domain_hint": ["b", "a"]},
                          federation_type="DIRECT_FEDERATION")
    assert created["action"] == "created"
    body = bodies(vc, "POST")[-1]
    assert body["domain_names"] == ["Corp.Example.com", "a.example.com"]
    assert body["org_ids"] == ["o2", "o1"]
    assert body["auth_query_params"] == {"prompt": ["login"], "domain_hint": ["b", "a"]}
    assert body["oidc"]["claim_map"] == claim_map
    assert body["federation_type"] == "DIRECT_FEDERATION"
    assert created["proposed"]["domain_names"] == ["Corp.Example.com", "a.example.com"]
    # compared in normalised form: the same values in another order and case change nothing
    same = {"perms": {"Admins": ["vsphere.local\\Administrators", "vsphere.local\\Zeta"]}}
    assert not vc.provider(name="corp", domain_names=["A.EXAMPLE.COM", "corp.example.com"], org_ids=["o1", "o2"],
                           oidc=vc.oidc(claim_map=same))["changed"]

    updated = vc.provider(name="corp", domain_names=["Partner.Example.com", "corp.example.com"],
                          auth_query_params={"prompt": ["consent", "login"]})
    assert updated["action"] == "updated"
    body = bodies(vc, "PATCH")[-1]
    assert body["domain_names"] == ["Partner.Example.com", "corp.example.com"]
    assert body["auth_query_params"] == {"prompt": ["consent", "login"]}
    assert_no_secret(updated, SECRET)


# ----------------------------------------------------------------------------- every write is verified
@pytest.mark.parametrize("release", ["8.0.1", "9.0"])
def test_a_server_that_does_not_take_federation_type_fails_the_item(vc, release):
    vc.reset({"p1": stored("corp", is_default=True)}, api_version=release, ignored_fields=["federation_type"])
    result = vc.provider(name="corp", federation_type="INDIRECT_FEDERATION")
    assert result["_rc"] == 1
    assert "federation_type: written as 'INDIRECT_FEDERATION', the server kept None" in result["msg"]
    assert "federation_type" not in vc.providers_state()["p1"]


def test_a_server_that_does_not_take_upn_claim_fails_the_create(vc):
    vc.reset(ignored_fields=["upn_claim"])
    result = vc.providers(config=[{"name": "corp", "oidc": vc.oidc(), "upn_claim": "upn"}])
    assert result["_rc"] == 1 and result["failed_keys"] == ["corp"]
    assert "upn_claim: written as 'upn', the server kept 'acct'" in result["msg"]


def test_the_read_back_of_a_first_provider_with_is_default_false_neither_fails_nor_warns(vc):
    result = vc.provider(name="only", oidc=vc.oidc(), is_default=False)
    assert result["_rc"] == 0 and result["action"] == "created"
    assert result["end_state"]["is_default"] is True and result["warnings"] == []


# ----------------------------------------------------------------------------- no credentials in hostname
@pytest.mark.parametrize("hostname", ["admin:Pa55-w0rd-xyz@vc.example.com", "https://admin:Pa55-w0rd-xyz@vc.example.com",
                                      "admin@vc.example.com"])
def test_hostname_with_user_information_is_refused_before_any_request(vc, hostname):
    result = vc.provider(hostname=hostname, name="corp", oidc=vc.oidc())
    assert result["_rc"] == 1
    assert result["msg"].startswith("hostname:")
    assert "username" in result["msg"] and "password" in result["msg"]
    assert "Pa55-w0rd-xyz" not in result["_raw"]  # not in the message, nor in invocation (masked at once)
    assert "(vc.example.com)" in result["msg"]
    assert vc.log() == []
