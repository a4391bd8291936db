# Copyright (c) sso.oidc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Conformance of the vCenter simulator to the vendor's spec (Swagger 2.0, vCenter 7.0.3 ``/api``).

The simulator checks every response it gives against the spec and records violations (the module
tests assert there are none). Here every operation and status is driven directly, and every
recorded exchange is validated once more by an independent validator written in this file:
the response against the operation's declared schema (``$ref`` resolved, no undeclared field),
and each request body the modules sent against CreateSpec / UpdateSpec.
"""

import base64
import copy
import json
import os
import re

import jsonschema
import pytest
import requests

from conftest import run_module as run_main
from simulators import vcenter as simmod

SPEC_FILE = os.path.join(os.path.dirname(__file__), "..", "..", "simulators", "specs",
                         "vcenter-identity-providers.swagger.json")
SHARED_SPEC = os.path.join(os.path.dirname(__file__), "..", "..", "..", "..", "shared", "specs",
                           "vcenter-identity-providers.swagger.json")
PROVIDERS = "/api/vcenter/identity/providers"
SECRET = "conformance-secret-01"
PEM = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----"


# ----------------------------------------------------------------------------- the independent validator
with open(SPEC_FILE) as _handle:
    SPEC = json.load(_handle)


def _closed(schema):
    if isinstance(schema, dict):
        out = dict((k, _closed(v)) for k, v in schema.items())
        if "properties" in out and "additionalProperties" not in out:
            out["additionalProperties"] = False
        return out
    if isinstance(schema, list):
        return [_closed(v) for v in schema]
    return schema


DEFINITIONS = _closed(SPEC["definitions"])
GENERAL = {401: "VapiStdErrorsUnauthenticated"}


def operation(method, path):
    for template, ops in SPEC["paths"].items():
        if template.startswith("/api/") and re.match("^" + re.sub(r"\{[^}]+\}", "[^/]+", template) + "$", path):
            return template, ops.get(method.lower())
    return None, None


def validate_exchange(ex, relaxed=False):
    template, op = operation(ex["method"], ex["path"])
    assert op is not None, "%s %s is not in the spec" % (ex["method"], ex["path"])
    declared = op["responses"].get(str(ex["status"]))
    if declared is None:
        assert ex["status"] in GENERAL, "HTTP %s is not declared for %s %s" % (ex["status"], ex["method"], template)
        declared = {"schema": {"$ref": "#/definitions/" + GENERAL[ex["status"]]}}
    if "schema" not in declared:
        assert not ex["has_body"], "%s %s %s must have no body" % (ex["method"], template, ex["status"])
        return
    definitions = DEFINITIONS
    if relaxed:
        definitions = copy.deepcopy(DEFINITIONS)
        for name in ("VcenterIdentityProvidersOidcInfo", "VcenterIdentityProvidersOauth2Info",
                     "VcenterIdentityProvidersActiveDirectoryOverLdap"):
            definitions[name]["required"] = [r for r in definitions[name]["required"]
                                             if r not in ("client_secret", "password")]
    jsonschema.validate(ex["body"], dict(declared["schema"], definitions=definitions),
                        cls=jsonschema.Draft4Validator)
    assert ex["content_type"] == "application/json"
    if ex["method"] in ("POST", "PATCH") and ex["path"].startswith(PROVIDERS) and ex["status"] < 300:
        body_schema = [p for p in op["parameters"] if p["in"] == "body"][0]["schema"]
        jsonschema.validate(ex["request"], dict(body_schema, definitions=DEFINITIONS), cls=jsonschema.Draft4Validator)


# ----------------------------------------------------------------------------- the simulator, directly
class Api(object):
    def __init__(self, sim):
        self.app = sim.apps["vcenter"]
        self.env = sim.describe()
        self.url = self.app.url
        self.verify = sim.pki.ca_path
        self.token = None

    def call(self, method, path, body=None, session=True, headers=None):
        sent = dict(headers or {})
        if session and self.token:
            sent["vmware-api-session-id"] = self.token
        kwargs = {"headers": sent, "verify": self.verify, "timeout": 10}
        if body is not None:
            kwargs["json"] = body
        return requests.request(method, self.url + path, **kwargs)

    def login(self, password=None):
        vc = self.env["vcenter"]
        raw = "%s:%s" % (vc["username"], password or vc["password"])
        return self.call("POST", "/api/session", session=False,
                         headers={"Authorization": "Basic " + base64.b64encode(raw.encode()).decode()})

    def oidc_spec(self, **extra):
        spec = {"config_tag": "Oidc", "name": "corp", "oidc": {
            "discovery_endpoint": self.env["oidc"]["discovery_url"], "client_id": "vc", "client_secret": SECRET,
            "claim_map": {"perms": {"Admins": ["vsphere.local\\Administrators"]}}}}
        spec.update(extra)
        return spec


@pytest.fixture
def api(sim, sim_api):
    sim_api.reset("vcenter")
    sim_api.config("vcenter", record_exchanges=True)
    client = Api(sim)
    yield client
    exchanges = list(client.app.exchanges)
    violations = list(client.app.violations)
    sim_api.reset("vcenter")
    assert not violations, violations
    assert exchanges


def exchanges_of(api):
    return list(api.app.exchanges)


def test_the_spec_copy_is_the_vendor_spec():
    if not os.path.exists(SHARED_SPEC):
        pytest.skip("the shared spec folder is not part of the repository")
    with open(SHARED_SPEC) as handle:
        assert json.load(handle) == SPEC


def test_sessions(api):
    assert api.login("wrong").status_code == 401
    resp = api.login()
    assert resp.status_code == 201 and isinstance(resp.json(), str)
    api.token = resp.json()
    info = api.call("GET", "/api/session")
    assert info.status_code == 200 and info.json()["user"] == api.env["vcenter"]["username"]
    assert api.call("DELETE", "/api/session").status_code == 204
    assert api.call("DELETE", "/api/session").status_code == 401
    assert api.call("GET", "/api/session").status_code == 401
    for ex in exchanges_of(api):
        validate_exchange(ex)
    unauth = [ex for ex in exchanges_of(api) if ex["status"] == 401]
    assert all(ex["body"]["error_type"] == "UNAUTHENTICATED" for ex in unauth)


def test_every_provider_operation_and_status(api):
    assert api.call("GET", PROVIDERS).status_code == 401  # no session
    api.token = api.login().json()
    created = api.call("POST", PROVIDERS, api.oidc_spec(domain_names=["corp.example.com"], upn_claim="upn",
                                                        auth_query_params={"prompt": ["login"]}))
    assert created.status_code == 201
    pid = created.json()
    oauth = api.call("POST", PROVIDERS, {
        "config_tag": "Oauth2", "name": "oauth", "is_default": True, "org_ids": ["o1"],
        "oauth2": {"auth_endpoint": "https://idp.example.com/a", "token_endpoint": "https://idp.example.com/t",
                   "public_key_uri": "https://idp.example.com/k", "client_id": "c", "client_secret": SECRET,
                   "claim_map": {}, "issuer": "https://idp.example.com", "authentication_method": "CLIENT_SECRET_POST",
                   "auth_query_params": {"x": []}}})
    assert oauth.status_code == 201
    ldap = api.call("POST", PROVIDERS, api.oidc_spec(name="adfs", idm_protocol="LDAP", groups_claim="group",
                                                     active_directory_over_ldap={
                                                         "user_name": "u", "password": "bind-pass",
                                                         "users_base_dn": "ou=u", "groups_base_dn": "ou=g",
                                                         "server_endpoints": ["ldaps://dc:636"],
                                                         "cert_chain": {"cert_chain": [PEM]}}))
    assert ldap.status_code == 201
    listed = api.call("GET", PROVIDERS).json()
    assert [p["name"] for p in listed] == ["corp", "oauth", "adfs"]
    assert [p["is_default"] for p in listed] == [False, True, False]
    for provider in listed:
        assert api.call("GET", "%s/%s" % (PROVIDERS, provider["provider"])).status_code == 200
    assert api.call("PATCH", "%s/%s" % (PROVIDERS, pid), {"config_tag": "Oidc", "make_default": True,
                                                          "reset_upn_claim": True}).status_code == 204
    info = api.call("GET", "%s/%s" % (PROVIDERS, pid)).json()
    assert info["is_default"] is True and info["upn_claim"] == "acct"
    assert info["domain_names"] == ["corp.example.com"]  # unset fields unchanged
    # errors
    assert api.call("POST", PROVIDERS, {"config_tag": "Oidc"}).status_code == 400
    assert api.call("POST", PROVIDERS, {"config_tag": "Oidc", "unknown": 1}).status_code == 400
    assert api.call("POST", PROVIDERS, {"config_tag": "Saml"}).status_code == 400
    assert api.call("POST", PROVIDERS, api.oidc_spec(oidc={"discovery_endpoint": api.env["oidc"]["issuer"] + "/x",
                                                           "client_id": "c", "client_secret": SECRET,
                                                           "claim_map": {}})).status_code == 400
    assert api.call("PATCH", "%s/%s" % (PROVIDERS, pid), {"name": "no tag"}).status_code == 400
    assert api.call("PATCH", "%s/%s" % (PROVIDERS, pid), {"config_tag": "Oauth2"}).status_code == 400
    assert api.call("PATCH", "%s/nope" % PROVIDERS, {"config_tag": "Oidc"}).status_code == 404
    assert api.call("GET", "%s/nope" % PROVIDERS).status_code == 404
    assert api.call("DELETE", "%s/nope" % PROVIDERS).status_code == 404
    assert api.call("DELETE", "%s/%s" % (PROVIDERS, pid)).status_code == 204
    assert len(api.call("GET", PROVIDERS).json()) == 2
    statuses = set()
    for ex in exchanges_of(api):
        validate_exchange(ex)
        statuses.add((ex["method"], ex["status"]))
    assert {("POST", 201), ("POST", 400), ("GET", 200), ("GET", 401), ("GET", 404), ("PATCH", 204), ("PATCH", 400),
            ("PATCH", 404), ("DELETE", 204), ("DELETE", 404)} <= statuses


def test_list_without_a_session_when_configured(api, sim_api):
    assert api.call("GET", PROVIDERS).status_code == 401
    sim_api.config("vcenter", list_requires_auth=False)
    resp = api.call("GET", PROVIDERS)
    assert resp.status_code == 200 and resp.json() == []
    assert api.call("GET", PROVIDERS + "/x").status_code == 401  # only the list
    for ex in exchanges_of(api):
        validate_exchange(ex)


def test_discovery_failure_is_invalid_argument_and_writes_nothing(api):
    api.token = api.login().json()
    resp = api.call("POST", PROVIDERS, api.oidc_spec(oidc={
        "discovery_endpoint": api.env["oidc"]["issuer"] + "/missing/.well-known/openid-configuration",
        "client_id": "c", "client_secret": SECRET, "claim_map": {}}))
    assert resp.status_code == 400
    body = resp.json()
    assert body["error_type"] == "INVALID_ARGUMENT"
    assert body["messages"][0]["default_message"].startswith("Unable to retrieve the OIDC provider metadata")
    assert api.app.state["providers"] == {}


def test_discovery_fills_the_summary_and_info_from_the_real_provider(api):
    api.token = api.login().json()
    pid = api.call("POST", PROVIDERS, api.oidc_spec()).json()
    doc = requests.get(api.env["oidc"]["discovery_url"], verify=api.verify, timeout=10).json()
    summary = api.call("GET", PROVIDERS).json()[0]["oidc"]
    info = api.call("GET", "%s/%s" % (PROVIDERS, pid)).json()["oidc"]
    assert summary["auth_endpoint"] == info["auth_endpoint"] == doc["authorization_endpoint"]
    assert summary["token_endpoint"] == info["token_endpoint"] == doc["token_endpoint"]
    assert info["public_key_uri"] == doc["jwks_uri"] and info["issuer"] == doc["issuer"]
    assert summary["logout_endpoint"] == doc["end_session_endpoint"]
    assert summary["authentication_header"] == "Authorization: Basic " + base64.b64encode(
        ("vc:%s" % SECRET).encode()).decode()


@pytest.mark.parametrize("visibility", ["clear", "masked", "omitted"])
def test_secret_visibility_settings(api, sim_api, visibility):
    sim_api.config("vcenter", secret_visibility=visibility, header_visibility="masked")
    api.token = api.login().json()
    pid = api.call("POST", PROVIDERS, api.oidc_spec(idm_protocol="LDAP", active_directory_over_ldap={
        "user_name": "u", "password": "bind-pass", "users_base_dn": "ou=u", "groups_base_dn": "ou=g",
        "server_endpoints": ["ldap://dc:389"]})).json()
    info = api.call("GET", "%s/%s" % (PROVIDERS, pid)).json()
    expected = {"clear": SECRET, "masked": "******", "omitted": None}[visibility]
    assert info["oidc"].get("client_secret") == expected
    assert info["active_directory_over_ldap"].get("password") == {"clear": "bind-pass", "masked": "******",
                                                                  "omitted": None}[visibility]
    assert api.call("GET", PROVIDERS).json()[0]["oidc"]["authentication_header"] == "******"
    for ex in exchanges_of(api):
        # "omitted" leaves out fields the 7.0.3 spec requires: the point of the setting (UNCONFIRMED)
        validate_exchange(ex, relaxed=visibility == "omitted")
    if visibility == "omitted":
        with pytest.raises(jsonschema.ValidationError):
            validate_exchange([ex for ex in exchanges_of(api) if ex["method"] == "GET" and pid in ex["path"]][0])


def test_the_simulator_itself_flags_a_nonconforming_response():
    assert simmod.response_problems("GET", PROVIDERS, 200, [{"provider": "p"}], True)
    assert simmod.response_problems("DELETE", PROVIDERS + "/p", 204, None, True)
    assert simmod.response_problems("DELETE", PROVIDERS + "/p", 418, None, False)
    assert simmod.response_problems("GET", PROVIDERS + "/p", 200, {"org_ids": [], "config_tag": "Oidc",
                                                                   "is_default": True, "extra": 1}, True)
    assert simmod.response_problems("GET", PROVIDERS, 401, {"error_type": "UNAUTHENTICATED", "messages": []}, True) == []


# ----------------------------------------------------------------------------- the modules, through the simulator
def run_module(module, capsys, **params):
    return run_main(capsys, module, params)


def test_everything_the_modules_send_and_receive_conforms(api, capsys):
    from ansible_collections.sso.oidc.plugins.modules import vcenter_identity_provider as single
    from ansible_collections.sso.oidc.plugins.modules import vcenter_identity_provider_info as info
    from ansible_collections.sso.oidc.plugins.modules import vcenter_identity_providers as many

    vc = api.env["vcenter"]
    conn = {"hostname": vc["hostname"], "port": vc["port"], "username": vc["username"], "password": vc["password"],
            "ca_path": api.env["ca_path"]}
    oidc = {"discovery_endpoint": api.env["oidc"]["discovery_url"], "client_id": "vc", "client_secret": SECRET}
    steps = [
        (single, dict(name="corp", oidc=oidc, domain_names=["corp.example.com"], upn_claim="upn")),
        (single, dict(name="corp", oidc=dict(oidc, claim_map={"perms": {"g": ["vsphere.local\\Admins"]}}),
                      groups_claim="", org_ids=["o1"], auth_query_params={"prompt": "login"})),
        (many, dict(config=[{"name": "corp", "is_default": True},
                            {"name": "ldap", "oidc": oidc, "idm_protocol": "LDAP", "active_directory_over_ldap": {
                                "user_name": "u", "password": "bind-pass", "users_base_dn": "ou=u",
                                "groups_base_dn": "ou=g", "server_endpoints": ["ldaps://dc:636"], "cert_chain": [PEM]}},
                            {"name": "scim", "oidc": oidc, "idm_protocol": "SCIM2_0",
                             "idm_endpoints": ["https://scim.example.com"]}])),
        (many, dict(state="gathered")),
        (info, dict()),
        (many, dict(state="overridden", config=[{"name": "corp", "oidc": oidc}])),
        (single, dict(name="corp", state="absent")),
    ]
    for module, params in steps:
        result = run_module(module, capsys, **dict(conn, **params))
        assert not result.get("failed"), result
    seen = set()
    for ex in exchanges_of(api):
        validate_exchange(ex)
        seen.add((ex["method"], operation(ex["method"], ex["path"])[0]))
    assert seen == {("POST", "/api/session"), ("DELETE", "/api/session"), ("GET", PROVIDERS), ("POST", PROVIDERS),
                    ("GET", PROVIDERS + "/{provider}"), ("PATCH", PROVIDERS + "/{provider}"),
                    ("DELETE", PROVIDERS + "/{provider}")}
    assert api.app.state["sessions"] == {}


# ----------------------------------------------------------------------------- API releases (api_version)
def test_the_version_document_names_each_release(api, sim_api):
    for release, vim in (("7.0.3", "7.0.3.0"), ("8.0.1", "8.0.1.0"), ("9.0", "9.0.0.0")):
        sim_api.config("vcenter", api_version=release)
        response = api.call("GET", "/sdk/vimServiceVersions.xml", session=False)
        assert response.status_code == 200 and response.headers["Content-Type"] == "text/xml"
        assert "<name>urn:vim25</name>\n  <version>%s</version>" % vim in response.text
    sim_api.config("vcenter", version_document=False)
    assert api.call("GET", "/sdk/vimServiceVersions.xml", session=False).status_code == 404
    api.token = api.login().json()  # the fixture wants an exchange of the API


@pytest.mark.parametrize("release,accepted,refused", [
    ("7.0.3", [], ["DIRECT_FEDERATION"]),
    ("8.0.1", ["DIRECT_FEDERATION", "INDIRECT_FEDERATION"], ["VMWARE_SSO_FEDERATION"]),
    ("9.0", ["DIRECT_FEDERATION", "INDIRECT_FEDERATION", "VMWARE_SSO_FEDERATION"], []),
])
def test_federation_type_per_release(api, sim_api, release, accepted, refused):
    sim_api.config("vcenter", api_version=release)
    api.token = api.login().json()
    for value in refused:
        response = api.call("POST", PROVIDERS, api.oidc_spec(federation_type=value))
        assert response.status_code == 400 and response.json()["error_type"] == "INVALID_ARGUMENT"
        assert "federation_type" in response.json()["messages"][0]["default_message"]
    for value in accepted:
        pid = api.call("POST", PROVIDERS, api.oidc_spec(federation_type=value)).json()
        assert api.call("GET", PROVIDERS + "/" + pid).json()["federation_type"] == value
        listed = [s for s in api.call("GET", PROVIDERS).json() if s["provider"] == pid]
        assert listed[0]["federation_type"] == value
        assert api.call("PATCH", PROVIDERS + "/" + pid, {"config_tag": "Oidc", "federation_type": accepted[0]}) \
            .status_code == 204
        assert api.call("GET", PROVIDERS + "/" + pid).json()["federation_type"] == accepted[0]
    if release == "7.0.3":
        pid = api.call("POST", PROVIDERS, api.oidc_spec()).json()
        assert "federation_type" not in api.call("GET", PROVIDERS + "/" + pid).json()


def test_ignored_fields_are_accepted_and_not_kept(api, sim_api):
    sim_api.config("vcenter", ignored_fields=["upn_claim"])
    api.token = api.login().json()
    pid = api.call("POST", PROVIDERS, api.oidc_spec(upn_claim="upn")).json()
    assert api.call("GET", PROVIDERS + "/" + pid).json()["upn_claim"] == "acct"
    assert api.call("PATCH", PROVIDERS + "/" + pid, {"config_tag": "Oidc", "upn_claim": "email"}).status_code == 204
    assert api.call("GET", PROVIDERS + "/" + pid).json()["upn_claim"] == "acct"
