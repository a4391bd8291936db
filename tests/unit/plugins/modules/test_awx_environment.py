# Copyright (c) sso.oidc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every module, run in-process against its simulator with exactly the environment an AWX job gets.

Checkmarx and SlashID: the collection's credential types (extensions/awx/credential_types) rendered as AWX
renders them (tests/simulators/awx.py), blank optional fields included. vCenter: AWX's built-in "VMware vCenter"
type (VMWARE_VALIDATE_CERTS as the string "True" or "False", no port). Wickr: AWX's built-in "Amazon Web
Services" type (AWS_SECURITY_TOKEN and AWS_SESSION_TOKEN, no region). Nothing but the non-connection options
is passed as module arguments, except what AWX cannot inject (the vCenter port, the Wickr region and endpoint).
"""

import importlib
import importlib.util
import os

import pytest

from conftest import run_module
from simulators import awx

_spec = importlib.util.spec_from_file_location(
    "wickr_test_helpers", os.path.join(os.path.dirname(os.path.abspath(__file__)), "test_wickr_helpers.py"))
wickr_helpers = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(wickr_helpers)

CONNECTION_VARIABLES = (
    "CX_URL", "CX_USERNAME", "CX_PASSWORD", "CX_TOKEN", "CX_AUTH_CLIENT_ID", "CX_AUTH_CLIENT_SECRET", "CX_CA_PATH",
    "CX_VALIDATE_CERTS", "SLASHID_ORG_ID", "SLASHID_API_KEY", "SLASHID_API_URL", "SLASHID_CA_PATH", "VMWARE_HOST",
    "VMWARE_USER", "VMWARE_PASSWORD", "VMWARE_PORT", "VMWARE_VALIDATE_CERTS", "VMWARE_SESSION_ID",
    "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE",
)

# module -> (simulator, read-only arguments that still log in and read)
CASES = {
    "cx_oidc_client": ("checkmarx", {"client_id": "awx-env-probe", "state": "absent"}),
    "cx_oidc_client_info": ("checkmarx", {}),
    "cx_oidc_clients": ("checkmarx", {"state": "gathered"}),
    "cx_token": ("checkmarx", {}),
    "slashid_sso_cred": ("slashid", {"client_id": "awx-env-probe", "state": "absent"}),
    "slashid_sso_cred_info": ("slashid", {}),
    "slashid_sso_creds": ("slashid", {"state": "gathered"}),
    "vcenter_identity_provider": ("vcenter", {"name": "awx-env-probe", "state": "absent"}),
    "vcenter_identity_provider_info": ("vcenter", {}),
    "vcenter_identity_providers": ("vcenter", {"state": "gathered"}),
    "wickr_oidc_config": ("wickr", None),  # check mode create, below
    "wickr_oidc_info": ("wickr", {"network_id": "12345678"}),
    "wickr_oidc_configs": ("wickr", {"state": "gathered", "config": [{"network_id": "12345678"}]}),
    "wickr_network_info": ("wickr", {}),
}
NO_ENVIRONMENT = ("oidc_discovery_info",)  # reads no environment variable (tests/unit/plugins/module_utils/test_env.py)
SECRET_FIELDS = {"checkmarx": ("password",), "slashid": ("api_key",), "vcenter": ("password",),
                 "wickr": ("temp_secret_key", "session_token")}


@pytest.fixture
def job(sim, sim_env, sim_api, monkeypatch, tmp_path, capsys):
    """A job's environment: ``job.run(module, env, **args)`` runs the module with only ``env`` set."""
    for name in CONNECTION_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    wickr_helpers.isolate_aws(monkeypatch, tmp_path)

    class Job(object):
        env = sim_env
        private_data_dir = str(tmp_path / "pdd")

        def credential(self, kind, **inputs):
            """(env, safe_env) of the collection's credential type with these inputs, rendered as AWX does."""
            return awx.inject(awx.load(kind), inputs, self.private_data_dir)

        def run(self, module_name, env, check=False, **args):
            for name, value in env.items():
                monkeypatch.setenv(name, value)
            module = importlib.import_module("ansible_collections.sso.oidc.plugins.modules." + module_name)
            return run_module(capsys, module, args, check=check)

        def ca_pem(self):
            with open(sim_env["ca_path"]) as handle:
                return handle.read()

    sim_api.reset("wickr")
    return Job()


def test_every_module_is_covered():
    modules_dir = os.path.join(os.path.dirname(os.path.abspath(awx.__file__)), os.pardir, os.pardir, "plugins", "modules")
    found = set(n[:-3] for n in os.listdir(modules_dir) if n.endswith(".py") and not n.startswith("_"))
    assert found == set(CASES) | set(NO_ENVIRONMENT)


def assert_ok(result, *secrets):
    assert result["_rc"] == 0, result.get("msg")
    assert result.get("failed") is not True and result["changed"] is False
    for secret in secrets:
        assert secret not in result["_raw"]


def checkmarx_env(job, **extra):
    cx = job.env["checkmarx"]
    inputs = {"url": cx["url"], "username": cx["username"], "password": cx["password"], "token": "",
              "auth_client_id": "", "auth_client_secret": "", "ca_bundle": job.ca_pem()}
    inputs.update(extra)
    return job.credential("checkmarx", **inputs)[0]


def slashid_env(job, **extra):
    sid = job.env["slashid"]
    inputs = {"org_id": sid["org_id"], "api_key": sid["api_key"], "api_url": sid["api_url"], "ca_bundle": job.ca_pem()}
    inputs.update(extra)
    return job.credential("slashid", **inputs)[0]


@pytest.mark.parametrize("module_name", sorted(m for m, case in CASES.items() if case[0] in ("checkmarx", "slashid")))
def test_custom_credential_type_environment(job, module_name):
    service, args = CASES[module_name]
    env = checkmarx_env(job) if service == "checkmarx" else slashid_env(job)
    assert env.get("CX_TOKEN", "") == "" and os.path.isfile(env.get("CX_CA_PATH") or env.get("SLASHID_CA_PATH"))
    result = job.run(module_name, env, **args)
    assert_ok(result, *(job.env[service][f] for f in SECRET_FIELDS[service]))


@pytest.mark.parametrize("service, module_name", [("checkmarx", "cx_oidc_clients"), ("slashid", "slashid_sso_creds")])
def test_blank_ca_field_leaves_the_system_trust_store(job, service, module_name):
    """A blank CA field: the injector gives "" and AWX still writes an empty file. Neither may be used as the CA
    bundle: the trust store applies (here REQUESTS_CA_BUNDLE, which requests reads, holds the simulator's CA)."""
    env = checkmarx_env(job, ca_bundle="") if service == "checkmarx" else slashid_env(job, ca_bundle="")
    ca_var = "CX_CA_PATH" if service == "checkmarx" else "SLASHID_CA_PATH"
    assert env[ca_var] == ""
    env["REQUESTS_CA_BUNDLE"] = job.env["ca_path"]
    assert_ok(job.run(module_name, env, state="gathered"))
    # a hand-written type that always points at the file: the empty file counts as unset too
    empty = [os.path.join(job.private_data_dir, "env", f) for f in os.listdir(os.path.join(job.private_data_dir, "env"))
             if os.path.getsize(os.path.join(job.private_data_dir, "env", f)) == 0]
    assert empty
    env[ca_var] = empty[0]
    assert_ok(job.run(module_name, env, state="gathered"))
    # without the trust store holding the CA, the same job fails on the certificate (the test can fail)
    env["REQUESTS_CA_BUNDLE"] = job.env["untrusted_ca_path"]
    failed = job.run(module_name, env, state="gathered")
    assert failed["_rc"] == 1 and "certificate" in failed["msg"].lower()


def test_checkmarx_skip_tls_verify_injects_the_string_false(job):
    env = checkmarx_env(job, ca_bundle="", skip_tls_verify=True)
    assert env["CX_VALIDATE_CERTS"] == "False" and env["CX_CA_PATH"] == ""
    assert_ok(job.run("cx_oidc_clients", env, state="gathered"))


def test_checkmarx_token_field(job, sim_api):
    """The access-token field alone (username and password blank) is used instead of a login."""
    import json
    import ssl
    import urllib.parse
    import urllib.request

    cx = job.env["checkmarx"]
    body = urllib.parse.urlencode({"grant_type": "password", "username": cx["username"], "password": cx["password"],
                                   "client_id": cx["auth_client_id"], "client_secret": cx["auth_client_secret"],
                                   "scope": "access_control_api sast_rest_api"}).encode()
    ctx = ssl.create_default_context(cafile=job.env["ca_path"])
    with urllib.request.urlopen(urllib.request.Request(cx["token_url"], data=body), context=ctx, timeout=10) as resp:
        token = json.loads(resp.read().decode())["access_token"]
    env = checkmarx_env(job, username="", password="", token=token)
    assert env["CX_USERNAME"] == "" and env["CX_TOKEN"] == token
    assert_ok(job.run("cx_oidc_clients", env, state="gathered"), token)


@pytest.mark.parametrize("module_name", sorted(m for m, case in CASES.items() if case[0] == "vcenter"))
@pytest.mark.parametrize("validate", [False, True])
def test_vmware_vcenter_builtin_credential(job, module_name, validate):
    vc = job.env["vcenter"]
    env = awx.builtin_vmware_env(vc["hostname"], vc["username"], vc["password"], validate_certs=validate)
    assert env["VMWARE_VALIDATE_CERTS"] == ("True" if validate else "False")
    env["VMWARE_PORT"] = ""  # AWX injects no port; an empty variable must not break the default
    args = dict(CASES[module_name][1], port=vc["port"])
    if validate:
        args["ca_path"] = job.env["ca_path"]
    assert_ok(job.run(module_name, env, **args), vc["password"])


def test_vmware_validate_certs_true_really_validates(job):
    vc = job.env["vcenter"]
    env = awx.builtin_vmware_env(vc["hostname"], vc["username"], vc["password"], validate_certs=True)
    env["REQUESTS_CA_BUNDLE"] = job.env["untrusted_ca_path"]
    result = job.run("vcenter_identity_providers", env, state="gathered", port=vc["port"])
    assert result["_rc"] == 1 and "certificate" in result["msg"].lower()


def _wickr_env(job, token_names):
    wk = job.env["wickr"]
    env = awx.builtin_aws_env(wk["temp_access_key"], wk["temp_secret_key"], wk["session_token"])
    for name in ("AWS_SECURITY_TOKEN", "AWS_SESSION_TOKEN"):
        if name not in token_names:
            del env[name]
    return env


@pytest.mark.parametrize("module_name", sorted(m for m, case in CASES.items() if case[0] == "wickr"))
@pytest.mark.parametrize("token_names", [("AWS_SECURITY_TOKEN", "AWS_SESSION_TOKEN"), ("AWS_SECURITY_TOKEN",),
                                         ("AWS_SESSION_TOKEN",)])
def test_amazon_web_services_builtin_credential(job, module_name, token_names):
    """Temporary keys: the request is signed with the token whichever of AWX's two names carries it. No region is
    injected: it comes from AWS_DEFAULT_REGION here (an empty AWS_REGION counts as unset) or the region option."""
    wk = job.env["wickr"]
    env = _wickr_env(job, token_names)
    env.update({"AWS_REGION": "", "AWS_DEFAULT_REGION": wk["region"]})
    args = dict(CASES[module_name][1] or {}, endpoint_url=wk["url"], aws_ca_bundle=job.env["ca_path"])
    check = False
    if module_name == "wickr_oidc_config":
        args.update(network_id="12345678", company_id="acme", issuer=job.env["oidc"]["issuer"], scopes=["openid"],
                    client_id="wickr-app", secret="idp-secret-awx-1", validate=False)
        check = True
    result = job.run(module_name, env, check=check, **args)
    assert result["_rc"] == 0, result.get("msg")
    if check:
        assert result["changed"] is True  # check mode predicts the create; it needed a signed read to know
    for secret in (wk["temp_secret_key"], wk["session_token"]):
        assert secret not in result["_raw"]


def test_wickr_without_the_token_is_refused_by_the_service(job):
    """The simulator really checks X-Amz-Security-Token: temporary keys without a token fail."""
    wk = job.env["wickr"]
    env = _wickr_env(job, ())
    result = job.run("wickr_oidc_info", env, network_id="12345678", region=wk["region"], endpoint_url=wk["url"],
                     aws_ca_bundle=job.env["ca_path"])
    assert result["_rc"] == 1


def test_wickr_without_any_region_names_the_option_and_the_variable(job):
    wk = job.env["wickr"]
    env = _wickr_env(job, ("AWS_SESSION_TOKEN",))
    env.update({"AWS_REGION": "", "AWS_DEFAULT_REGION": ""})
    result = job.run("wickr_oidc_info", env, network_id="12345678", endpoint_url=wk["url"],
                     aws_ca_bundle=job.env["ca_path"])
    assert result["_rc"] == 1 and "region" in result["msg"] and "AWS_DEFAULT_REGION" in result["msg"]
