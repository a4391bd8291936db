# Copyright (c) sso.oidc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Helpers of the vCenter module tests: run the modules in-process against the vCenter simulator."""

import base64
import json

import pytest

from ansible_collections.sso.oidc.plugins.module_utils import _http
from ansible_collections.sso.oidc.plugins.modules import vcenter_identity_provider as single_module
from ansible_collections.sso.oidc.plugins.modules import vcenter_identity_provider_info as info_module
from ansible_collections.sso.oidc.plugins.modules import vcenter_identity_providers as set_module

from conftest import run_module as run_main

SECRET = "oidc-client-secret-0001"
SECRET_2 = "oidc-client-secret-0002"
LDAP_PASSWORD = "ldap-bind-password-0001"
PEM = "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUSIM\n-----END CERTIFICATE-----"
AUTH_KINDS = ("auth",)


class Vc(object):
    """The vCenter simulator and the three modules, from a test."""

    def __init__(self, sim, sim_api, capsys, monkeypatch):
        self.sim = sim
        self.api = sim_api
        self.capsys = capsys
        self.monkeypatch = monkeypatch
        self.env = sim.describe()
        vc = self.env["vcenter"]
        self.base = {"hostname": vc["hostname"], "port": vc["port"], "username": vc["username"],
                     "password": vc["password"], "ca_path": self.env["ca_path"]}
        self.discovery = self.env["oidc"]["discovery_url"]
        self.issuer = self.env["oidc"]["issuer"]

    # -- modules ---------------------------------------------------------------
    def run(self, module, check=False, diff=False, base=True, **args):
        params = dict(self.base) if base else {}
        params.update(args)
        for key in [k for k, v in params.items() if v is None]:
            del params[key]
        return run_main(self.capsys, module, params, check=check, diff=diff)

    def provider(self, **args):
        return self.run(single_module, **args)

    def providers(self, **args):
        return self.run(set_module, **args)

    def info(self, **args):
        return self.run(info_module, **args)

    def oidc(self, **extra):
        spec = {"discovery_endpoint": self.discovery, "client_id": "vcenter", "client_secret": SECRET}
        spec.update(extra)
        return spec

    # -- simulator ---------------------------------------------------------------
    def reset(self, providers=None, **config):
        self.api.reset("vcenter", {"providers": providers} if providers else None)
        if config:
            self.api.config("vcenter", **config)

    def config(self, **values):
        return self.api.config("vcenter", **values)

    def state(self):
        return self.api.state("vcenter")

    def providers_state(self):
        return self.state()["providers"]

    def by_name(self, name):
        found = [dict(p, id=pid) for pid, p in self.providers_state().items() if p.get("name") == name]
        assert len(found) == 1, found
        return found[0]

    def sessions(self):
        return self.state()["sessions"]

    def log(self, clear=True):
        entries = self.api.requests("vcenter")
        if clear:
            self.api.clear_requests("vcenter")
        return entries

    def fault(self, **fault):
        return self.api.fault("vcenter", **fault)

    @staticmethod
    def writes(entries):
        return [e for e in entries if e["kind"] == "write"]

    @staticmethod
    def reads(entries):
        return [e for e in entries if e["kind"] == "read"]

    @staticmethod
    def calls(entries):
        return [(e["method"], e["path"], e["status"]) for e in entries]


def stored(name, client_id="vcenter", secret=SECRET, is_default=False, issuer="https://idp.example.com", **extra):
    """A provider as the simulator stores it (OIDC, discovery already done)."""
    prov = {
        "name": name,
        "config_tag": "Oidc",
        "is_default": is_default,
        "org_ids": [],
        "domain_names": [],
        "auth_query_params": {},
        "upn_claim": "acct",
        "groups_claim": "",
        "idm_protocol": None,
        "idm_endpoints": [],
        "active_directory_over_ldap": None,
        "oidc": {
            "discovery_endpoint": issuer + "/.well-known/openid-configuration",
            "client_id": client_id,
            "client_secret": secret,
            "claim_map": {},
            "issuer": issuer,
            "auth_endpoint": issuer + "/authorize",
            "token_endpoint": issuer + "/token",
            "public_key_uri": issuer + "/jwks",
            "authentication_method": "CLIENT_SECRET_BASIC",
        },
    }
    prov.update(extra)
    return prov


def secret_forms(*secrets):
    """Every form in which a secret could leak (clear, encodings, the Basic header with a client id)."""
    out = set()
    for secret in secrets:
        out.update(_http.secret_variants(secret))
        for cid in ("vcenter", "vc-b", "vc-c"):
            out.add(base64.b64encode(("%s:%s" % (cid, secret)).encode()).decode())
    return out


def assert_no_secret(result, *secrets):
    text = json.dumps(result)
    for form in secret_forms(*secrets):
        assert form not in text, "secret leaked as %r" % form


@pytest.fixture
def vc(sim, sim_api, capsys, monkeypatch):
    for name in ("VMWARE_HOST", "VMWARE_USER", "VMWARE_PASSWORD", "VMWARE_PORT", "VMWARE_VALIDATE_CERTS",
                 "VMWARE_SESSION_ID"):
        monkeypatch.delenv(name, raising=False)
    helper = Vc(sim, sim_api, capsys, monkeypatch)
    helper.reset()
    yield helper
    # No test may leave a session open on the vCenter (the module logs out, also on failure),
    # and every response the simulator gave must conform to the vendor spec.
    leftover = helper.sessions()
    app = sim.apps["vcenter"]
    violations = list(app.violations)
    sim_api.clear_faults("vcenter")
    sim_api.reset("vcenter")
    assert not leftover, "sessions left open: %s" % leftover
    assert not violations, "responses that do not conform to the spec: %s" % violations
