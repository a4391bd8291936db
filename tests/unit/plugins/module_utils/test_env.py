# Copyright (c) sso.oidc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""_env: environment fallbacks as AWX injects them (an empty variable counts as unset)."""

import importlib
import os

import pytest

from ansible.module_utils.errors import AnsibleFallbackNotFound

from ansible_collections.sso.oidc.plugins.module_utils import _env


def test_first_non_empty_variable_wins(monkeypatch):
    monkeypatch.setenv("SSO_T_A", "")
    monkeypatch.setenv("SSO_T_B", "b")
    assert _env.env_fallback("SSO_T_A", "SSO_T_B") == "b"
    monkeypatch.setenv("SSO_T_A", "a")
    assert _env.env_fallback("SSO_T_A", "SSO_T_B") == "a"


def test_empty_or_missing_variables_are_unset(monkeypatch):
    monkeypatch.setenv("SSO_T_A", "")
    monkeypatch.delenv("SSO_T_B", raising=False)
    with pytest.raises(AnsibleFallbackNotFound):
        _env.env_fallback("SSO_T_A", "SSO_T_B")


def test_white_space_is_a_value(monkeypatch):
    monkeypatch.setenv("SSO_T_A", " ")
    assert _env.env_fallback("SSO_T_A") == " "


def test_ca_fallback_skips_an_empty_file(monkeypatch, tmp_path):
    empty = tmp_path / "empty.pem"
    empty.write_text("")
    blank = tmp_path / "blank.pem"
    blank.write_text("\n  \n")
    real = tmp_path / "ca.pem"
    real.write_text("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n")
    for path in (empty, blank):
        monkeypatch.setenv("SSO_T_CA", str(path))
        with pytest.raises(AnsibleFallbackNotFound):
            _env.ca_file_fallback("SSO_T_CA")
    monkeypatch.setenv("SSO_T_CA", str(real))
    assert _env.ca_file_fallback("SSO_T_CA") == str(real)
    # a path that does not exist is passed on: the connection reports it with its own message
    monkeypatch.setenv("SSO_T_CA", str(tmp_path / "missing.pem"))
    assert _env.ca_file_fallback("SSO_T_CA") == str(tmp_path / "missing.pem")
    monkeypatch.setenv("SSO_T_CA", "")
    with pytest.raises(AnsibleFallbackNotFound):
        _env.ca_file_fallback("SSO_T_CA")


MODULES_DIR = os.path.join(os.path.dirname(os.path.abspath(_env.__file__)), os.pardir, "modules")
MODULES = sorted(name[:-3] for name in os.listdir(MODULES_DIR) if name.endswith(".py") and not name.startswith("_"))


def _fallbacks(spec, where=""):
    for name, opt in spec.items():
        if opt.get("fallback"):
            yield where + name, opt["fallback"]
        if opt.get("options"):
            yield from _fallbacks(opt["options"], where + name + ".")


def _argument_spec(module_name, monkeypatch):
    """The argument spec a module builds, captured at SsoModule(...)."""
    from ansible_collections.sso.oidc.plugins.module_utils import _module

    mod = importlib.import_module("ansible_collections.sso.oidc.plugins.modules." + module_name)
    seen = {}

    class Stop(Exception):
        pass

    def capture(*args, **kwargs):
        seen["spec"] = kwargs.get("argument_spec", args[0] if args else None)
        raise Stop()

    monkeypatch.setattr(mod, "SsoModule", capture, raising=False)
    monkeypatch.setattr(_module, "SsoModule", capture)
    with pytest.raises(Stop):
        mod.main()
    return seen["spec"]


@pytest.mark.parametrize("module_name", MODULES)
def test_every_environment_fallback_counts_empty_as_unset(module_name, monkeypatch):
    spec = _argument_spec(module_name, monkeypatch)
    found = list(_fallbacks(spec))
    assert found or module_name == "oidc_discovery_info"
    for name, fallback in found:
        assert fallback[0] in (_env.env_fallback, _env.ca_file_fallback), "%s.%s" % (module_name, name)
        for var in fallback[1]:
            monkeypatch.setenv(var, "")
        with pytest.raises(AnsibleFallbackNotFound):
            fallback[0](*fallback[1])
