# Copyright (c) sso.oidc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""When an sso.oidc task may run in Ansible's worker process, and when it must not.

Run by test_in_process.py in a pytest process of their own: importing Ansible's controller
(``ansible.plugins.action``) switches ``ansible.module_utils`` to its controller behaviour for the
whole process (module warnings go straight to Display, tracebacks follow the controller's
settings), which the module tests that share a pytest worker must not see.
"""

import os
import sys
from unittest import mock

import pytest

from ansible_collections.sso.oidc.plugins.plugin_utils import _in_process
from ansible_collections.sso.oidc.plugins.plugin_utils._in_process import InProcessAction, same_python


def make_action(transport="local", become=False, async_val=0, delegate_to=None):
    task = mock.MagicMock(async_val=async_val, delegate_to=delegate_to, action="sso.oidc.cx_oidc_client")
    connection = mock.MagicMock(transport=transport, become=mock.sentinel.become if become else None)
    play_context = mock.MagicMock(become=become, remote_addr="localhost")
    templar = mock.MagicMock()
    templar.template.side_effect = lambda value: value
    return InProcessAction(task, connection, play_context, mock.MagicMock(), templar, mock.MagicMock())


def local_vars(**extra):
    task_vars = {"ansible_python_interpreter": sys.executable}
    task_vars.update(extra)
    return task_vars


def test_same_python(tmp_path):
    assert same_python(sys.executable)
    assert not same_python(None)
    assert not same_python("python3")  # not an absolute path: another lookup may find another Python
    assert not same_python("/usr/bin/env python3")
    real = tmp_path / "bin" / "python3.11"
    real.parent.mkdir()
    real.write_text("")
    (tmp_path / "bin" / "python3").symlink_to(real)
    assert same_python(str(tmp_path / "bin" / "python3"), executable=str(real))
    # A virtualenv's python links to its base Python but has other site-packages: not the same.
    venv = tmp_path / "venv" / "bin"
    venv.mkdir(parents=True)
    (venv / "python").symlink_to(real)
    assert not same_python(str(venv / "python"), executable=str(real))


def test_local_connection_with_the_controllers_python_runs_in_process():
    assert make_action().not_in_process(local_vars()) is None


@pytest.mark.parametrize("switch", [False, "false", "no", 0, "0"])
def test_the_switch_turns_it_off(switch):
    assert make_action().not_in_process(local_vars(sso_oidc_in_process=switch)) == "sso_oidc_in_process is false"


@pytest.mark.parametrize("switch", [True, "true", "yes", 1])
def test_the_switch_on_is_the_default(switch):
    assert make_action().not_in_process(local_vars(sso_oidc_in_process=switch)) is None


def test_a_switch_that_is_not_a_boolean_is_named():
    assert make_action().not_in_process(local_vars(sso_oidc_in_process="sometimes")) == \
        "sso_oidc_in_process must be a boolean"


@pytest.mark.parametrize("kwargs, reason", [
    ({"transport": "ssh"}, "the connection is not local"),
    ({"transport": "ansible.netcommon.httpapi"}, "the connection is not local"),
    ({"become": True}, "become is set"),
    ({"async_val": 30}, "the task is async"),
])
def test_what_a_worker_cannot_reproduce_runs_as_a_module(kwargs, reason):
    assert make_action(**kwargs).not_in_process(local_vars()) == reason


def test_another_interpreter_runs_as_a_module():
    reason = make_action().not_in_process({"ansible_python_interpreter": "/usr/bin/python3.6"})
    assert reason.startswith("the module's interpreter (/usr/bin/python3.6) is not the controller's Python")


def test_an_interpreter_still_to_discover_runs_as_a_module():
    reason = make_action().not_in_process({"ansible_python_interpreter": "auto_silent"})
    assert "not known yet" in reason


def test_the_interpreter_from_ansible_python_interpreter_in_the_environment(monkeypatch):
    monkeypatch.setenv("ANSIBLE_PYTHON_INTERPRETER", sys.executable)
    assert make_action().not_in_process({}) is None
    monkeypatch.setenv("ANSIBLE_PYTHON_INTERPRETER", "/usr/bin/python3.6")
    assert "(/usr/bin/python3.6)" in make_action().not_in_process({})
    # The host's variable wins over the environment, as in ansible-core.
    assert make_action().not_in_process(local_vars()) is None


def test_no_interpreter_set_and_none_discovered_runs_as_a_module(monkeypatch):
    monkeypatch.delenv("ANSIBLE_PYTHON_INTERPRETER", raising=False)
    assert "not known yet" in make_action().not_in_process({})


def test_a_discovered_interpreter_counts():
    task_vars = {"ansible_python_interpreter": "auto", "ansible_facts": {"discovered_interpreter_python": sys.executable}}
    assert make_action().not_in_process(task_vars) is None


def test_delegation_uses_the_delegated_hosts_interpreter():
    task_vars = {"ansible_python_interpreter": "/opt/other/python",
                 "ansible_delegated_vars": {"localhost": {"ansible_python_interpreter": sys.executable}}}
    assert make_action(delegate_to="localhost").not_in_process(task_vars) is None
    assert make_action().not_in_process(task_vars) is not None


def test_not_linux_runs_as_a_module(monkeypatch):
    monkeypatch.setattr(_in_process.sys, "platform", "darwin")
    assert make_action().not_in_process(local_vars()) == "the controller is not Linux"


def test_the_module_is_named_after_the_action_plugin():
    from ansible_collections.sso.oidc.plugins.action import cx_oidc_clients

    action = make_action()
    action.__class__ = cx_oidc_clients.ActionModule
    assert action.module_import_name == "ansible_collections.sso.oidc.plugins.modules.cx_oidc_clients"


def test_every_module_has_its_action_plugin():
    root = os.path.join(os.path.dirname(_in_process.__file__), "..")
    modules = sorted(f for f in os.listdir(os.path.join(root, "modules")) if f.endswith(".py"))
    actions = sorted(f for f in os.listdir(os.path.join(root, "action")) if f.endswith(".py"))
    assert modules == actions


def test_this_ansible_core_has_the_hooks():
    assert _in_process._core_hooks() is not None


def test_environment_is_applied_and_restored(monkeypatch):
    monkeypatch.setenv("SSO_OIDC_KEEP", "1")
    monkeypatch.delenv("SSO_OIDC_EXTRA", raising=False)
    with _in_process._environment({"SSO_OIDC_EXTRA": 5, "SSO_OIDC_KEEP": "2"}):
        assert os.environ["SSO_OIDC_EXTRA"] == "5" and os.environ["SSO_OIDC_KEEP"] == "2"
    assert "SSO_OIDC_EXTRA" not in os.environ and os.environ["SSO_OIDC_KEEP"] == "1"


def test_module_warnings_stay_in_their_run():
    # In a controller process module_utils' warn() goes straight to Display; an ansible-core that
    # collects module warnings in these dicts must not carry them from one loop item to the next.
    hooks = _in_process._core_hooks()
    warnings, basic = hooks["warnings"], hooks["basic"]
    warnings._global_warnings["before"] = None
    try:
        with _in_process._module_globals(hooks, b"{}"):
            assert not warnings._global_warnings
            assert basic._ANSIBLE_ARGS == b"{}" and basic._ANSIBLE_PROFILE == "legacy"
            warnings._global_warnings["during"] = None
            warnings._global_deprecations["during"] = None
        assert list(warnings._global_warnings) == ["before"] and not warnings._global_deprecations
        assert basic._ANSIBLE_ARGS is None
    finally:
        warnings._global_warnings.clear()
        warnings._global_deprecations.clear()
