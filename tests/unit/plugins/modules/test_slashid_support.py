# Copyright (c) sso.oidc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Shared by the SlashID module tests: run a module's main() in-process against the real simulator.

No test lives here; the other test_slashid_*.py files import the fixture and helpers.
"""

import importlib

import pytest

from conftest import run_module as run_main, warning_texts

SIM = "slashid"
PATH = "/organizations/sso/oidc/provider-credentials"


def _es256_key():
    """A fresh ES256 (P-256) private key in PKCS8 PEM, as Apple issues them."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    key = ec.generate_private_key(ec.SECP256R1())
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption()).decode("ascii").strip()


APPLE_KEY = _es256_key()
APPLE_KEY_2 = _es256_key()


class Runner(object):
    """Runs sso.oidc SlashID modules against the simulator and reads its control API."""

    def __init__(self, sim, sim_api, capsys):
        self.sim = sim
        self.api = sim_api
        self.capsys = capsys
        self.app = sim.apps[SIM]
        self.base = {
            "org_id": self.app.config["org_id"],
            "api_key": self.app.config["api_key"],
            "api_url": self.app.url,
            "ca_path": sim.pki.ca_path,
        }

    def run(self, module, check=False, diff=False, base=True, **args):
        """main() of ``module`` with ``args``; returns the result dict (``failed`` set on failure).

        ``result["_raw"]`` is the module's whole JSON output as text (to look for leaked secrets)."""
        mod = importlib.import_module("ansible_collections.sso.oidc.plugins.modules." + module)
        params = dict(self.base) if base else {}
        params.update(args)
        return run_main(self.capsys, mod, params, check=check, diff=diff)

    def cred(self, check=False, diff=False, **args):
        return self.run("slashid_sso_cred", check=check, diff=diff, **args)

    def creds(self, check=False, diff=False, **args):
        return self.run("slashid_sso_creds", check=check, diff=diff, **args)

    def info(self, **args):
        return self.run("slashid_sso_cred_info", **args)

    # -- simulator ------------------------------------------------------------
    def reset(self, **credentials):
        self.api.reset(SIM, {"credentials": credentials} if credentials else None)

    def state(self):
        return self.api.state(SIM)["credentials"]

    def log(self, clear=True):
        entries = self.api.requests(SIM)
        if clear:
            self.api.clear_requests(SIM)
        return entries

    def writes(self, entries):
        return [e for e in entries if e["method"] in ("POST", "PATCH", "DELETE")]

    def config(self, **values):
        return self.api.config(SIM, **values)

    def fault(self, **fault):
        return self.api.fault(SIM, **fault)


@pytest.fixture
def slashid(sim, sim_api, capsys):
    """A Runner on a freshly reset SlashID simulator; fails the test on any spec violation of the simulator."""
    runner = Runner(sim, sim_api, capsys)
    runner.reset()
    del runner.app.violations[:]
    yield runner
    violations = list(runner.app.violations)
    del runner.app.violations[:]
    runner.reset()
    assert not violations, "the SlashID simulator answered outside its spec: %r" % violations


def google(client_id="123-abc.apps.googleusercontent.com", **extra):
    entry = {"client_id": client_id, "client_secret": "google-secret-0001", "provider": "google"}
    entry.update(extra)
    return entry


def stored(client_id, provider="google", secret="stored-secret-0001", **extra):
    """A credential as the simulator stores it (for seeding)."""
    cred = {"client_id": client_id, "client_secret": secret, "provider": provider}
    cred.update(extra)
    return cred


def no_secret_in(result, *secrets):
    for secret in secrets:
        assert secret not in result["_raw"], "secret leaked into the module output"


warnings = warning_texts
