# Copyright (c) sso.oidc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""vcenter_identity_provider: every path of the module, run in-process against the vCenter simulator."""

import base64
import json
import threading
import urllib.request

import pytest

from test_vcenter_support import (  # noqa: F401 pylint: disable=unused-import
    LDAP_PASSWORD, PEM, SECRET, SECRET_2, assert_no_secret, stored, vc,
)

PROVIDERS = "/api/vcenter/identity/providers"


def without_id(state):
    return dict((k, v) for k, v in state.items() if k != "provider_id")


# ----------------------------------------------------------------------------- create / no-op / update
def test_check_mode_create_writes_nothing_and_predicts_the_real_run(vc):
    args = dict(name="corp", oidc=vc.oidc(claim_map={"perms": {"Admins": ["vsphere.local\\Administrators"]}}),
                domain_names=["Corp.Example.com"], upn_claim="upn")
    predicted = vc.provider(check=True, diff=True, **args)
    assert predicted["changed"] and predicted["action"] == "created"
    assert predicted["msg"] == "identity provider 'corp' would be created"
    log = vc.log()
    assert vc.writes(log) == []
    assert [e["method"] for e in vc.reads(log)] == ["GET"]
    assert vc.providers_state() == {}
    assert predicted["diff"]["before"] == {}

    real = vc.provider(diff=True, **args)
    assert real["changed"] and real["action"] == "created"
    assert without_id(real["end_state"]) == predicted["end_state"] == predicted["diff"]["after"]
    assert real["end_state"]["provider_id"] in vc.providers_state()
    assert real["proposed"]["oidc"]["client_secret"] == "********"
    assert real["proposed"] == predicted["proposed"]
    assert real["end_state"]["oidc"]["client_secret"] == "********"
    assert real["end_state"]["domain_names"] == ["corp.example.com"]
    assert real["end_state"]["is_default"] is True  # the first provider is always the default
    server = vc.by_name("corp")
    assert server["oidc"]["client_secret"] == SECRET
    assert server["oidc"]["issuer"] == vc.issuer  # vCenter read the discovery document
    assert server["oidc"]["auth_endpoint"].startswith(vc.issuer)
    assert server["upn_claim"] == "upn"
    assert [(e["method"], e["path"]) for e in vc.writes(vc.log())] == [("POST", PROVIDERS)]
    assert real["api_calls"] == {"POST": 2, "GET": 3}  # login + create; list, list + details read back
    assert_no_secret([predicted, real], SECRET, vc.base["password"])


def test_rerun_is_unchanged_with_no_write(vc):
    args = dict(name="corp", oidc=vc.oidc(), domain_names=["corp.example.com"])
    vc.provider(**args)
    vc.log()
    again = vc.provider(**args)
    assert not again["changed"] and again["action"] == "unchanged"
    assert again["msg"] == "identity provider 'corp' is unchanged"
    log = vc.log()
    assert vc.writes(log) == []
    # the list shows everything these options need (the secret via the authentication header): one read
    assert [(e["method"], e["path"]) for e in vc.reads(log)] == [("GET", PROVIDERS)]
    assert again["api_calls"] == {"POST": 1, "GET": 1}
    assert again["proposed"] == {}


def test_minimal_task_is_idempotent_on_a_provider_with_everything_set(vc):
    vc.reset({"p1": stored("corp", domain_names=["corp.example.com"], org_ids=["org-1"], upn_claim="upn",
                           groups_claim="groups", auth_query_params={"prompt": ["login"]}, is_default=True)})
    result = vc.provider(name="corp")
    assert not result["changed"]
    assert result["end_state"]["domain_names"] == ["corp.example.com"]
    assert vc.writes(vc.log()) == []


def test_changing_domain_names_patches_only_that(vc):
    vc.reset({"p1": stored("corp", domain_names=["corp.example.com"], upn_claim="upn", is_default=True)})
    before = vc.providers_state()["p1"]
    result = vc.provider(diff=True, name="corp", oidc=vc.oidc(discovery_endpoint=before["oidc"]["discovery_endpoint"]),
                         domain_names=["corp.example.com", "Partner.example.com"], upn_claim="upn")
    assert result["changed"] and result["changed_fields"] == ["domain_names"]
    # the body carries the names as written; the comparison (and the diff) uses the normalised form
    assert result["proposed"] == {"config_tag": "Oidc", "domain_names": ["corp.example.com", "Partner.example.com"]}
    assert result["diff"]["before"]["domain_names"] == ["corp.example.com"]
    assert result["diff"]["after"]["domain_names"] == ["corp.example.com", "partner.example.com"]
    after = vc.providers_state()["p1"]
    assert after == dict(before, domain_names=["corp.example.com", "Partner.example.com"])
    assert [(e["method"], e["path"]) for e in vc.writes(vc.log())] == [("PATCH", PROVIDERS + "/p1")]


def test_domain_names_are_a_set_without_case(vc):
    vc.reset({"p1": stored("corp", domain_names=["b.example.com", "A.example.com"])})
    result = vc.provider(name="corp", domain_names=["a.example.com", "B.EXAMPLE.COM", "a.example.com"])
    assert not result["changed"]


def test_make_it_default_moves_the_flag(vc):
    vc.reset({"p1": stored("first", is_default=True), "p2": stored("second", client_id="vc-b")})
    result = vc.provider(name="second", is_default=True)
    assert result["changed"] and result["proposed"] == {"config_tag": "Oidc", "make_default": True}
    assert result["end_state"]["is_default"] is True
    state = vc.providers_state()
    assert state["p2"]["is_default"] is True and state["p1"]["is_default"] is False
    assert not vc.provider(name="second", is_default=True)["changed"]


def test_is_default_false_cannot_clear_the_flag_and_warns(vc):
    vc.reset({"p1": stored("first", is_default=True)})
    result = vc.provider(name="first", is_default=False)
    assert not result["changed"]
    assert any("cannot change that" in w for w in result.get("warnings", [])), result
    assert vc.writes(vc.log()) == []


def test_create_with_is_default_false_as_the_first_provider_predicts_the_default(vc):
    args = dict(name="only", oidc=vc.oidc(), is_default=False)
    predicted = vc.provider(check=True, **args)
    real = vc.provider(**args)
    assert predicted["end_state"]["is_default"] is True
    assert without_id(real["end_state"]) == predicted["end_state"]


def test_second_provider_is_not_default_unless_asked(vc):
    vc.reset({"p1": stored("first", is_default=True)})
    predicted = vc.provider(check=True, name="second", oidc=vc.oidc(client_id="vc-b"))
    real = vc.provider(name="second", oidc=vc.oidc(client_id="vc-b"))
    assert predicted["end_state"]["is_default"] is False
    assert without_id(real["end_state"]) == predicted["end_state"]
    assert vc.providers_state()["p1"]["is_default"] is True


def test_claims_and_org_ids_update_reads_the_details(vc):
    vc.reset({"p1": stored("corp", groups_claim="groups", org_ids=["o1"])})
    result = vc.provider(name="corp", upn_claim="email", groups_claim="", org_ids=["o2", "o1"],
                         oidc=vc.oidc(discovery_endpoint="https://idp.example.com/.well-known/openid-configuration",
                                      claim_map={"perms": {"Admins": ["vsphere.local\\Administrators"]}}))
    assert result["changed"]
    assert sorted(result["changed_fields"]) == ["groups_claim", "oidc", "org_ids", "upn_claim"]
    proposed = result["proposed"]
    assert proposed["reset_groups_claim"] is True and "groups_claim" not in proposed
    assert proposed["upn_claim"] == "email"
    assert proposed["oidc"] == {"claim_map": {"perms": {"Admins": ["vsphere.local\\Administrators"]}}}
    server = vc.providers_state()["p1"]
    # sent as written (the user's order); compared as a set
    assert server["groups_claim"] == "" and server["upn_claim"] == "email" and server["org_ids"] == ["o2", "o1"]
    assert result["end_state"]["groups_claim"] == "" and result["end_state"]["org_ids"] == ["o1", "o2"]
    again = vc.provider(name="corp", upn_claim="email", groups_claim="", org_ids=["o1", "o2"],
                        oidc=vc.oidc(discovery_endpoint="https://idp.example.com/.well-known/openid-configuration",
                                     claim_map={"perms": {"Admins": ["vsphere.local\\Administrators"]}}))
    assert not again["changed"]
    assert again["api_calls"] == {"POST": 1, "GET": 2}  # list + details


def test_auth_query_params_round_trip(vc):
    params = {"prompt": "login", "domain_hint": ["b", "a"], "flag": []}
    args = dict(name="corp", oidc=vc.oidc(), auth_query_params=params)
    created = vc.provider(**args)
    assert created["end_state"]["auth_query_params"] == {"prompt": ["login"], "domain_hint": ["a", "b"], "flag": []}
    # the server holds the values as written (a single value as a list, the API's type); compared without order
    assert vc.by_name("corp")["auth_query_params"] == {"prompt": ["login"], "domain_hint": ["b", "a"], "flag": []}
    assert not vc.provider(**args)["changed"]


def test_update_that_changes_the_discovery_endpoint_makes_vcenter_read_it_again(vc):
    vc.reset({"p1": stored("corp")})
    result = vc.provider(name="corp", oidc=vc.oidc())
    assert result["changed"]
    assert result["proposed"] == {"config_tag": "Oidc", "oidc": {"discovery_endpoint": vc.discovery}}
    assert vc.providers_state()["p1"]["oidc"]["issuer"] == vc.issuer


# ----------------------------------------------------------------------------- discovery failure
def test_discovery_endpoint_that_fails_is_a_clear_failure_and_writes_nothing(vc):
    bad = vc.issuer + "/no/such/.well-known/openid-configuration"
    result = vc.provider(name="corp", oidc=vc.oidc(discovery_endpoint=bad))
    assert result["failed"]
    assert result["msg"].startswith("identity provider 'corp' failed: vCenter API POST %s failed: HTTP 400: "
                                    "INVALID_ARGUMENT: " % PROVIDERS)
    assert "Unable to retrieve the OIDC provider metadata from the discovery endpoint %s" % bad in result["msg"]
    assert "404" in result["msg"]
    assert vc.providers_state() == {}
    assert_no_secret(result, SECRET, vc.base["password"])


# ----------------------------------------------------------------------------- delete
def test_absent_and_absent_again(vc):
    vc.reset({"p1": stored("corp", is_default=True), "p2": stored("other")})
    check = vc.provider(check=True, name="corp", state="absent")
    assert check["changed"] and check["action"] == "deleted" and "p1" in vc.providers_state()
    gone = vc.provider(diff=True, name="corp", state="absent")
    assert gone["changed"] and gone["end_state"] == {} and gone["diff"]["after"] == {}
    assert gone["existing"]["provider_id"] == "p1"
    assert set(vc.providers_state()) == {"p2"}
    log = vc.log()
    assert [(e["method"], e["path"]) for e in vc.writes(log)] == [("DELETE", PROVIDERS + "/p1")]
    assert [e["path"] for e in vc.reads(log)] == [PROVIDERS, PROVIDERS]  # absent needs no details
    again = vc.provider(name="corp", state="absent")
    assert not again["changed"] and again["msg"] == "identity provider 'corp' is already absent"
    assert vc.writes(vc.log()) == []


def test_absent_by_provider_id(vc):
    vc.reset({"p1": stored("corp"), "p2": stored("corp")})
    result = vc.provider(provider_id="p2", state="absent")
    assert result["changed"] and set(vc.providers_state()) == {"p1"}
    assert not vc.provider(provider_id="p2", state="absent")["changed"]


# ----------------------------------------------------------------------------- keys
def test_ambiguous_name_fails_and_names_the_ids(vc):
    vc.reset({"p1": stored("corp"), "p2": stored("corp")})
    result = vc.provider(name="corp", domain_names=["x.example.com"])
    assert result["failed"]
    assert "name 'corp' matches 2 identity providers (provider_id p1, p2); set provider_id" in result["msg"]
    assert vc.writes(vc.log()) == []
    deleting = vc.provider(name="corp", state="absent")
    assert deleting["failed"] and set(vc.providers_state()) == {"p1", "p2"}


def test_provider_id_picks_one_and_renames_it(vc):
    vc.reset({"p1": stored("corp"), "p2": stored("corp")})
    result = vc.provider(provider_id="p2", name="corp-2")
    assert result["changed"] and result["changed_fields"] == ["name"]
    assert result["proposed"] == {"config_tag": "Oidc", "name": "corp-2"}
    assert vc.providers_state()["p2"]["name"] == "corp-2" and vc.providers_state()["p1"]["name"] == "corp"
    assert not vc.provider(provider_id="p2", name="corp-2")["changed"]


def test_unknown_provider_id_fails_clearly(vc):
    result = vc.provider(provider_id="nope", name="corp", oidc=vc.oidc())
    assert result["failed"] and "provider_id 'nope': vCenter has no identity provider with this id" in result["msg"]
    assert vc.writes(vc.log()) == []


def test_update_without_a_spec_does_not_create(vc):
    result = vc.provider(name="ghost", domain_names=["a.example.com"])
    assert result["failed"]
    assert "identity provider 'ghost' does not exist and creating it needs oidc" in result["msg"]
    assert vc.writes(vc.log()) == []


# ----------------------------------------------------------------------------- kinds
def oauth2_spec(**extra):
    spec = {"auth_endpoint": "https://idp.example.com/authorize", "token_endpoint": "https://idp.example.com/token",
            "public_key_uri": "https://idp.example.com/jwks", "client_id": "vc-oauth", "client_secret": SECRET,
            "issuer": "https://idp.example.com", "authentication_method": "CLIENT_SECRET_POST"}
    spec.update(extra)
    return spec


def test_oauth2_create_rerun_and_update(vc):
    created = vc.provider(name="oauth", oauth2=oauth2_spec(auth_query_params={"scope": "openid"}))
    assert created["changed"] and created["end_state"]["config_tag"] == "oauth2"
    assert created["proposed"]["config_tag"] == "Oauth2"
    server = vc.by_name("oauth")
    assert server["config_tag"] == "Oauth2" and server["oauth2"]["client_secret"] == SECRET
    assert not vc.provider(name="oauth", oauth2=oauth2_spec(auth_query_params={"scope": ["openid"]}))["changed"]
    updated = vc.provider(name="oauth", oauth2=oauth2_spec(issuer="https://idp2.example.com"))
    assert updated["changed"] and updated["proposed"] == {"config_tag": "Oauth2",
                                                          "oauth2": {"issuer": "https://idp2.example.com"}}
    assert vc.by_name("oauth")["oauth2"]["issuer"] == "https://idp2.example.com"
    assert_no_secret([created, updated], SECRET)


def test_changing_the_kind_needs_recreate(vc):
    vc.reset({"p1": stored("corp", is_default=True)})
    refused = vc.provider(name="corp", config_tag="oauth2", oauth2=oauth2_spec())
    assert refused["failed"] and "set recreate=true" in refused["msg"]
    assert vc.writes(vc.log()) == []
    check = vc.provider(check=True, name="corp", oauth2=oauth2_spec(), recreate=True)
    assert check["changed"] and check["action"] == "recreated" and "p1" in vc.providers_state()
    done = vc.provider(name="corp", oauth2=oauth2_spec(), recreate=True)
    assert done["action"] == "recreated"
    assert [e["method"] for e in vc.writes(vc.log())] == ["DELETE", "POST"]
    (pid, prov), = vc.providers_state().items()
    assert pid != "p1" and prov["config_tag"] == "Oauth2" and done["end_state"]["provider_id"] == pid
    # the only provider was deleted first, so the new one is the default, as check mode predicted
    assert prov["is_default"] and check["end_state"]["is_default"]
    assert without_id(done["end_state"]) == check["end_state"]


@pytest.mark.parametrize("kind", ["oidc", "oauth2", "ldap", "scim"])
@pytest.mark.parametrize("visibility", ["clear", "masked"])
def test_check_mode_predicts_the_read_back_of_every_kind(vc, kind, visibility):
    vc.reset({"p0": stored("existing", is_default=True)}, secret_visibility=visibility, header_visibility=visibility)
    args = {"oidc": dict(name="new", oidc=vc.oidc(), upn_claim="upn", groups_claim="groups", org_ids=["o1"]),
            "oauth2": dict(name="new", oauth2=oauth2_spec(), is_default=True),
            "ldap": dict(name="new", oidc=vc.oidc(), idm_protocol="LDAP", active_directory_over_ldap=ldap_spec()),
            "scim": dict(name="new", oidc=vc.oidc(), idm_protocol="SCIM2_0", idm_endpoints=["https://scim.example.com"],
                         auth_query_params={"prompt": "login"})}[kind]
    predicted = vc.provider(check=True, diff=True, **args)
    real = vc.provider(diff=True, **args)
    assert without_id(real["end_state"]) == predicted["end_state"]
    assert without_id(real["diff"]["after"]) == predicted["diff"]["after"]
    assert not vc.provider(**args)["changed"]


# ----------------------------------------------------------------------------- LDAP
def ldap_spec(**extra):
    spec = {"user_name": "cn=svc,dc=corp", "password": LDAP_PASSWORD, "users_base_dn": "cn=Users,dc=corp",
            "groups_base_dn": "dc=corp", "server_endpoints": ["ldaps://dc1.corp:636"], "cert_chain": [PEM]}
    spec.update(extra)
    return spec


def test_ldaps_create_without_a_certificate_chain_fails_for_that_provider(vc):
    result = vc.provider(name="adfs", oidc=vc.oidc(), idm_protocol="LDAP",
                         active_directory_over_ldap=ldap_spec(cert_chain=None))
    assert result["failed"] and "needs active_directory_over_ldap.cert_chain" in result["msg"]
    assert vc.writes(vc.log()) == []


def test_ldap_create_rerun_and_whole_object_update(vc):
    args = dict(name="adfs", oidc=vc.oidc(), idm_protocol="LDAP", active_directory_over_ldap=ldap_spec())
    created = vc.provider(**args)
    assert created["changed"]
    assert created["end_state"]["active_directory_over_ldap"]["password"] == "********"
    server = vc.by_name("adfs")
    assert server["active_directory_over_ldap"]["password"] == LDAP_PASSWORD
    assert server["active_directory_over_ldap"]["cert_chain"] == {"cert_chain": [PEM]}
    assert not vc.provider(**args)["changed"]
    # a change sends the whole object (the API takes it whole): password included, cert_chain kept
    spec = ldap_spec(server_endpoints=["ldaps://dc2.corp:636", "ldaps://dc1.corp:636"])
    del spec["cert_chain"]
    updated = vc.provider(name="adfs", active_directory_over_ldap=spec)
    assert updated["changed_fields"] == ["active_directory_over_ldap"]
    sent = updated["proposed"]["active_directory_over_ldap"]
    assert sent["password"] == "********" and sent["cert_chain"] == {"cert_chain": [PEM]}
    assert sent["server_endpoints"] == ["ldaps://dc2.corp:636", "ldaps://dc1.corp:636"]
    server = vc.by_name("adfs")["active_directory_over_ldap"]
    assert server["server_endpoints"] == ["ldaps://dc2.corp:636", "ldaps://dc1.corp:636"]
    assert server["password"] == LDAP_PASSWORD and server["cert_chain"] == {"cert_chain": [PEM]}
    assert_no_secret([created, updated], SECRET, LDAP_PASSWORD)


# ----------------------------------------------------------------------------- secrets (UNCONFIRMED visibility)
@pytest.mark.parametrize("visibility", ["clear", "masked", "omitted"])
@pytest.mark.parametrize("header", ["clear", "masked"])
def test_same_secret_is_unchanged_under_every_visibility(vc, visibility, header):
    vc.reset({"p1": stored("corp", domain_names=["a.example.com"])}, secret_visibility=visibility,
             header_visibility=header)
    result = vc.provider(name="corp", oidc=vc.oidc(discovery_endpoint=vc.providers_state()["p1"]["oidc"]
                                                   ["discovery_endpoint"]))
    assert not result["changed"], result
    assert result["existing"]["oidc"]["client_secret"] == "********"
    # the list reveals the secret through its authentication header, else one more GET for the details
    assert result["api_calls"]["GET"] == (1 if header == "clear" else 2)
    assert_no_secret(result, SECRET)


@pytest.mark.parametrize("visibility,header,detected", [
    ("clear", "clear", True), ("clear", "masked", True), ("masked", "clear", True),
    ("omitted", "clear", True), ("masked", "masked", False), ("omitted", "masked", False),
])
def test_changed_secret_is_detected_when_vcenter_shows_it(vc, visibility, header, detected):
    vc.reset({"p1": stored("corp")}, secret_visibility=visibility, header_visibility=header)
    endpoint = vc.providers_state()["p1"]["oidc"]["discovery_endpoint"]
    result = vc.provider(diff=True, name="corp", oidc=vc.oidc(discovery_endpoint=endpoint, client_secret=SECRET_2))
    assert result["changed"] is detected
    expected = SECRET_2 if detected else SECRET
    assert vc.providers_state()["p1"]["oidc"]["client_secret"] == expected
    if detected:
        assert result["proposed"] == {"config_tag": "Oidc", "oidc": {"client_secret": "********"}}
        assert result["diff"]["after"]["oidc"]["client_secret"] == "******** (changed)"
    assert_no_secret(result, SECRET, SECRET_2)


def test_update_secret_always_sends_an_unseen_secret(vc):
    vc.reset({"p1": stored("corp")}, secret_visibility="masked", header_visibility="masked")
    endpoint = vc.providers_state()["p1"]["oidc"]["discovery_endpoint"]
    check = vc.provider(check=True, name="corp", oidc=vc.oidc(discovery_endpoint=endpoint, client_secret=SECRET_2),
                        update_secret="always")
    assert check["changed"] and vc.writes(vc.log()) == []
    result = vc.provider(name="corp", oidc=vc.oidc(discovery_endpoint=endpoint, client_secret=SECRET_2),
                         update_secret="always")
    assert result["changed"] and result["proposed"]["oidc"] == {"client_secret": "********"}
    assert vc.providers_state()["p1"]["oidc"]["client_secret"] == SECRET_2
    assert result["end_state"] == check["end_state"]


def test_update_secret_always_compares_a_secret_vcenter_shows(vc):
    vc.reset({"p1": stored("corp")})
    endpoint = vc.providers_state()["p1"]["oidc"]["discovery_endpoint"]
    result = vc.provider(name="corp", oidc=vc.oidc(discovery_endpoint=endpoint), update_secret="always")
    assert not result["changed"]


def test_masked_ldap_password_follows_update_secret(vc):
    vc.reset({"p1": stored("adfs", idm_protocol="LDAP", active_directory_over_ldap=dict(
        ldap_spec(), cert_chain={"cert_chain": [PEM]}))}, secret_visibility="masked")
    same = vc.provider(name="adfs", active_directory_over_ldap=ldap_spec(password="another-password"))
    assert not same["changed"]
    rotated = vc.provider(name="adfs", active_directory_over_ldap=ldap_spec(password="another-password"),
                          update_secret="always")
    assert rotated["changed"]
    assert vc.providers_state()["p1"]["active_directory_over_ldap"]["password"] == "another-password"
    assert_no_secret([same, rotated], "another-password", LDAP_PASSWORD)


# ----------------------------------------------------------------------------- input errors (no request)
@pytest.mark.parametrize("args,message", [
    ({"oidc": {"discovery_endpoint": "idp.example.com", "client_id": "c", "client_secret": SECRET}},
     "oidc.discovery_endpoint: 'idp.example.com' is not a URL"),
    ({"oidc": {"discovery_endpoint": "https://i/x", "client_id": "c", "client_secret": "********"}},
     "oidc.client_secret: the value is a mask"),
    ({"config_tag": "oidc", "oauth2": oauth2_spec()}, "oauth2: is only used with config_tag=oauth2"),
    ({"domain_names": ["https://corp.example.com/"]}, "domain_names[0]: 'https://corp.example.com/' is not a domain"),
    ({"idm_protocol": "LDAP"}, "active_directory_over_ldap: is required with idm_protocol=LDAP"),
    ({"idm_endpoints": []}, "idm_endpoints: give at least one endpoint"),
    ({"idm_protocol": "LDAP", "active_directory_over_ldap": ldap_spec(cert_chain=[" "])},
     "active_directory_over_ldap.cert_chain: give at least one PEM certificate"),
    ({"idm_protocol": "SCIM", "active_directory_over_ldap": ldap_spec()},
     "active_directory_over_ldap: is only used with idm_protocol=LDAP"),
    ({"active_directory_over_ldap": ldap_spec(server_endpoints=["https://dc1"])},
     "active_directory_over_ldap.server_endpoints[0]: 'https://dc1' is not a URL (ldap://... or ldaps://...)"),
    ({"oidc": {"discovery_endpoint": "https://i/x", "client_id": "c", "client_secret": SECRET,
               "claim_map": {"perms": ["a"]}}}, "oidc.claim_map.perms: must map each external group"),
    ({"upn_claim": " "}, "upn_claim: must not be empty"),
    ({"hostname": "https://vcenter.example.com"}, "hostname: give the host name only"),
])
def test_bad_input_fails_before_any_request(vc, args, message):
    vc.log()
    result = vc.provider(name="corp", **args)
    assert result["failed"] and message in result["msg"], result["msg"]
    assert vc.log() == []


def test_ansible_checks_the_required_suboptions(vc):
    result = vc.provider(name="corp", oidc={"discovery_endpoint": vc.discovery, "client_id": "c"})
    assert result["failed"] and "client_secret" in result["msg"]
    assert vc.log() == []


def test_missing_credentials_fail_before_any_request(vc):
    result = vc.run(__import__("test_vcenter_support").single_module, base=False, hostname="127.0.0.1",
                    name="corp")
    assert result["failed"] and "username and password are required" in result["msg"]
    assert vc.log() == []


# ----------------------------------------------------------------------------- sessions
def test_wrong_password_is_a_clear_failure(vc):
    result = vc.provider(name="corp", oidc=vc.oidc(), password="wrong-password")
    assert result["failed"]
    assert result["msg"].startswith("vCenter API POST /api/session failed: HTTP 401: UNAUTHENTICATED: ")
    assert "check username and password" in result["msg"]
    assert "wrong-password" not in json.dumps(result)
    assert vc.calls(vc.log()) == [("POST", "/api/session", 401)]


def test_every_task_logs_in_once_and_out_at_the_end(vc):
    vc.provider(name="corp", oidc=vc.oidc())
    log = vc.log()
    auth = [(e["method"], e["path"]) for e in log if e["kind"] == "auth"]
    assert auth == [("POST", "/api/session"), ("DELETE", "/api/session")]
    assert log[0]["path"] == "/api/session" and log[-1]["method"] == "DELETE"
    assert vc.sessions() == {}


def test_a_failed_task_logs_out_too(vc):
    vc.fault(method="POST", path="^%s$" % PROVIDERS, status=400, times=1)
    result = vc.provider(name="corp", oidc=vc.oidc())
    assert result["failed"] and "HTTP 400: INVALID_ARGUMENT: injected fault" in result["msg"]
    assert vc.sessions() == {}
    assert vc.log()[-1]["method"] == "DELETE"


def login(vc):
    vc_env = vc.env["vcenter"]
    request = urllib.request.Request(vc_env["url"] + "/api/session", method="POST", headers={
        "Authorization": "Basic " + base64.b64encode(("%s:%s" % (vc_env["username"], vc_env["password"]))
                                                     .encode()).decode()})
    with urllib.request.urlopen(request, context=vc.sim.pki.client_context()) as resp:
        assert resp.status == 201
        return json.loads(resp.read().decode())


def test_session_id_is_used_and_not_logged_out(vc):
    token = login(vc)
    vc.log()
    result = vc.run(__import__("test_vcenter_support").single_module, base=False, hostname=vc.base["hostname"],
                    port=vc.base["port"], ca_path=vc.base["ca_path"], session_id=token, name="corp", oidc=vc.oidc())
    assert result["changed"]
    assert [e for e in vc.log() if e["kind"] == "auth"] == []
    assert token in vc.sessions()
    assert "POST" not in result["api_calls"] or result["api_calls"]["POST"] == 1  # the create only
    assert_no_secret(result, token)
    assert vc.api._call("vcenter", "POST", "/sessions/expire")["expired"] == 1  # our own login, ended here


def test_session_id_that_vcenter_refuses_fails_clearly_without_a_login(vc):
    result = vc.provider(session_id="expired-session-token", name="corp", oidc=vc.oidc())
    assert result["failed"]
    assert "HTTP 401" in result["msg"] and "The session given in session_id (VMWARE_SESSION_ID) is not valid" in result["msg"]
    assert "expired-session-token" not in json.dumps(result)
    assert [e["method"] for e in vc.log()] == ["GET"]


def test_own_session_that_expires_mid_task_logs_in_again_once(vc):
    vc.reset({"p1": stored("corp", org_ids=["o1"])}, session_request_limit=2)
    result = vc.provider(name="corp", org_ids=["o2"])
    assert result["changed"], result
    log = vc.log()
    assert [(e["method"], e["status"]) for e in log] == [
        ("POST", 201), ("GET", 200), ("GET", 200), ("PATCH", 401), ("DELETE", 401), ("POST", 201), ("PATCH", 204),
        ("GET", 200), ("GET", 200), ("DELETE", 204)]
    assert vc.providers_state()["p1"]["org_ids"] == ["o2"]
    assert vc.sessions() == {}


def test_credentials_from_vmware_environment_variables(vc, monkeypatch):
    monkeypatch.setenv("VMWARE_HOST", vc.base["hostname"])
    monkeypatch.setenv("VMWARE_PORT", str(vc.base["port"]))
    monkeypatch.setenv("VMWARE_USER", vc.base["username"])
    monkeypatch.setenv("VMWARE_PASSWORD", vc.base["password"])
    result = vc.run(__import__("test_vcenter_support").single_module, base=False, ca_path=vc.base["ca_path"],
                    name="corp", oidc=vc.oidc())
    assert result["changed"] and vc.by_name("corp")
    assert_no_secret(result, vc.base["password"])


def test_validate_certs_from_the_environment(vc, monkeypatch):
    monkeypatch.setenv("VMWARE_VALIDATE_CERTS", "false")
    result = vc.provider(ca_path=None, name="corp", state="absent")
    assert not result.get("failed"), result
    monkeypatch.setenv("VMWARE_VALIDATE_CERTS", "true")
    refused = vc.provider(ca_path=vc.env["untrusted_ca_path"], name="corp", state="absent")
    assert refused["failed"] and "TLS verification failed" in refused["msg"]


# ----------------------------------------------------------------------------- transient errors
def test_503_is_retried(vc):
    vc.fault(method="GET", path="^%s$" % PROVIDERS, status=503, times=1, retry_after=0)
    result = vc.provider(name="corp", oidc=vc.oidc())
    assert result["changed"]
    assert any("HTTP 503; retrying" in w for w in result.get("warnings", []))
    assert [e["status"] for e in vc.log() if e["path"] == PROVIDERS and e["method"] == "GET"][:2] == [503, 200]


def test_403_names_the_privileges(vc):
    vc.fault(method="GET", path="^%s$" % PROVIDERS, status=403, times=1)
    result = vc.provider(name="corp", oidc=vc.oidc())
    assert result["failed"] and "HTTP 403: UNAUTHORIZED" in result["msg"]
    assert "VcIdentityProviders.Read" in result["msg"]


# ----------------------------------------------------------------------------- a create is never sent twice blindly
@pytest.mark.parametrize("fault", [
    {"status": 503, "retry_after": 0}, {"status": 429, "retry_after": 0}, {"status": 502}, {"status": 500},
    {"drop": True},
])
def test_a_create_that_landed_behind_an_error_is_not_sent_again(vc, fault):
    vc.fault(method="POST", path="^%s$" % PROVIDERS, when="after", times=1, **fault)
    result = vc.provider(name="corp", oidc=vc.oidc())
    assert result["changed"] and result["action"] == "created", result
    assert len(vc.providers_state()) == 1
    assert result["end_state"]["provider_id"] in vc.providers_state()
    assert any("a read shows the create was applied" in w for w in result["warnings"])
    assert [e["method"] for e in vc.writes(vc.log())] == ["POST"]


@pytest.mark.parametrize("status", [429, 503])
def test_a_create_refused_with_429_or_503_is_retried(vc, status):
    vc.fault(method="POST", path="^%s$" % PROVIDERS, status=status, retry_after=0, times=1)
    result = vc.provider(name="corp", oidc=vc.oidc())
    assert result["changed"] and len(vc.providers_state()) == 1
    assert any("a read shows the create was not applied; sending it again" in w for w in result["warnings"])
    assert [e["status"] for e in vc.log() if e["method"] == "POST" and e["path"] == PROVIDERS] == [status, 201]


def test_a_create_refused_with_502_fails_without_a_second_post(vc):
    vc.fault(method="POST", path="^%s$" % PROVIDERS, status=502, times=1)
    result = vc.provider(name="corp", oidc=vc.oidc())
    assert result["failed"] and "HTTP 502" in result["msg"] and vc.providers_state() == {}
    assert [e["status"] for e in vc.log() if e["method"] == "POST" and e["path"] == PROVIDERS] == [502]


def test_a_provider_created_by_a_concurrent_run_wins_and_ours_is_deleted(vc):
    app = vc.sim.apps["vcenter"]

    def other_run_creates():
        with app.lock:
            app.state["providers"]["other-run"] = stored("corp", client_id="vc-other")

    # our POST waits 0.6 s; meanwhile "another run" creates the same name (after our read found none)
    vc.fault(method="POST", path="^%s$" % PROVIDERS, delay=0.6, times=1)
    timer = threading.Timer(0.2, other_run_creates)
    timer.start()
    try:
        result = vc.provider(name="corp", oidc=vc.oidc())
    finally:
        timer.join()
    assert result["changed"], result
    assert list(vc.providers_state()) == ["other-run"]
    assert result["end_state"]["provider_id"] == "other-run"
    assert any("was created by another run at the same time" in w for w in result["warnings"])
    assert [e["method"] for e in vc.writes(vc.log())] == ["POST", "DELETE"]
