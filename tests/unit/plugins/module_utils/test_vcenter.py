# Copyright (c) sso.oidc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""_vcenter_resource and _vcenter_connection: normalisation, payloads, validation, error parsing and the
connection (no network)."""

import base64
import json

import pytest

from ansible_collections.sso.oidc.plugins.module_utils import _vcenter_connection as vconn
from ansible_collections.sso.oidc.plugins.module_utils import _vcenter_resource as vc
from ansible_collections.sso.oidc.plugins.module_utils._http import MASK, Response, Scrubber
from ansible_collections.sso.oidc.plugins.module_utils._reconcile import Engine, InputError, ItemFailure, Task

SECRET = "client-secret-1234"
DISCOVERY = "https://idp.example.com/.well-known/openid-configuration"


def basic(client_id, secret):
    return "Authorization: Basic " + base64.b64encode(("%s:%s" % (client_id, secret)).encode()).decode()


def summary(pid="p1", name="corp", header=None, **extra):
    out = {"provider": pid, "name": name, "config_tag": "Oidc", "is_default": False, "domain_names": [],
           "auth_query_params": {},
           "oidc": {"discovery_endpoint": DISCOVERY, "auth_endpoint": "https://idp.example.com/auth",
                    "token_endpoint": "https://idp.example.com/token", "client_id": "vc",
                    "authentication_header": basic("vc", SECRET) if header is None else header,
                    "auth_query_params": {}}}
    out.update(extra)
    return out


def info(secret=SECRET, **extra):
    out = {"name": "corp", "config_tag": "Oidc", "is_default": False, "org_ids": ["o1"], "domain_names": [],
           "auth_query_params": {}, "upn_claim": "acct",
           "oidc": {"discovery_endpoint": DISCOVERY, "auth_endpoint": "https://idp.example.com/auth",
                    "token_endpoint": "https://idp.example.com/token", "public_key_uri": "https://idp.example.com/k",
                    "client_id": "vc", "claim_map": {"perms": {"g": ["b", "a"]}}, "issuer": "https://idp.example.com",
                    "authentication_method": "CLIENT_SECRET_BASIC", "auth_query_params": {}}}
    if secret is not None:
        out["oidc"]["client_secret"] = secret
    out.update(extra)
    return out


def task_for(state="merged", entries=(), update_secret="on_create", protected=(), add_secret=None):
    warnings = []
    task = Task(state=state, entries=list(entries), update_secret=update_secret, protected=protected,
                warn=warnings.append, add_secret=add_secret)
    task.warnings = warnings
    return task


def resource(conn=None):
    return vc.IdentityProvider(conn)


def entry(**options):
    base = dict((k, None) for k in vc.resource_options())
    base.update(recreate=False)
    base.update(options)
    return base


def oidc(**extra):
    spec = {"discovery_endpoint": DISCOVERY, "client_id": "vc", "client_secret": SECRET, "claim_map": None}
    spec.update(extra)
    return spec


# ----------------------------------------------------------------------------- errors
def test_vapi_error_text_and_type():
    body = {"error_type": "INVALID_ARGUMENT", "messages": [
        {"id": "a", "default_message": "Bad discovery endpoint.", "args": []},
        {"id": "b", "default_message": "Connection refused.", "args": []}]}
    text, code = vconn.parse_error(Response(400, {}, json.dumps(body)))
    assert text == "INVALID_ARGUMENT: Bad discovery endpoint.; Connection refused." and code == "INVALID_ARGUMENT"


def test_legacy_rest_error_is_understood():
    body = {"type": "com.vmware.vapi.std.errors.not_found",
            "value": {"messages": [{"id": "x", "default_message": "Not there.", "args": []}]}}
    assert vconn.parse_error(Response(404, {}, json.dumps(body))) == ("NOT_FOUND: Not there.", "NOT_FOUND")


def test_non_vapi_bodies_leave_the_default_text():
    assert vconn.parse_error(Response(502, {}, "<html>bad gateway</html>")) == (None, None)
    assert vconn.parse_error(Response(500, {}, json.dumps({"error_type": "ERROR"}))) == ("ERROR", "ERROR")


# ----------------------------------------------------------------------------- secrets in headers
@pytest.mark.parametrize("header,client_id,expected", [
    (basic("vc", SECRET), "vc", SECRET),
    (basic("vc", SECRET)[len("Authorization: "):], "vc", SECRET),
    (basic("vc", "a:b:c"), "vc", "a:b:c"),
    (basic("other", SECRET), "vc", None),
    (basic("v%40c", "s%3Acret"), "v@c", "s:cret"),
    ("client_id=vc&client_secret=%s" % SECRET, "vc", SECRET),
    ("client_id=other&client_secret=%s" % SECRET, "vc", None),
    ("******", "vc", None),
    ("Basic !!!notbase64", "vc", None),
    ("Bearer abc", "vc", None),
    ("", "vc", None),
    (None, "vc", None),
])
def test_header_secret(header, client_id, expected):
    assert vc.header_secret(header, client_id) == expected


@pytest.mark.parametrize("value,masked", [
    ("******", True), ("********", True), ("", True), (None, True), ("<masked>", True), ("REDACTED", True),
    ("\u2022\u2022\u2022", True), ("s3cret", False), ("*s3cret*", False),
])
def test_is_masked(value, masked):
    assert vc._is_masked(value) is masked


# ----------------------------------------------------------------------------- connection
@pytest.mark.parametrize("host,port,url", [
    ("vcenter.example.com", 443, "https://vcenter.example.com"),
    ("vcenter.example.com", 8443, "https://vcenter.example.com:8443"),
    ("10.0.0.5", 443, "https://10.0.0.5"),
    ("fe80::1", 443, "https://[fe80::1]"),
    ("[fe80::1]", 8443, "https://[fe80::1]:8443"),
])
def test_base_url(host, port, url):
    assert vconn.base_url(host, port) == url


@pytest.mark.parametrize("host,port,message", [
    ("https://vcenter.example.com", 443, "hostname: give the host name only"),
    ("vcenter.example.com/ui", 443, "hostname: give the host name only"),
    ("vcenter.example.com:8443", 443, "hostname: 'vcenter.example.com:8443' holds a port"),
    ("", 443, "hostname: give the vCenter host name"),
    ("vcenter", 0, "port: 0 is not a TCP port"),
    ("vcenter", 70000, "port: 70000 is not a TCP port"),
])
def test_base_url_refuses(host, port, message):
    with pytest.raises(InputError, match=message.replace("(", r"\(")):
        vconn.base_url(host, port)


def connection(**params):
    base = {"hostname": "vcenter.example.com", "port": 443, "username": "u", "password": "pw-1234",
            "validate_certs": True, "ca_path": None, "timeout": 30, "session_id": None}
    base.update(params)
    return vconn.VcenterConnection(base, scrubber=Scrubber())


def test_connection_needs_credentials_or_a_session():
    with pytest.raises(InputError, match="username and password are required"):
        connection(username=None)
    with pytest.raises(InputError, match="username and password are required"):
        connection(password=None)
    conn = connection(username=None, password=None, session_id="tok-1234")
    assert conn.token == "tok-1234" and not conn.own


def test_connection_never_touches_the_network_until_a_request():
    conn = connection()
    assert conn.client.counts == {} and conn.token is None
    assert conn.client.base_url == "https://vcenter.example.com"


def test_a_given_session_is_scrubbed_and_not_logged_out():
    conn = connection(session_id="given-session-token")
    assert conn.client.scrub("x given-session-token y") == "x ******** y"
    assert conn._reauth() is False
    conn.close()
    assert conn.client.counts == {}  # no DELETE /api/session for a session we did not open


# ----------------------------------------------------------------------------- specs
def test_every_secret_option_has_no_log():
    spec = vc.resource_options()
    assert spec["oidc"]["options"]["client_secret"]["no_log"] is True
    assert spec["oauth2"]["options"]["client_secret"]["no_log"] is True
    assert spec["active_directory_over_ldap"]["options"]["password"]["no_log"] is True
    conn = vconn.connection_options()
    assert conn["password"]["no_log"] is True and conn["session_id"]["no_log"] is True
    set_spec = vc.SET.module_spec()["argument_spec"]
    assert set_spec["config"]["options"]["oidc"]["options"]["client_secret"]["no_log"] is True
    assert "update_secret" not in set_spec["config"]["options"] and set_spec["update_secret"]["default"] == "on_create"


def test_connection_env_fallbacks():
    spec = vconn.connection_options()
    assert {k: spec[k]["fallback"][1] for k in spec if "fallback" in spec[k]} == {
        "hostname": ["VMWARE_HOST"], "username": ["VMWARE_USER"], "password": ["VMWARE_PASSWORD"],
        "port": ["VMWARE_PORT"], "validate_certs": ["VMWARE_VALIDATE_CERTS"], "session_id": ["VMWARE_SESSION_ID"]}


# ----------------------------------------------------------------------------- desired
def test_desired_normalises_the_options():
    res = resource()
    want = res.desired(task_for(), entry(
        name="corp", oidc=oidc(claim_map={"perms": {"g": ["b", "a", "a"], "h": "x"}}),
        domain_names=["B.example.com", "a.example.com", "a.example.com "],
        org_ids=["o2", "o1"], auth_query_params={"prompt": "login", "x": None, "y": ["2", "1"]}))
    assert want == {
        "name": "corp", "config_tag": "oidc", "domain_names": ["a.example.com", "b.example.com"],
        "org_ids": ["o1", "o2"], "auth_query_params": {"prompt": ["login"], "x": [], "y": ["1", "2"]},
        "oidc": {"discovery_endpoint": DISCOVERY, "client_id": "vc", "client_secret": SECRET,
                 "claim_map": {"perms": {"g": ["a", "b"], "h": ["x"]}}}}


def test_desired_infers_the_kind_and_keeps_unset_options_out():
    res, task = resource(), task_for()
    assert res.desired(task, entry(name="x", oauth2={"client_id": "c"}))["config_tag"] == "oauth2"
    assert "config_tag" not in res.desired(task, entry(name="x", domain_names=[]))
    assert res.desired(task, entry(name="x", domain_names=[])) == {"name": "x", "domain_names": []}


def test_desired_for_replaced_adds_the_nested_defaults():
    res, task = resource(), task_for(state="replaced")
    want = res.desired(task, entry(name="x", oidc=oidc()))
    assert want["oidc"]["claim_map"] == {}
    want = res.desired(task, entry(name="x", oauth2={"client_id": "c", "auth_query_params": None}))
    assert want["oauth2"]["claim_map"] == {} and want["oauth2"]["auth_query_params"] == {}


def test_desired_does_not_crash_on_input_validate_will_refuse():
    res = resource()
    assert res.desired(task_for(), entry(name="x", auth_query_params="a=b"))["auth_query_params"] == "a=b"


# ----------------------------------------------------------------------------- normalize
def test_normalize_summary_only():
    res = resource()
    canon = res.normalize(task_for(), {"summary": summary(domain_names=["B.example.com"], is_default=True),
                                       "info": None})
    assert canon == {"provider_id": "p1", "name": "corp", "config_tag": "oidc", "is_default": True,
                     "domain_names": ["b.example.com"], "auth_query_params": {},
                     "oidc": {"discovery_endpoint": DISCOVERY, "client_id": "vc", "client_secret": SECRET}}


def test_normalize_with_details():
    res = resource()
    ldap = {"user_name": "u", "password": "******", "users_base_dn": "ou=u", "groups_base_dn": "ou=g",
            "server_endpoints": ["ldaps://dc:636"], "cert_chain": {"cert_chain": ["PEM\r\n"]}}
    canon = res.normalize(task_for(), {"summary": summary(), "info": info(
        groups_claim="groups", idm_protocol="LDAP", active_directory_over_ldap=ldap)})
    assert canon["org_ids"] == ["o1"] and canon["upn_claim"] == "acct" and canon["groups_claim"] == "groups"
    assert canon["oidc"]["claim_map"] == {"perms": {"g": ["a", "b"]}}
    assert canon["idm_protocol"] == "LDAP"
    assert canon["active_directory_over_ldap"] == {"user_name": "u", "users_base_dn": "ou=u", "groups_base_dn": "ou=g",
                                                   "server_endpoints": ["ldaps://dc:636"], "cert_chain": ["PEM"],
                                                   "password": MASK}
    assert "idm_endpoints" not in canon


@pytest.mark.parametrize("shown,header,expected", [
    (SECRET, "******", SECRET),          # details in clear
    ("******", None, SECRET),            # masked, but the header reveals it
    (None, None, SECRET),                # omitted, header reveals it
    ("******", "******", MASK),          # nowhere: "set, not shown"
    (None, "******", MASK),
])
def test_normalize_secret_sources(shown, header, expected):
    res = resource()
    canon = res.normalize(task_for(), {"summary": summary(header=header), "info": info(secret=shown)})
    assert canon["oidc"]["client_secret"] == expected


def test_normalize_uses_a_secret_sent_in_this_run_when_vcenter_hides_it():
    res, task = resource(), task_for()
    task.memo[vc.SENT] = {("p1", "oidc.client_secret"): "just-sent-secret"}
    canon = res.normalize(task, {"summary": summary(header="******"), "info": info(secret="******")})
    assert canon["oidc"]["client_secret"] == "just-sent-secret"
    # a secret sent in another task is not known here: the resource keeps nothing between tasks
    assert res.normalize(task_for(), {"summary": summary(header="******"),
                                      "info": info(secret="******")})["oidc"]["client_secret"] == MASK


def test_normalize_registers_learned_secrets_for_scrubbing():
    learned = []
    res = resource()
    res.normalize(task_for(state="gathered", add_secret=learned.append), {"summary": summary(), "info": info()})
    assert SECRET in learned and basic("vc", SECRET) in learned


def test_normalize_oauth2():
    res = resource()
    raw = {"summary": {"provider": "p2", "name": "o", "config_tag": "Oauth2", "is_default": False,
                       "oauth2": {"auth_endpoint": "https://a", "token_endpoint": "https://t", "client_id": "c",
                                  "authentication_header": "", "auth_query_params": {"s": ["x"]}}},
           "info": None}
    canon = res.normalize(task_for(), raw)
    assert canon["config_tag"] == "oauth2"
    assert canon["oauth2"] == {"auth_endpoint": "https://a", "token_endpoint": "https://t", "client_id": "c",
                               "auth_query_params": {"s": ["x"]}, "client_secret": MASK}


def test_view_adds_the_discovered_fields_masked():
    res = resource()
    view = res.view(task_for(state="gathered"), {"summary": summary(), "info": info()})
    assert view["oidc"]["issuer"] == "https://idp.example.com"
    assert view["oidc"]["public_key_uri"] == "https://idp.example.com/k"
    assert view["oidc"]["authentication_header"] == MASK and view["oidc"]["client_secret"] == MASK


# ----------------------------------------------------------------------------- compare
def item(raw):
    return {"raw": raw, "canon": resource().normalize(task_for(), raw)}


def test_equal_compares_only_the_subfields_set():
    res, task = resource(), task_for()
    have = item({"summary": summary(), "info": info()})
    sub = have["canon"]["oidc"]
    assert res.equal(task, "oidc", {"client_id": "vc"}, sub, have)
    assert not res.equal(task, "oidc", {"client_id": "other"}, sub, have)
    assert res.equal(task, "oidc", {"client_secret": SECRET}, sub, have)
    assert not res.equal(task, "oidc", {"client_secret": "another-1"}, sub, have)


@pytest.mark.parametrize("policy,have,want,equal", [
    ("on_create", MASK, "x-1234", True),
    ("always", MASK, "x-1234", False),
    ("on_create", "x-1234", "x-1234", True),
    ("always", "x-1234", "x-1234", True),   # shown: compared, the policy does not matter
    ("on_create", "x-1234", "y-1234", False),
])
def test_secret_policy(policy, have, want, equal):
    assert vc.secret_equal(task_for(update_secret=policy), want, have) is equal


def test_is_default_false_on_the_default_warns_and_is_equal():
    res, task = resource(), task_for(entries=[entry(name="a", is_default=False)])
    default = item({"summary": summary("p1", "a", is_default=True), "info": None})
    assert res.equal(task, "is_default", False, True, default)
    assert task.warnings and "'a' is the default provider" in task.warnings[0]
    assert not res.equal(task, "is_default", True, False, default)
    assert res.equal(task, "is_default", False, False, default)


def test_is_default_false_does_not_warn_when_another_entry_takes_the_flag():
    res = resource()
    task = task_for(entries=[entry(name="a", is_default=False), entry(name="b", is_default=True)])
    default = item({"summary": summary("p1", "a", is_default=True), "info": None})
    assert res.equal(task, "is_default", False, True, default) and task.warnings == []


def test_needs_info():
    res, task = resource(), task_for()
    s = summary()
    assert not res.needs_info(task, {"name": "corp", "domain_names": []}, s)
    assert not res.needs_info(task, {"name": "corp", "oidc": {"client_id": "vc", "client_secret": SECRET}}, s)
    assert res.needs_info(task, {"name": "corp", "oidc": {"client_secret": SECRET}}, summary(header="******"))
    assert res.needs_info(task, {"name": "corp", "oidc": {"claim_map": {}}}, s)
    assert res.needs_info(task, {"name": "corp", "upn_claim": "upn"}, s)
    old = summary()
    del old["domain_names"]
    assert res.needs_info(task, {"name": "corp", "domain_names": []}, old)  # an older vCenter's Summary lacks it
    assert not res.needs_info(task_for(state="deleted"), {"name": "corp", "upn_claim": "x"}, s)
    assert res.needs_info(task_for(state="replaced"), {"name": "corp"}, s)


# ----------------------------------------------------------------------------- keys
def test_match_by_name_id_and_ambiguity():
    res, task = resource(), task_for()
    existing = [item({"summary": summary("p1", "a"), "info": None}), item({"summary": summary("p2", "a"), "info": None}),
                item({"summary": summary("p3", "b"), "info": None})]
    assert res.match(task, {"name": "b"}, existing)["canon"]["provider_id"] == "p3"
    assert res.match(task, {"name": "zz"}, existing) is None
    assert res.match(task, {"name": "a", "provider_id": "p2"}, existing)["canon"]["provider_id"] == "p2"
    with pytest.raises(ItemFailure, match=r"name 'a' matches 2 identity providers \(provider_id p1, p2\)") as exc:
        res.match(task, {"name": "a"}, existing)
    assert exc.value.option == "provider_id"
    with pytest.raises(ItemFailure, match="provider_id 'p9': vCenter has no identity provider with this id"):
        res.match(task, {"provider_id": "p9"}, existing)
    assert res.match(task_for(state="deleted"), {"provider_id": "p9"}, existing) is None


def test_a_provider_protected_by_id_is_protected_by_its_name_after_the_first_read():
    client = FakeClient({vc.PROVIDERS_PATH: (200, [summary("p1", "a"), summary("p2", "b")])})
    res, task = resource(client), task_for(state="overridden", protected=["p2"])
    res.read_all(task)
    assert "b" in task.protected and "a" not in task.protected
    assert res.key_of({"name": "a", "provider_id": "p1"}) == "a" and res.key_of({"provider_id": "p1"}) == "p1"


def test_overridden_protects_the_names_the_task_lists():
    res = resource()
    task = task_for(state="overridden", entries=[entry(name="b"), entry(name="a"), entry(provider_id="p7")])
    assert res.builtin_keys(task) == ("a", "b")
    assert res.builtin_keys(task_for(state="merged", entries=[entry(name="a")])) == ()


# ----------------------------------------------------------------------------- payloads
def create(res, task, options, replacing=None):
    e = entry(**options)
    task.entries.append(e)
    want = res.desired(task, e)
    return want, res.create_payload(task, want, res.given(task, e), replacing=replacing)


def test_create_payload_and_mask():
    res, task = resource(), task_for()
    task.memo[vc.LIVE] = 1
    want, payload = create(res, task, dict(name="corp", oidc=oidc(), is_default=True, groups_claim="",
                                           upn_claim="upn", domain_names=["a.example.com"]))
    assert payload == {"config_tag": "Oidc", "name": "corp", "is_default": True, "upn_claim": "upn",
                       "domain_names": ["a.example.com"],
                       "oidc": {"discovery_endpoint": DISCOVERY, "client_id": "vc", "client_secret": SECRET,
                                "claim_map": {}}}
    assert res.mask_payload(payload)["oidc"]["client_secret"] == MASK
    assert payload["oidc"]["client_secret"] == SECRET
    assert res.predict(task, None, want, sorted(want), payload)["is_default"] is True


def test_create_without_a_spec_is_an_item_failure():
    res = resource()
    with pytest.raises(ItemFailure, match="creating it needs oidc") as exc:
        res.create_payload(task_for(), {"name": "x", "domain_names": []}, {"name": "x", "domain_names": []})
    assert exc.value.option == "oidc" and not isinstance(exc.value, InputError)


def test_predict_create_first_provider_is_default():
    res, task = resource(), task_for()
    task.memo[vc.LIVE] = 0
    want, payload = create(res, task, dict(name="a", oidc=oidc(), is_default=False))
    want_b, payload_b = create(res, task, dict(name="b", oidc=oidc()))
    # each prediction is that of its own create, whatever the order of the calls
    assert res.predict(task, None, want_b, [], payload_b)["is_default"] is False
    assert res.predict(task, None, want, [], payload)["is_default"] is True
    # a recreate replaces the only provider: the new one is the default again
    task.memo[vc.LIVE] = 1
    replaced = item({"summary": summary(), "info": None})
    want_c, payload_c = create(res, task, dict(name="c", oidc=oidc()), replacing=replaced)
    assert res.predict(task, None, want_c, [], payload_c)["is_default"] is True


def test_update_plan_sends_only_what_differs():
    res, task = resource(), task_for()
    have = item({"summary": summary(), "info": info(groups_claim="groups")})
    e = entry(name="corp", oidc=oidc(client_id="vc2"), is_default=True, groups_claim="",
              domain_names=["X.example.com"])
    task.entries.append(e)
    want = res.desired(task, e)
    changed = Engine(res, task).differences(have, want)
    assert changed == ["domain_names", "groups_claim", "is_default", "oidc"]
    payload = res.update_payload(task, have, want, changed, res.given(task, e))
    assert payload == {"config_tag": "Oidc", "domain_names": ["X.example.com"], "reset_groups_claim": True,
                       "make_default": True, "oidc": {"client_id": "vc2"}}
    predicted = res.predict(task, have, want, changed, payload)
    assert predicted["groups_claim"] == "" and predicted["is_default"] is True
    assert predicted["domain_names"] == ["x.example.com"]
    assert predicted["oidc"]["client_id"] == "vc2" and predicted["oidc"]["client_secret"] == SECRET


def test_update_plan_ldap_is_whole_and_keeps_the_chain():
    res, task = resource(), task_for()
    ldap = {"user_name": "u", "password": "******", "users_base_dn": "ou=u", "groups_base_dn": "ou=g",
            "server_endpoints": ["ldaps://dc1:636"], "cert_chain": {"cert_chain": ["PEM"]}}
    have = item({"summary": summary(), "info": info(idm_protocol="LDAP", active_directory_over_ldap=ldap)})
    e = entry(name="corp", active_directory_over_ldap={
        "user_name": "u", "password": "bind-pass-1", "users_base_dn": "ou=u", "groups_base_dn": "ou=g",
        "server_endpoints": ["ldaps://dc2:636"], "cert_chain": None})
    want = res.desired(task, e)
    payload = res.update_payload(task, have, want, ["active_directory_over_ldap"], res.given(task, e))
    assert payload["active_directory_over_ldap"] == {
        "user_name": "u", "password": "bind-pass-1", "users_base_dn": "ou=u", "groups_base_dn": "ou=g",
        "server_endpoints": ["ldaps://dc2:636"], "cert_chain": {"cert_chain": ["PEM"]}}
    predicted = res.predict(task, have, want, ["active_directory_over_ldap"], payload)
    assert predicted["active_directory_over_ldap"]["cert_chain"] == ["PEM"]
    assert res.mask_payload(payload)["active_directory_over_ldap"]["password"] == MASK


def test_recreate_needed_only_for_a_kind_change():
    res, task = resource(), task_for()
    have = item({"summary": summary(), "info": None})
    assert res.recreate_needed(task, have, {"config_tag": "oauth2"}) == ["config_tag"]
    assert res.recreate_needed(task, have, {"config_tag": "oidc"}) == []
    assert res.recreate_needed(task, have, {"name": "x"}) == []


# ----------------------------------------------------------------------------- validation
@pytest.mark.parametrize("options,message", [
    ({}, "config[0].name: set name (or provider_id)"),
    ({"name": " "}, "config[0].name: must not be empty"),
    ({"name": "a", "oidc": oidc(), "oauth2": {"client_id": "c"}}, "config[0].oidc, oauth2: give one of them"),
    ({"name": "a", "config_tag": "oauth2", "oidc": oidc()}, "config[0].oidc: is only used with config_tag=oidc"),
    ({"name": "a", "oidc": oidc(client_secret="abc")}, "config[0].oidc.client_secret: a secret needs at least 4"),
    ({"name": "a", "oidc": oidc(client_id=" ")}, "config[0].oidc.client_id: must not be empty"),
    ({"name": "a", "oauth2": {"auth_endpoint": "https://a", "token_endpoint": "ftp://t", "public_key_uri": "https://k",
                              "client_id": "c", "client_secret": SECRET, "issuer": "i", "claim_map": None,
                              "auth_query_params": None, "authentication_method": "CLIENT_SECRET_BASIC"}},
     "config[0].oauth2.token_endpoint: 'ftp://t' is not a URL"),
    ({"name": "a", "auth_query_params": {"p": [{"x": 1}]}}, "config[0].auth_query_params.p: values must be strings"),
    ({"name": "a", "auth_query_params": "p=1"}, "config[0].auth_query_params: must be a dictionary"),
    ({"name": "a", "org_ids": [""]}, "config[0].org_ids[0]: must not be empty"),
    ({"name": "a", "idm_protocol": "SCIM", "idm_endpoints": ["scim.example.com"]},
     "config[0].idm_endpoints[0]: 'scim.example.com' is not a URL"),
    ({"name": "a", "idm_protocol": "LDAP", "idm_endpoints": ["https://x"]}, "config[0].idm_endpoints: are used with"),
])
def test_validate_refuses(options, message):
    with pytest.raises(InputError) as exc:
        resource().validate(task_for(), entry(**options), "config[0].")
    assert message in str(exc.value)


def test_validate_accepts_a_full_entry_and_skips_the_rest_for_deletes():
    resource().validate(task_for(), entry(name="a", oidc=oidc(claim_map={"perms": {"g": "vsphere.local\\Admins"}}),
                                          domain_names=["a.example.com"], auth_query_params={"prompt": "login", "x": []},
                                          idm_protocol="SCIM2_0", idm_endpoints=["https://scim.example.com"],
                                          upn_claim="upn"), "")
    resource().validate(task_for(state="deleted"), entry(name="a", domain_names=["not a domain"]), "")


# ----------------------------------------------------------------------------- reading (a fake client)
class FakeClient(object):
    """Answers GETs from a dict of path -> (status, body); records the calls."""

    def __init__(self, routes):
        self.routes = routes
        self.calls = []

    def request(self, method, path, **kwargs):
        self.calls.append((method, path))
        status, body = self.routes[path]
        return Response(status, {}, json.dumps(body))


def test_read_all_gets_details_only_for_entries_that_need_them():
    client = FakeClient({vc.PROVIDERS_PATH: (200, [summary("p1", "a"), summary("p2", "b")]),
                         vc.PROVIDERS_PATH + "/p2": (200, info(name="b"))})
    res = resource(client)
    raws = res.read_all(task_for(entries=[entry(name="a", domain_names=["x"]), entry(name="b", upn_claim="u")]),
                        ["a", "b"])
    assert client.calls == [("GET", vc.PROVIDERS_PATH), ("GET", vc.PROVIDERS_PATH + "/p2")]
    assert [r["info"] is not None for r in raws] == [False, True]


def test_read_all_learns_names_from_the_details_when_the_list_has_none():
    old_a, old_b = summary("p1", "a"), summary("p2", "b")
    del old_a["name"], old_b["name"]
    client = FakeClient({vc.PROVIDERS_PATH: (200, [old_a, old_b]),
                         vc.PROVIDERS_PATH + "/p1": (200, info(name="a")),
                         vc.PROVIDERS_PATH + "/p2": (404, {"error_type": "NOT_FOUND", "messages": []})})
    res, task = resource(client), task_for(entries=[entry(name="a")])
    raws = res.read_all(task, ["a"])
    assert [res.normalize(task, r)["name"] for r in raws] == ["a"]  # p2 vanished between the list and its details
    assert res.match(task, {"name": "a"}, [{"raw": r, "canon": res.normalize(task, r)} for r in raws])


def test_read_all_for_deletes_reads_only_the_list():
    client = FakeClient({vc.PROVIDERS_PATH: (200, {"value": [summary("p1", "a")]})})  # legacy wrapper tolerated
    res = resource(client)
    assert len(res.read_all(task_for(state="deleted", entries=[entry(name="a", upn_claim="x")]), ["a"])) == 1
    assert client.calls == [("GET", vc.PROVIDERS_PATH)]


def test_the_resource_keeps_nothing_between_calls():
    client = FakeClient({vc.PROVIDERS_PATH: (200, [summary("p1", "a")]),
                         vc.PROVIDERS_PATH + "/p1": (200, info(name="a"))})
    res = resource(client)
    task = task_for(entries=[entry(name="a", upn_claim="u", oidc=oidc())])
    engine = Engine(res, task)
    engine.validate()
    task.check_mode = True
    outcomes, _existing = engine.run()
    assert outcomes[0].action == "updated" and vars(res) == {"conn": client}


def test_login_accepts_a_bare_token_and_the_legacy_wrapper(monkeypatch):
    conn = connection()
    answers = iter([Response(201, {}, "bare-token-1234"), Response(200, {}, json.dumps({"value": "wrapped-1234"}))])
    monkeypatch.setattr(conn.client, "request", lambda *a, **k: next(answers))
    conn.login()
    assert conn.token == "bare-token-1234" and conn.own
    conn.login()
    assert conn.token == "wrapped-1234"


# ----------------------------------------------------------------------------- release, host credentials
@pytest.mark.parametrize("text,version", [
    ('<namespaces version="1.0"><namespace><name>urn:vim25</name><version>8.0.1.0</version>'
     '<priorVersions><version>7.0.0.0</version></priorVersions></namespace></namespaces>', (8, 0, 1)),
    ("<namespace>\n  <name>urn:vim25</name>\n  <version>9.0.0.0</version>\n</namespace>", (9, 0, 0)),
    ("<namespace><name>urn:vim2</name><version>2.5</version></namespace>", None),
    ("<html>404</html>", None),
    ("", None),
])
def test_parse_api_version(text, version):
    from ansible_collections.sso.oidc.plugins.module_utils._vcenter_connection import parse_api_version

    assert parse_api_version(text) == version


@pytest.mark.parametrize("hostname", ["u:pw-secret-1@vc.example.com", "https://u:pw-secret-1@vc.example.com/x",
                                      "u@vc.example.com"])
def test_hostname_user_information_is_refused_without_the_value(hostname):
    from ansible_collections.sso.oidc.plugins.module_utils._vcenter_connection import refuse_host_credentials

    message = refuse_host_credentials(hostname)
    assert message.startswith("hostname: ") and "(vc.example.com)" in message
    assert "pw-secret-1" not in message and "VMWARE_USER" in message
    assert refuse_host_credentials("vc.example.com") is None
