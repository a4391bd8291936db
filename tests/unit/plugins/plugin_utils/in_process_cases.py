# Copyright (c) sso.oidc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""When an sso.oidc task may run in Ansible's worker process, and when it must not.

And what the controller-side runner returns: the same result as the module process, compared with a
real module process (the module file run by the same Python, as AnsiballZ runs it) for validation,
masking, fallbacks, warnings, check and diff mode, and a real run against the Checkmarx simulator.

Run by test_in_process.py in a pytest process of their own: importing Ansible's controller
(``ansible.plugins.action``) switches ``ansible.module_utils`` to its controller behaviour for the
whole process (module warnings go straight to Display, tracebacks follow the controller's
settings), which the module tests that share a pytest worker must not see.
"""

import importlib
import json
import os
import subprocess
import sys
import types
from unittest import mock

import pytest

from ansible.module_utils import basic

from conftest import COLLECTIONS_ROOT, warning_texts
from ansible_collections.sso.oidc.plugins.module_utils._module import SsoModule
from ansible_collections.sso.oidc.plugins.plugin_utils import _in_process
from ansible_collections.sso.oidc.plugins.action.oidc_discovery_info import ActionModule
from ansible_collections.sso.oidc.plugins.plugin_utils._in_process import (
    InProcessAction, ModuleExit, WorkerAdapter, no_log_values, run_in_worker, same_python,
)


def make_action(transport="local", become=False, async_val=0, delegate_to=None, module="sso.oidc.cx_oidc_client"):
    """The action as Ansible builds it for a task of ``module``. The module the task runs is resolved by
    Ansible's module loader from the task (``module_fqcn``); this pytest process has no collection loader
    installed, so the unit tests give the resolved name (test_routing_... runs the real resolution)."""
    task = mock.MagicMock(async_val=async_val, delegate_to=delegate_to, action=module, collections=[])
    connection = mock.MagicMock(transport=transport, become=mock.sentinel.become if become else None)
    play_context = mock.MagicMock(become=become, remote_addr="localhost")
    templar = mock.MagicMock()
    templar.template.side_effect = lambda value: value
    action = ActionModule(task, connection, play_context, mock.MagicMock(), templar, mock.MagicMock())
    action.module_fqcn = lambda: module
    return action


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


def test_the_module_is_the_one_the_task_resolves_to():
    assert issubclass(ActionModule, InProcessAction)
    assert make_action(module="sso.oidc.cx_oidc_clients").module_import_name == \
        "ansible_collections.sso.oidc.plugins.modules.cx_oidc_clients"
    for other in ("ansible.builtin.ping", "sso.oidcx.thing", None):
        action = make_action(module=other)
        assert action.module_import_name is None
        assert action._entry_point() == (None, "%s is not a module of sso.oidc" % other)


def test_every_module_is_routed_to_the_one_action_plugin():
    import yaml

    root = os.path.join(os.path.dirname(_in_process.__file__), "..")
    modules = sorted(f[:-3] for f in os.listdir(os.path.join(root, "modules")) if f.endswith(".py"))
    with open(os.path.join(root, "..", "meta", "runtime.yml")) as handle:
        routing = yaml.safe_load(handle)["plugin_routing"]
    assert sorted(routing["modules"]) == modules
    assert set(r["action_plugin"] for r in routing["modules"].values()) == {"sso.oidc.oidc_discovery_info"}
    assert "action" not in routing  # an action redirect would merge the modules' module_defaults (#77059)
    # the one action plugin, named after a module for ansible-test's action-plugin-docs
    assert sorted(f for f in os.listdir(os.path.join(root, "action")) if f.endswith(".py")) == ["oidc_discovery_info.py"]


ROUTING_PLAY = """
- hosts: localhost
  gather_facts: false
  module_defaults:
    sso.oidc.cx_oidc_client_info: {bogus_cx: 1}
    sso.oidc.slashid_sso_cred_info: {bogus_slashid: 1}
    sso.oidc.oidc_discovery_info: {bogus_oidc: 1}
  tasks:
    - sso.oidc.oidc_discovery_info:
        issuer: https://idp.example.invalid
      register: oidc
      ignore_errors: true
    - sso.oidc.cx_oidc_client_info:
      register: cx
      ignore_errors: true
    - sso.oidc.slashid_sso_cred_info:
      register: slashid
      ignore_errors: true
    - name: The short name through the collections keyword
      vcenter_identity_provider_info:
        hostname: vcenter.example.invalid
        bogus_vc: 1
      collections: [sso.oidc]
      register: vc
      ignore_errors: true
    - ansible.builtin.copy:
        dest: "{{ out }}"
        content: "{{ {'cx': cx.msg, 'slashid': slashid.msg, 'vc': vc.msg, 'oidc': oidc.msg} | to_json }}"
      delegate_to: localhost
"""


def test_routing_runs_each_module_in_the_worker_with_its_own_module_defaults(tmp_path):
    """A real ansible-playbook of this line: the task's module is resolved through the routing, runs in the
    worker process, and gets only its own module_defaults (an action redirect would merge them)."""
    playbook = tmp_path / "routing.yml"
    playbook.write_text(ROUTING_PLAY)
    out = tmp_path / "out.json"
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=COLLECTIONS_ROOT, ANSIBLE_COLLECTIONS_SCAN_SYS_PATH="false",
               ANSIBLE_PYTHON_INTERPRETER=sys.executable, ANSIBLE_LOCALHOST_WARNING="false",
               ANSIBLE_INVENTORY_UNPARSED_WARNING="false", ANSIBLE_NOCOLOR="1")
    proc = subprocess.run([os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), "-vvv", "-c", "local",
                           "-i", "localhost,", "-e", "out=%s" % out, str(playbook)],
                          capture_output=True, text=True, env=env, timeout=240, check=False)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    msgs = json.loads(out.read_text())
    assert msgs == {
        "cx": "Unsupported parameters for (sso.oidc.cx_oidc_client_info) module: bogus_cx. Supported parameters "
              "include: " + msgs["cx"].split("include: ", 1)[-1],
        "slashid": "Unsupported parameters for (sso.oidc.slashid_sso_cred_info) module: bogus_slashid. Supported "
                   "parameters include: " + msgs["slashid"].split("include: ", 1)[-1],
        "vc": "Unsupported parameters for (vcenter_identity_provider_info) module: bogus_vc. Supported parameters "
              "include: " + msgs["vc"].split("include: ", 1)[-1],
        "oidc": "Unsupported parameters for (sso.oidc.oidc_discovery_info) module: bogus_oidc. Supported parameters "
                "include: " + msgs["oidc"].split("include: ", 1)[-1],
    }, msgs
    for name in ("sso.oidc.cx_oidc_client_info", "sso.oidc.slashid_sso_cred_info", "vcenter_identity_provider_info",
                 "sso.oidc.oidc_discovery_info"):
        assert "sso.oidc: %s runs in the worker process" % name in proc.stdout, proc.stdout[-4000:]


# ----------------------------------------------------------------------------- the runner

MODULES = os.path.join(COLLECTIONS_ROOT, "ansible_collections", "sso", "oidc", "plugins", "modules")
PASSWORD = "uc-pw-Secret-81f2"
CLIENT_SECRET = "uc-client-Secret-4c1d"
NESTED_SECRET = "uc-nested-Secret-77aa"
ENV_PASSWORD = "uc-env-pw-Secret-5e09"
SECRETS = (PASSWORD, CLIENT_SECRET, NESTED_SECRET, ENV_PASSWORD)
KNOWN_INTERNAL = set("_ansible_%s" % k for k in getattr(basic, "PASS_VARS", {}))


def internal(name, check=False, diff=False, verbosity=0, **extra):
    """The _ansible_* settings ActionBase._update_module_args gives a module (those this ansible-core knows)."""
    args = {"_ansible_module_name": "sso.oidc." + name, "_ansible_check_mode": check, "_ansible_diff": diff,
            "_ansible_verbosity": verbosity, "_ansible_debug": False, "_ansible_no_log": False}
    if "_ansible_inject_invocation" in KNOWN_INTERNAL:  # ansible-core 2.21+
        args["_ansible_inject_invocation"] = True
    if "_ansible_tracebacks_for" in KNOWN_INTERNAL:  # ansible-core 2.19+
        args["_ansible_tracebacks_for"] = []
    args.update(extra)
    return args


def as_module_process(name, args, env=None, tmp_path=None):
    """The module file run as its own process by this Python (what AnsiballZ does on the controller)."""
    path = os.path.join(str(tmp_path), "args.json")
    with open(path, "w") as handle:
        json.dump({"ANSIBLE_MODULE_ARGS": args}, handle)
    run_env = dict(os.environ, PYTHONPATH=COLLECTIONS_ROOT)
    run_env.update(env or {})
    proc = subprocess.run([sys.executable, os.path.join(MODULES, name + ".py"), path], capture_output=True,
                          text=True, env=run_env, timeout=120, check=False)
    lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
    assert lines, proc.stdout + proc.stderr
    return normal(json.loads(lines[-1]))


def in_worker(name, args, env=None):
    module = importlib.import_module("ansible_collections.sso.oidc.plugins.modules." + name)
    with _in_process.environment(env or {}):
        return normal(run_in_worker(module, args, SsoModule))


def normal(result):
    """Warnings as texts (2.19+ modules print structured ones); no traceback (it differs by nature)."""
    result = dict(result)
    result.pop("exception", None)
    if "warnings" in result:
        result["warnings"] = warning_texts(result)
    return result


def both(name, args, tmp_path, env=None):
    module = as_module_process(name, args, env=env, tmp_path=tmp_path)
    worker = in_worker(name, args, env=env)
    assert worker == module
    for secret in SECRETS:
        assert secret not in json.dumps(worker)
    return worker


@pytest.fixture(autouse=False)
def no_cx_env(monkeypatch):
    for name in [n for n in os.environ if n.startswith("CX_")]:
        monkeypatch.delenv(name)


def test_every_module_exposes_its_spec_and_entry_point_and_main_uses_them():
    for filename in sorted(os.listdir(MODULES)):
        if not filename.endswith(".py"):
            continue
        module = importlib.import_module("ansible_collections.sso.oidc.plugins.modules." + filename[:-3])
        if not hasattr(module, "module_spec"):
            # A module without it runs as a module process (see test_a_module_without_an_entry_point...).
            continue
        spec = module.module_spec()
        assert isinstance(spec["argument_spec"], dict) and callable(module.run)
        with open(module.__file__) as handle:
            text = handle.read()
        # The module file's shape (docs/developing.md): its documentation, then the same lines (module_spec and
        # run on two lines: ansible-doc warns on a tuple assignment after RETURN; the tuple form still runs).
        assert ("\nmodule_spec = MODULE.module_spec\nrun = MODULE.run\n" in text
                or "\nmodule_spec, run = MODULE.module_spec, MODULE.run\n" in text), filename
        assert "\ndef main():\n    MODULE.main()\n" in text, filename
        # The runner reproduces AnsibleModule's alias warnings but no deprecation: keep options undeprecated.
        stack = [spec["argument_spec"]]
        while stack:
            for opts in stack.pop().values():
                assert not set(opts) & {"removed_in_version", "removed_at_date", "deprecated_aliases"}, filename
                if opts.get("options"):
                    stack.append(opts["options"])


def test_a_module_without_an_entry_point_runs_as_a_module(monkeypatch):
    action = make_action()
    bare = types.ModuleType("bare")
    monkeypatch.setitem(sys.modules, action.module_import_name, bare)
    assert action._entry_point() == (None, "the module has no module_spec()/run() entry point")
    monkeypatch.setitem(sys.modules, action.module_import_name, None)  # import raises ImportError
    module, reason = action._entry_point()
    assert module is None and reason.startswith("the module cannot be imported on the controller (ModuleNotFoundError")


def test_the_real_modules_have_an_entry_point():
    action = make_action(module="sso.oidc.cx_oidc_clients")
    module, reason = action._entry_point()
    assert reason is None and module.__name__.endswith(".cx_oidc_clients")


def test_unknown_option_fails_like_the_module(tmp_path, no_cx_env):
    args = dict(internal("cx_oidc_client"), url="https://cx.invalid", password=PASSWORD, client_id="a",
                no_such_option=1)
    res = both("cx_oidc_client", args, tmp_path)
    assert res["failed"] and res["msg"].startswith(
        "Unsupported parameters for (sso.oidc.cx_oidc_client) module: no_such_option. Supported parameters include:")


def test_a_refused_type_and_a_missing_option_fail_like_the_module(tmp_path, no_cx_env):
    res = both("cx_oidc_client", dict(internal("cx_oidc_client"), url="https://cx.invalid", client_id="a",
                                      access_token_lifetime="soon", password=PASSWORD), tmp_path)
    assert res["failed"] and "access_token_lifetime" in res["msg"]
    res = both("cx_oidc_client", dict(internal("cx_oidc_client"), url="https://cx.invalid"), tmp_path)
    assert res["failed"] and "client_id" in res["msg"]


def test_mutually_exclusive_and_required_one_of_come_from_the_module_spec(tmp_path):
    res = both("vcenter_identity_provider_info",
               dict(internal("vcenter_identity_provider_info"), hostname="vc.invalid", name="a", provider_id="b"),
               tmp_path)
    assert res["failed"] and "mutually exclusive" in res["msg"]


def test_nested_no_log_values_are_masked_everywhere_like_the_module(tmp_path, no_cx_env):
    # A refused entry fails before any request: invocation.module_args shows every option, masked.
    args = dict(internal("cx_oidc_clients"), url="https://cx.invalid", password=PASSWORD, state="merged",
                config=[{"client_id": "a", "client_secrets": [NESTED_SECRET], "access_token_lifetime": -1},
                        {"client_id": "a", "client_secrets": [CLIENT_SECRET]}])
    res = both("cx_oidc_clients", args, tmp_path)
    assert res["failed"]
    shown = res["invocation"]["module_args"] if "invocation" in res else None
    if shown is not None:
        assert shown["password"] == "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"
        assert shown["config"][0]["client_secrets"] == ["VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"]
        # A no_log option's default is masked as well.
        assert shown["auth_client_secret"] == "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"


def test_no_log_values_walks_nested_options_aliases_and_leaves():
    spec = {"a": {"type": "str", "no_log": True, "aliases": ["b"]},
            "n": {"type": "int", "no_log": True},
            "flag": {"type": "bool", "no_log": True},
            "d": {"type": "dict", "no_log": True},
            "items": {"type": "list", "elements": "dict", "options": {
                "s": {"type": "str", "no_log": True},
                "inner": {"type": "dict", "options": {"k": {"type": "list", "no_log": True}}}}}}
    params = {"b": "alias-value", "n": 42, "flag": True, "d": {"x": "dv", "y": [b"bv", None]},
              "items": [{"s": "sv", "inner": {"k": ["k1", 7]}}, "not a dict", {"s": ""}]}
    assert no_log_values(spec, params) == {"alias-value", "42", "dv", "bv", "sv", "k1", "7"}
    assert no_log_values(spec, None) == set()


def test_fallback_values_from_the_environment_are_masked_like_the_module(tmp_path, no_cx_env):
    env = {"CX_URL": "https://cx.invalid", "CX_USERNAME": "admin", "CX_PASSWORD": ENV_PASSWORD}
    res = both("cx_oidc_client", dict(internal("cx_oidc_client"), client_id="a", access_token_lifetime=-5,
                                      no_such_option=True), tmp_path, env=env)
    if "invocation" in res:
        assert res["invocation"]["module_args"]["password"] == "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"
        assert res["invocation"]["module_args"]["url"] == "https://cx.invalid"
    assert ENV_PASSWORD not in json.dumps(res)


def test_alias_warnings_come_with_the_failure_like_the_module(tmp_path):
    args = dict(internal("wickr_oidc_info"), network_id="1", region="us-east-1", access_key="AKIA1",
                aws_access_key_id="AKIA1", secret_key="s-Secret", no_such_option=1)
    res = both("wickr_oidc_info", args, tmp_path)
    assert res["failed"] and res["warnings"] == ["Both option access_key and its alias aws_access_key_id are set."]


def test_check_diff_warnings_and_a_real_run_like_the_module(tmp_path, cx, cx_conn):
    client = dict(cx_conn, client_id="uc-app", name="Unit app", allowed_grant_types=["authorization_code"],
                  redirect_uris=["https://uc.example.com/cb"], client_secrets=[CLIENT_SECRET])
    checked = both("cx_oidc_client", dict(internal("cx_oidc_client", check=True, diff=True), **client), tmp_path)
    assert checked["changed"] and checked["action"] == "created" and "diff" in checked
    assert not cx.state("checkmarx").get("clients", [{}]) or all(
        c.get("clientId") != "uc-app" for c in cx.state("checkmarx")["clients"])
    created = in_worker("cx_oidc_client", dict(internal("cx_oidc_client", diff=True), **client))
    assert created["changed"] and created["diff"]["after"]["client_secrets"] != [CLIENT_SECRET]
    rerun = both("cx_oidc_client", dict(internal("cx_oidc_client"), **client), tmp_path)
    assert not rerun["changed"] and rerun["action"] == "unchanged" and "diff" not in rerun
    # A refused login: the vendor's failure, masked, the same both ways.
    refused = both("cx_oidc_client", dict(internal("cx_oidc_client"), **dict(client, password=PASSWORD)), tmp_path)
    assert refused["failed"]


def test_warnings_reach_the_result_once(tmp_path, cx, cx_conn):
    spec = importlib.import_module("ansible_collections.sso.oidc.plugins.modules.cx_oidc_client_info").module_spec()
    adapter = WorkerAdapter(dict(internal("cx_oidc_client_info"), **cx_conn), **spec)
    sm = SsoModule(adapter=adapter, **spec)
    sm.warn("careful with " + cx_conn["password"])
    sm.warn("careful with " + cx_conn["password"])
    with pytest.raises(ModuleExit) as done:
        sm.exit(changed=False)
    assert done.value.result["warnings"] == ["careful with ********"]


def fail_while_handling(adapter, msg, **result):
    """fail_json called from an except block, as SsoModule.run does; returns the result."""
    try:
        raise ValueError("boom")
    except ValueError:
        try:
            adapter.fail_json(msg, **result)
        except ModuleExit as done:
            return done.result
    raise AssertionError("fail_json did not end the run")


def test_failures_and_tracebacks():
    spec = {"argument_spec": {"name": {"type": "str"}}}
    result = fail_while_handling(WorkerAdapter(dict(internal("x", verbosity=3), name="n"), **spec), "it failed", extra=1)
    assert result["failed"] is True and result["msg"] == "it failed" and result["extra"] == 1
    if "_ansible_tracebacks_for" in KNOWN_INTERNAL:  # 2.19+: only when the controller asks for error tracebacks
        assert "exception" not in result
        adapter = WorkerAdapter(dict(internal("x", _ansible_tracebacks_for=["error"]), name="n"), **spec)
    else:  # 2.16 to 2.18: at -vvv
        assert "fail_while_handling" in result["exception"]
        quiet = WorkerAdapter(dict(internal("x", verbosity=0), name="n"), **spec)
        assert "exception" not in fail_while_handling(quiet, "no traceback below -vvv")
        adapter = WorkerAdapter(dict(internal("x", verbosity=3), name="n"), **spec)
    assert "exception" in fail_while_handling(adapter, "with traceback")
    # Outside an exception there is no traceback to give.
    try:
        adapter.fail_json("plain")
    except ModuleExit as done:
        assert "exception" not in done.result
    else:
        raise AssertionError("fail_json did not end the run")


def test_invocation_follows_inject_invocation_and_results_are_json():
    spec = {"argument_spec": {"name": {"type": "str"}, "pw": {"type": "str", "no_log": True}}}
    adapter = WorkerAdapter(dict(internal("x"), name="n", pw="pw-Secret-9", _ansible_inject_invocation=False),
                            **spec)
    with pytest.raises(ModuleExit) as done:
        adapter.exit_json(changed=False, data=("pw-Secret-9", 1), none=None, invocation={"x": 1})
    assert done.value.result == {"changed": False, "data": ["VALUE_SPECIFIED_IN_NO_LOG_PARAMETER", 1], "none": None}
    adapter = WorkerAdapter(dict(internal("x"), name="n", pw="pw-Secret-9"), **spec)
    with pytest.raises(ModuleExit) as done:
        adapter.exit_json(changed=True, msg="has pw-Secret-9 inside")
    result = done.value.result
    assert result["msg"] == "has ******** inside"
    if "_ansible_inject_invocation" in KNOWN_INTERNAL or "_ansible_inject_invocation" not in internal("x"):
        assert result["invocation"] == {"module_args": {"name": "n", "pw": "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"}}


def test_check_mode_of_a_module_without_it_is_skipped():
    adapter_args = dict(internal("x", check=True), name="n")
    with pytest.raises(ModuleExit) as done:
        WorkerAdapter(adapter_args, argument_spec={"name": {"type": "str"}}, supports_check_mode=False)
    assert done.value.result["skipped"] is True and "does not support check mode" in done.value.result["msg"]
    adapter = WorkerAdapter(dict(internal("x", check=True, diff=True), name="n"), argument_spec={"name": {}},
                            supports_check_mode=True)
    assert adapter.check_mode and adapter.diff_mode and adapter.params == {"name": "n"}


def test_unknown_options_may_be_ignored_when_the_controller_says_so():
    adapter = WorkerAdapter(dict(internal("x"), name="n", other=1, _ansible_ignore_unknown_opts=True),
                            argument_spec={"name": {"type": "str"}})
    assert adapter.params["name"] == "n"


def test_an_exception_outside_the_module_run_is_a_masked_failure():
    module = types.ModuleType("broken")
    module.module_spec = lambda: {"argument_spec": {"pw": {"type": "str", "no_log": True}}}

    def run(sm):
        raise AssertionError("cannot happen")
    module.run = run

    class Exploding(SsoModule):
        def run(self, fn):
            raise RuntimeError("broken with %s" % self.params["pw"])
    result = run_in_worker(module, dict(internal("x"), pw="pw-Secret-3"), Exploding)
    assert result["failed"] and result["msg"] == "MODULE FAILURE: RuntimeError: broken with ********"
    assert "pw-Secret-3" not in json.dumps(result)
    # A run() that returns without exit_json/fail_json is a failure too.
    module.run = lambda sm: None
    result = run_in_worker(module, dict(internal("x"), pw="pw-Secret-3"), SsoModule)
    assert result["failed"] and "returned without a result" in result["msg"]


def test_environment_is_applied_and_restored_also_on_an_exception(monkeypatch):
    monkeypatch.setenv("SSO_OIDC_KEEP", "1")
    monkeypatch.delenv("SSO_OIDC_EXTRA", raising=False)
    with _in_process.environment({"SSO_OIDC_EXTRA": 5, "SSO_OIDC_KEEP": "2"}):
        assert os.environ["SSO_OIDC_EXTRA"] == "5" and os.environ["SSO_OIDC_KEEP"] == "2"
    assert "SSO_OIDC_EXTRA" not in os.environ and os.environ["SSO_OIDC_KEEP"] == "1"
    with pytest.raises(ModuleExit):
        with _in_process.environment({"SSO_OIDC_EXTRA": "x"}):
            raise ModuleExit({})
    assert "SSO_OIDC_EXTRA" not in os.environ
    with _in_process.environment({}):
        assert os.environ["SSO_OIDC_KEEP"] == "1"


def test_the_action_runs_the_module_with_the_tasks_environment(monkeypatch, cx, cx_conn):
    """_run_in_worker: module args from _update_module_args, environment from _compute_environment_string."""
    monkeypatch.delenv("CX_PASSWORD", raising=False)
    action = make_action(module="sso.oidc.cx_oidc_client_info")
    action._task.args = dict((k, v) for k, v in cx_conn.items() if k != "password")
    action._task.action = "sso.oidc.cx_oidc_client_info"

    def update_module_args(name, args, task_vars):
        args.update(internal("cx_oidc_client_info"))

    def compute_environment(out):
        out["CX_PASSWORD"] = cx_conn["password"]
        assert os.environ.get("CX_PASSWORD") is None
        return "CX_PASSWORD=..."
    action._update_module_args = update_module_args
    action._compute_environment_string = compute_environment
    module, reason = action._entry_point()
    result = action._run_in_worker(module, local_vars())
    assert not result.get("failed"), result
    assert isinstance(result["clients"], list) and "CX_PASSWORD" not in os.environ
    assert cx_conn["password"] not in json.dumps(result)


def test_no_private_ansible_core_name_is_used():
    root = os.path.join(os.path.dirname(_in_process.__file__), "..")
    for folder, _dirs, files in os.walk(root):
        for filename in files:
            if filename.endswith(".py"):
                with open(os.path.join(folder, filename)) as handle:
                    text = handle.read()
                for needle in ("._internal", "basic._ANSIBLE_", "ansible.vars.clean", "_parse_returned_data"):
                    assert needle not in text, (filename, needle)


def test_arguments_and_results_are_plain_json_like_a_module_process_gets_them():
    class Tagged(str):
        pass
    data = {"s": Tagged("x"), "t": (1, 2), "b": b"bytes", "n": None, "when": types.SimpleNamespace()}
    plain = _in_process.as_json(data)
    assert plain["s"].__class__ is str and plain["t"] == [1, 2] and plain["b"] == "bytes" and plain["n"] is None
    assert isinstance(plain["when"], str)


def test_the_main_process_preloads_every_module_and_the_rollout_filters_a_worker_does_not():
    """Importing the action plugin (as Ansible's main process does for an oidc_discovery_info task) imports every
    module and the rollout filters, so forked workers inherit them; in a forked worker, preload_modules() imports
    nothing."""
    import multiprocessing

    modules_dir = os.path.join(os.path.dirname(os.path.dirname(_in_process.__file__)), "modules")
    names = sorted(n[:-3] for n in os.listdir(modules_dir) if n.endswith(".py"))
    wanted = ["ansible_collections.sso.oidc.plugins.modules.%s" % n for n in names]
    wanted.append("ansible_collections.sso.oidc.plugins.filter.rollout")
    # a fresh Python that imports the action plugin file, as Ansible's main process does
    probe = ("import json, sys; import ansible_collections.sso.oidc.plugins.action.oidc_discovery_info; "
             "print(json.dumps([n for n in %r if n not in sys.modules]))" % (wanted,))
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=False, timeout=120,
                          env=dict(os.environ, PYTHONPATH=COLLECTIONS_ROOT))
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert json.loads(proc.stdout.strip().splitlines()[-1]) == []

    def child(queue):
        for name in wanted:
            sys.modules.pop(name, None)
        _in_process.preload_modules()
        queue.put([name for name in wanted if name in sys.modules])

    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    process = context.Process(target=child, args=(queue,))
    process.start()
    imported = queue.get(timeout=60)
    process.join(60)
    assert process.exitcode == 0 and imported == []
