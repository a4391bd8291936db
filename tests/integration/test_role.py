# Copyright (c) sso.oidc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The role sso.oidc.sso_rollout against the simulators and the real OpenID provider.

Most tests run the example rollout playbook (playbooks/sso_rollout.yml, the one scripts/demo.sh runs)
with the harness's env.json, and check the outcome on the simulators (their state and request logs),
not only what the role reports. Extra variables override the playbook's inputs where a test needs to.
"""

import base64
import hashlib
import json
import os
import re
import secrets
import subprocess
import sys
import urllib.parse

import pytest
import yaml

from conftest import COLLECTIONS_ROOT

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
PLAYBOOK = os.path.join(REPO, "playbooks", "sso_rollout.yml")
ROLE = os.path.join(REPO, "roles", "sso_rollout")
APPS = ("wickr", "checkmarx", "slashid", "vcenter")
NETWORKS = ("12345678", "23456789")
CX_CLIENTS = ("corporate-sso-web", "corporate-sso-cli")
STATUS = ("created", "updated", "unchanged", "failed", "skipped")
SUMMARY_LINE = re.compile(r'^\s*"(wickr|checkmarx|slashid|vcenter) +(.+?) +(%s)(?:[:( ].*)?",?$' % "|".join(STATUS),
                          re.MULTILINE)
RECAP = re.compile(r"localhost\s*:\s*ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)\s+"
                   r"skipped=(\d+)\s+rescued=(\d+)")


# ----------------------------------------------------------------------------------------- helpers
@pytest.fixture
def fresh(sim_api):
    """Every application simulator reset (state, faults, config, request log)."""
    for name in APPS:
        sim_api.reset(name)
    return sim_api


def rollout(run_playbook, sim, extra=None, args=(), check=False, env=None):
    variables = {"sim_env_file": sim.env_path}
    variables.update(extra or {})
    return run_playbook(PLAYBOOK, extra_vars=variables, args=args, check=check, env=env)


def recap(result):
    found = RECAP.findall(result.stdout)
    assert found, result
    ok, changed, unreachable, failed, skipped, rescued = (int(n) for n in found[-1])
    return {"ok": ok, "changed": changed, "unreachable": unreachable, "failed": failed, "skipped": skipped,
            "rescued": rescued}


def summary(result):
    """The summary lines the role printed: {(kind, key): (status, rest of the line)}."""
    lines = {}
    for match in SUMMARY_LINE.finditer(result.stdout):
        lines[(match.group(1), match.group(2))] = match.group(3)
    return lines


def vcenter_key(sim_env):
    return "%s:%s/Corporate SSO" % (sim_env["vcenter"]["hostname"], sim_env["vcenter"]["port"])


def all_targets(sim_env):
    keys = [("wickr", n) for n in NETWORKS] + [("checkmarx", c) for c in CX_CLIENTS]
    keys += [("slashid", sim_env["oidc"]["client_id"]), ("slashid", sim_env["oidc"]["client_id"] + "-staging")]
    return keys + [("vcenter", vcenter_key(sim_env))]


def cx_hash(secret):
    return base64.b64encode(hashlib.sha256(secret.encode()).digest()).decode()


def assert_configured(sim_api, sim_env, idp_secret=None, only=APPS):
    """The server state of every application points at the identity provider."""
    idp = sim_env["oidc"]
    secret = idp_secret or idp["client_secret"]
    if "wickr" in only:
        networks = sim_api.state("wickr")["networks"]
        for network_id, company in zip(NETWORKS, ("us-east-1-acme-eng", "us-east-1-acme-sales")):
            oidc = networks[network_id]["oidc"]
            assert oidc and oidc["issuer"] == idp["issuer"] and oidc["companyId"] == company, oidc
            assert oidc["scopes"].split() == idp["scopes"]
        assert networks["23456789"]["oidc"]["ssoTokenBufferMinutes"] == 10
        assert all(not networks[n]["oidc"] for n in networks if n not in NETWORKS)
    if "checkmarx" in only:
        clients = dict((c["clientId"], c) for c in sim_api.state("checkmarx")["clients"])
        for client_id in CX_CLIENTS:
            client = clients[client_id]
            assert client["redirectUris"] == [idp["issuer"] + "/broker/checkmarx/endpoint"], client
            assert client["clientSecrets"] == [cx_hash(secret)], client
            assert client["allowedGrantTypes"] == ["authorization_code"]
        assert clients["corporate-sso-cli"]["allowOfflineAccess"] is True
    if "slashid" in only:
        creds = sim_api.state("slashid")["credentials"]
        assert sorted(creds) == sorted([idp["client_id"], idp["client_id"] + "-staging"]), creds
        for cred in creds.values():
            assert cred["provider"] == "okta"
            assert cred["options"]["okta"]["organization_url"] == idp["issuer"]
    if "vcenter" in only:
        providers = list(sim_api.state("vcenter")["providers"].values())
        assert len(providers) == 1, providers
        assert providers[0]["name"] == "Corporate SSO"
        assert providers[0]["oidc"]["discovery_endpoint"] == idp["discovery_url"]
        assert providers[0]["oidc"]["client_id"] == idp["client_id"]


def assert_untouched(sim_api, names=APPS, reads_too=True):
    for name in names:
        counts = sim_api.summary(name)
        if reads_too:
            assert counts["total"] == 0, (name, sim_api.requests(name))
        else:
            assert counts["write"] == 0, (name, sim_api.requests(name))


# ----------------------------------------------------------------------------------------- tests
def test_plan_first_run_second_run_and_drift(fresh, run_playbook, sim, sim_env):
    """Check mode plans without writing; the first run creates everything; the second changes nothing
    and writes nothing; after a drift, check mode plans exactly that one change."""
    before = dict((name, fresh.state(name)) for name in APPS)
    plan = rollout(run_playbook, sim, check=True)
    assert plan.rc == 0, plan
    assert "(check mode: the plan; nothing was written)" in plan.stdout
    assert summary(plan) == dict((key, "created") for key in all_targets(sim_env)), plan
    assert_untouched(fresh, reads_too=False)
    for name in APPS:
        state = fresh.state(name)
        if name == "vcenter":  # sessions come and go; the providers must not
            assert state["providers"] == before[name]["providers"] == {}
        else:
            assert state == before[name], name

    first = rollout(run_playbook, sim)
    assert first.rc == 0, first
    assert recap(first)["changed"] > 0 and recap(first)["failed"] == 0
    assert summary(first) == dict((key, "created") for key in all_targets(sim_env)), first
    assert "7 target(s), 7 created, 0 updated, 0 unchanged, 0 failed" in first.stdout
    assert_configured(fresh, sim_env)

    for name in APPS:
        fresh.clear_requests(name)
    second = rollout(run_playbook, sim)
    assert second.rc == 0, second
    assert recap(second)["changed"] == 0, second
    assert summary(second) == dict((key, "unchanged") for key in all_targets(sim_env)), second
    for name in APPS:
        counts = fresh.summary(name)
        assert counts["write"] == 0, (name, fresh.requests(name))
        assert counts["read"] > 0, name  # verify read every target back
    # One Checkmarx login for the whole play (the role's), none per task.
    assert fresh.summary("checkmarx")["auth"] == 1, fresh.requests("checkmarx")
    assert_configured(fresh, sim_env)

    network = fresh.state("wickr")["networks"]["12345678"]
    network["oidc"]["companyId"] = "us-east-1-drifted"
    fresh._call("wickr", "POST", "/seed", {"networks": {"12345678": network}})
    for name in APPS:
        fresh.clear_requests(name)
    drift = rollout(run_playbook, sim, check=True)
    assert drift.rc == 0, drift
    expected = dict((key, "unchanged") for key in all_targets(sim_env))
    expected[("wickr", "12345678")] = "updated"
    assert summary(drift) == expected, drift
    assert "updated (company_id)" in drift.stdout
    assert_untouched(fresh, reads_too=False)
    assert fresh.state("wickr")["networks"]["12345678"]["oidc"]["companyId"] == "us-east-1-drifted"


@pytest.mark.parametrize("broken", ["mismatch", "unreachable"])
def test_broken_identity_provider_stops_before_any_application(broken, fresh, run_playbook, sim, sim_env):
    issuer = "https://127.0.0.1:9" if broken == "unreachable" else sim_env["discovery"]["issuers"][broken]
    idp = dict(sim_env["oidc"], issuer=issuer)
    idp.pop("discovery_url")
    result = rollout(run_playbook, sim, extra={"sso_rollout_idp": idp}, args=["-e", "sso_rollout_timeout=5"])
    assert result.rc != 0, result
    assert "Preflight failed, so no application was touched" in result.stdout, result
    assert recap(result)["failed"] == 1
    assert not summary(result), result
    assert_untouched(fresh)


def test_one_application_failing_leaves_the_others_configured(fresh, run_playbook, sim, sim_env):
    fresh.fault("checkmarx", method="POST", path="/OIDCClients", status=500, times=-1)
    result = rollout(run_playbook, sim)
    assert result.rc != 0, result
    lines = summary(result)
    expected = dict((key, "created") for key in all_targets(sim_env))
    expected.update((("checkmarx", c), "failed") for c in CX_CLIENTS)
    assert lines == expected, result
    assert "HTTP 500" in result.stdout
    assert ("The SSO rollout failed for 2 of 7 target(s): checkmarx corporate-sso-web, checkmarx corporate-sso-cli"
            in result.stdout), result
    assert recap(result)["rescued"] == 1 and recap(result)["failed"] == 1
    assert_configured(fresh, sim_env, only=("wickr", "slashid", "vcenter"))
    clients = [c["clientId"] for c in fresh.state("checkmarx")["clients"]]
    assert not set(CX_CLIENTS) & set(clients)
    # Nothing secret in the failure path either.
    for name in ("password", "auth_client_secret"):
        assert sim_env["checkmarx"][name] not in result.output
    assert sim_env["oidc"]["client_secret"] not in result.output


def test_fail_fast_stops_at_the_first_failed_target(fresh, run_playbook, sim, sim_env):
    fresh.fault("checkmarx", method="POST", path="/OIDCClients", status=500, times=-1)
    result = rollout(run_playbook, sim, extra={"sso_rollout_fail_fast": True, "sso_rollout_verify": False})
    assert result.rc != 0, result
    lines = summary(result)
    assert lines[("wickr", "12345678")] == lines[("wickr", "23456789")] == "created", result
    assert lines[("checkmarx", "corporate-sso-web")] == "failed"
    for kind, key in all_targets(sim_env):
        if kind in ("slashid", "vcenter"):
            assert lines[(kind, key)] == "skipped", result
    assert "an earlier target failed and sso_rollout_fail_fast is true" in result.stdout
    assert_configured(fresh, sim_env, only=("wickr",))
    assert_untouched(fresh, names=("slashid", "vcenter"))


def test_a_target_kind_tag_touches_only_that_kind(fresh, run_playbook, sim, sim_env):
    result = rollout(run_playbook, sim, args=["--tags", "checkmarx"], extra={"sso_rollout_verify": False})
    assert result.rc == 0, result
    lines = summary(result)
    assert lines[("checkmarx", "corporate-sso-web")] == lines[("checkmarx", "corporate-sso-cli")] == "created"
    assert sorted(set(v for k, v in lines.items() if k[0] != "checkmarx")) == ["skipped"], result
    assert "Read and check the discovery document" in result.stdout  # preflight runs with every target tag
    assert_configured(fresh, sim_env, only=("checkmarx",))
    assert_untouched(fresh, names=("wickr", "slashid", "vcenter"))


def test_verify_tag_selects_the_read_back_of_what_this_run_configured(fresh, run_playbook, sim, sim_env):
    """--skip-tags verify configures without reading back; --tags verify alone configures nothing and reads nothing
    (the vCenter read-back and its record share one task with the outcome, so both cases are checked)."""
    key = ("vcenter", vcenter_key(sim_env))
    result = rollout(run_playbook, sim, args=["--tags", "vcenter", "--skip-tags", "verify"])
    assert result.rc == 0, result
    assert summary(result)[key] == "created", result
    assert "Read back the identity provider" not in result.stdout, result
    assert_configured(fresh, sim_env, only=("vcenter",))
    before = len(fresh.requests("vcenter"))
    result = rollout(run_playbook, sim, args=["--tags", "verify"])
    assert result.rc == 0, result
    assert summary(result)[key] == "skipped", result
    assert len(fresh.requests("vcenter")) == before, fresh.requests("vcenter")[before:]


def test_verify_fails_a_target_that_does_not_point_at_the_identity_provider(fresh, run_playbook, sim, sim_env):
    """A vCenter that answers an update with success but keeps another discovery endpoint: the write
    'worked', and the module's read-back after the write must catch that vCenter does not point at the identity
    provider; the summary counts the target as failed (the module's failed_keys), not as updated."""
    other = sim_env["discovery"]["issuers"]["good"]
    fresh._call("vcenter", "POST", "/seed", {"providers": {"f0e1d2c3-0000-4000-8000-000000000001": {
        "name": "Corporate SSO", "config_tag": "Oidc", "is_default": True, "org_ids": [], "domain_names": ["example.com"],
        "auth_query_params": {}, "idm_protocol": None, "idm_endpoints": [], "active_directory_over_ldap": None,
        "upn_claim": "acct", "groups_claim": "",
        "oidc": {"discovery_endpoint": other + "/.well-known/openid-configuration", "issuer": other,
                 "auth_endpoint": other + "/authorize", "token_endpoint": other + "/token",
                 "public_key_uri": other + "/jwks", "logout_endpoint": other + "/logout",
                 "authentication_method": "CLIENT_SECRET_BASIC", "client_id": sim_env["oidc"]["client_id"],
                 "client_secret": sim_env["oidc"]["client_secret"], "claim_map": {}}}}})
    fresh.fault("vcenter", method="PATCH", path="/api/vcenter/identity/providers/", status=204, body="", times=-1)
    result = rollout(run_playbook, sim, args=["--tags", "vcenter"])
    assert result.rc != 0, result
    assert summary(result)[("vcenter", vcenter_key(sim_env))] == "failed", result
    assert "failed: the read right after the write does not show what was written" in result.stdout, result
    assert "1 failed" in result.stdout and "0 updated" in result.stdout, result
    assert fresh.summary("vcenter")["fault"] == 1  # the update was sent (and not applied)


def test_secret_leak_scan_of_the_whole_rollout_at_vvvv(fresh, run_playbook, sim, sim_env):
    unique = dict((name, "%s-%s" % (name, secrets.token_urlsafe(12))) for name in
                  ("idp", "cxpass", "cxcli", "slashkey", "vcpass", "apple"))
    fresh.reset("checkmarx", {"users": {"leakadmin": {"password": unique["cxpass"], "active": True,
                                                      "permissions": ["Manage Clients"]}}})
    fresh.reset("vcenter", {"users": {"leakadmin@vsphere.local": unique["vcpass"]}})
    fresh.config("slashid", api_key=unique["slashkey"])
    env = sim_env
    idp = dict(env["oidc"], client_secret=unique["idp"])
    idp.pop("discovery_url")
    idp["redirect_uris"] = [idp["issuer"] + "/broker/checkmarx/endpoint"]
    extra = {
        "sso_rollout_idp": idp,
        "sso_rollout_checkmarx": {
            "url": env["checkmarx"]["url"], "username": "leakadmin", "password": unique["cxpass"],
            "clients": [{"client_id": "corporate-sso-web"},
                        {"client_id": "corporate-sso-cli", "client_secrets": [unique["cxcli"]]}]},
        "sso_rollout_slashid": {
            "org_id": env["slashid"]["org_id"], "api_key": unique["slashkey"], "api_url": env["slashid"]["api_url"],
            "credentials": [{"label": "Corporate SSO"}]},
        "sso_rollout_vcenter": [{
            "hostname": env["vcenter"]["hostname"], "port": env["vcenter"]["port"],
            "username": "leakadmin@vsphere.local", "password": unique["vcpass"]}],
    }
    result = rollout(run_playbook, sim, extra=extra, args=["-vvvv", "--diff"])
    assert result.rc == 0, result
    # It really ran at -vvvv (every task of the role runs on the controller: a module process shows its
    # EXEC line, the worker-process runner says so at -vvv).
    assert "created" in result.stdout
    assert "<localhost> EXEC" in result.output or "runs in the worker process" in result.output
    assert fresh.state("checkmarx")["clients"][-1]["clientSecrets"] == [cx_hash(unique["cxcli"])]

    values = list(unique.values()) + [env["wickr"]["secret_key"], env["wickr"]["session_token"],
                                      env["checkmarx"]["auth_client_secret"]]
    values.append("%s:%s" % (idp["client_id"], unique["idp"]))           # HTTP Basic of the IdP client
    values.append("leakadmin@vsphere.local:%s" % unique["vcpass"])       # HTTP Basic of the vCenter login
    forms = set()
    for value in values:
        raw = value.encode()
        forms.update({value, urllib.parse.quote(value, safe=""), urllib.parse.quote_plus(value),
                      json.dumps(value)[1:-1], base64.b64encode(raw).decode(),
                      base64.b64encode(raw).decode().rstrip("="),
                      base64.urlsafe_b64encode(raw).decode().rstrip("=")})
    leaked = sorted(form for form in forms if form in result.output)
    assert not leaked, "secrets in the output: %s" % leaked
    # Tokens learned at run time: the Checkmarx bearer token from the role's login.
    assert not re.search(r"cx\.[A-Za-z0-9_-]{40,}", result.output)


def test_connection_from_module_defaults_and_a_given_token(fresh, run_playbook):
    result = run_playbook(os.path.join(HERE, "role", "module_defaults.yml"))
    assert result.rc == 0, result
    assert "failed=0" in result.stdout
    # The playbook's own login is the only one: the role used the token it was given.
    assert fresh.summary("checkmarx")["auth"] == 1, fresh.requests("checkmarx")
    assert sorted(fresh.state("slashid")["credentials"]) == ["md-cred"]
    assert_untouched(fresh, names=("wickr", "vcenter"))


@pytest.mark.parametrize("case", ["missing_secret", "duplicate_key", "duplicate_key_tagged", "unknown_option"])
def test_invalid_input_fails_before_any_request(case, fresh, run_playbook, sim, sim_env):
    idp = dict(sim_env["oidc"])
    idp.pop("discovery_url")
    extra = {}
    args = ("--tags", "checkmarx") if case.endswith("_tagged") else ()  # the check runs whatever the tags
    if case == "missing_secret":
        idp.pop("client_secret")
        extra["sso_rollout_idp"] = idp
        expected = "client_secret"
    elif case.startswith("duplicate_key"):
        extra["sso_rollout_slashid"] = {"org_id": "x", "api_key": "y" * 8, "credentials": [{"label": "a"}, {"label": "b"}]}
        expected = "Each target may appear once. Repeated: {\"slashid\": [\"%s\"]}" % idp["client_id"]
    else:
        extra["sso_rollout_wickr"] = {"networks": [{"network_id": "12345678", "company_id": "x", "isuer": "typo"}]}
        expected = "isuer"
    result = rollout(run_playbook, sim, extra=extra, args=args)
    assert result.rc != 0, result
    assert expected in result.stdout, result
    assert_untouched(fresh)


# ----------------------------------------------------------------------------------------- static
def _load(path):
    with open(path) as handle:
        return yaml.safe_load(handle)


def _module_spec(kind):
    from ansible_collections.sso.oidc.plugins.module_utils import _vcenter_resource
    from ansible_collections.sso.oidc.plugins.module_utils import _checkmarx_resource
    from ansible_collections.sso.oidc.plugins.module_utils import _slashid_resource
    from ansible_collections.sso.oidc.plugins.module_utils import _wickr_resource

    return {
        "wickr": lambda: _wickr_resource.SET.module_spec()["argument_spec"],
        "checkmarx": lambda: _checkmarx_resource.SET.module_spec()["argument_spec"],
        "slashid": lambda: _slashid_resource.SET.module_spec()["argument_spec"],
        "vcenter": lambda: _vcenter_resource.SET.module_spec()["argument_spec"],
    }[kind]()


def _compare(role_opts, module_opts, where, problems):
    for name in sorted(set(role_opts) | set(module_opts)):
        if name not in role_opts:
            problems.append("%s%s: in the module, not in the role's argument spec" % (where, name))
            continue
        if name not in module_opts:
            problems.append("%s%s: in the role's argument spec, not in the module" % (where, name))
            continue
        role, module = role_opts[name], module_opts[name]
        for field in ("type", "elements", "choices", "no_log"):
            want = module.get(field) or (None if field != "type" else "str")
            have = role.get(field) or (None if field != "type" else "str")
            if field == "choices" and want and have:
                want, have = sorted(want), sorted(have)
            if bool(want) != bool(have) if field == "no_log" else want != have:
                problems.append("%s%s.%s: role %r, module %r" % (where, name, field, have, want))
        if module.get("options") or role.get("options"):
            _compare(role.get("options") or {}, module.get("options") or {}, "%s%s." % (where, name), problems)


@pytest.mark.parametrize("kind,section,entries", [
    ("wickr", "sso_rollout_wickr", "networks"),
    ("checkmarx", "sso_rollout_checkmarx", "clients"),
    ("slashid", "sso_rollout_slashid", "credentials"),
    ("vcenter", "sso_rollout_vcenter", "provider"),
])
def test_argument_spec_follows_the_modules(kind, section, entries):
    """Every per-target override the role documents is an option of the module, typed the same, secrets no_log."""
    options = _load(os.path.join(ROLE, "meta", "argument_specs.yml"))["argument_specs"]["main"]["options"]
    role = options[section]["options"]
    module = _module_spec(kind)
    problems = []
    _compare(role[entries]["options"], module["config"]["options"], "%s.%s." % (section, entries), problems)
    connection = dict((k, v) for k, v in module.items() if k not in ("config", "state", "protected", "update_secret", "stored_secrets"))
    role_connection = dict((k, v) for k, v in role.items() if k in connection)
    _compare(role_connection, connection, section + ".", problems)
    assert not problems, "\n".join(problems)


NOT_SECRETS = ("update_secret", "require_client_secret", "_in_id_token", "stored_secrets")


def test_every_secret_of_the_role_is_no_log():
    options = _load(os.path.join(ROLE, "meta", "argument_specs.yml"))["argument_specs"]["main"]["options"]
    secret = re.compile(r"(secret|password|token|api_key|private_key)s?$")
    missing = []

    def walk(opts, where):
        for name, opt in opts.items():
            if secret.search(name) and not name.endswith(NOT_SECRETS) and not opt.get("no_log"):
                missing.append(where + name)
            walk(opt.get("options") or {}, where + name + ".")

    walk(options, "")
    assert not missing, missing


def test_every_task_that_carries_a_secret_follows_secure_logging():
    """Every task that gets a connection (credentials) or client secrets has no_log: sso_rollout_secure_logging:
    each sso.oidc module task but the discovery check, and the Checkmarx login."""
    offenders, checked = [], 0
    for name in sorted(os.listdir(os.path.join(ROLE, "tasks"))):
        for task in _tasks(_load(os.path.join(ROLE, "tasks", name))):
            module = [k for k in task if k.startswith(("sso.oidc.", "ansible.builtin.uri"))]
            if not module or module[0] == "sso.oidc.oidc_discovery_info":
                continue
            checked += 1
            if task.get("no_log") != "{{ sso_rollout_secure_logging }}":
                offenders.append("%s: %s" % (name, task.get("name")))
    assert checked >= 9 and not offenders, (checked, offenders)


@pytest.mark.parametrize("kind,modules", [
    ("wickr", ("wickr_oidc_configs", "wickr_oidc_info")),
    ("checkmarx", ("cx_oidc_clients", "cx_oidc_client_info")),
    ("slashid", ("slashid_sso_creds", "slashid_sso_cred_info")),
    ("vcenter", ("vcenter_identity_providers", "vcenter_identity_provider_info")),
])
def test_every_connection_option_reaches_the_modules(kind, modules):
    """The role passes exactly the modules' connection options, and both modules of a kind get them."""
    passed = set(_filter_connection_options()[kind])
    assert passed == set(_module_spec(kind)) - {"config", "state", "protected", "update_secret", "stored_secrets"}
    for module in modules:
        assert passed <= _module_argument_names(module), module
    section = "sso_rollout_vcenter" if kind == "vcenter" else "sso_rollout_" + kind
    options = _load(os.path.join(ROLE, "meta", "argument_specs.yml"))["argument_specs"]["main"]["options"]
    assert passed <= set(options[section]["options"])
    if kind == "vcenter":
        wanted = {"vcenter_identity_providers": "{{ sso_rollout__vc.connection }}",
                  "vcenter_identity_provider_info": "{{ sso_rollout__vc.connection }}"}
        found = {}
        for name in ("configure_vcenter_one.yml",):
            for task in _tasks(_load(os.path.join(ROLE, "tasks", name))):
                found.update((k[len("sso.oidc."):], v) for k, v in (task.get("module_defaults") or {}).items())
        assert found == wanted
    else:
        defaults = [t for t in _load(os.path.join(ROLE, "tasks", "main.yml")) if "module_defaults" in t][0]["module_defaults"]
        for module in modules:
            assert defaults["sso.oidc." + module] == "{{ sso_rollout__connections.%s }}" % kind


def _module_argument_names(module):
    from ansible_collections.sso.oidc.plugins.module_utils import _vcenter_resource
    from ansible_collections.sso.oidc.plugins.module_utils import _wickr_resource
    from ansible_collections.sso.oidc.plugins.module_utils import _checkmarx_resource
    from ansible_collections.sso.oidc.plugins.module_utils import _slashid_resource

    info = {"wickr_oidc_info": _wickr_resource.info_options, "cx_oidc_client_info": _checkmarx_resource.info_options,
            "slashid_sso_cred_info": _slashid_resource.info_options,
            "vcenter_identity_provider_info": _vcenter_resource.info_options}
    if module in info:
        return set(info[module]())
    kind = {"wickr_oidc_configs": "wickr", "cx_oidc_clients": "checkmarx", "slashid_sso_creds": "slashid",
            "vcenter_identity_providers": "vcenter"}[module]
    return set(_module_spec(kind))


def _tasks(items):
    for item in items or []:
        yield item
        for key in ("block", "rescue", "always"):
            yield from _tasks(item.get(key))


def _filter_connection_options():
    """The filter plugin's CONNECTION_OPTIONS, read in a Python of its own: the plugin imports ansible.errors,
    which would put module_utils into controller mode (ansible-core 2.19+) for the in-process module tests
    that share this pytest process."""
    code = ("import json; from ansible_collections.sso.oidc.plugins.filter.rollout import CONNECTION_OPTIONS; "
            "print(json.dumps(CONNECTION_OPTIONS))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120,
                          env=dict(os.environ, PYTHONPATH=COLLECTIONS_ROOT))
    return json.loads(proc.stdout)
