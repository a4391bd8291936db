# -*- coding: utf-8 -*-
# Copyright (c) sso.oidc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run an sso.oidc module inside Ansible's worker process when that changes nothing but speed (private).

Every sso.oidc module talks to an HTTP API. Run the usual way, each task (each loop item) writes an
AnsiballZ payload to a temporary directory and starts a new Python that imports
``ansible.module_utils.basic``, ``requests`` and the collection's module_utils again. That costs
far more than the module's own work. When the task runs on the controller itself, the worker
process that Ansible has already started for the task can run the module's ``main()``:

- the same module code, argument validation, fallbacks, ``no_log`` masking and result;
- the same Python, checked below (the interpreter Ansible would start for the module must be the
  one the controller runs on), the same user (no ``become``), the same environment (the task's
  ``environment`` keyword is applied around the call);
- the module's JSON answer goes through the same parser as a module's output on a target.

Anything else (a remote connection, ``become``, ``async``, another interpreter, an ansible-core
without the hooks used here, a platform other than Linux, or ``sso_oidc_in_process: false``)
runs the module the usual way. ``-vvv`` says which way a task ran and why.
"""

from __future__ import annotations

import contextlib
import importlib
import io
import json
import os
import sys

from ansible import constants as C
from ansible.module_utils.parsing.convert_bool import boolean
from ansible.plugins.action import ActionBase
from ansible.utils.display import Display
from ansible.utils.vars import merge_hash

display = Display()

SWITCH = "sso_oidc_in_process"
PROFILE = "legacy"  # the serialization profile of a module that declares none (all of ours)
DISCOVERY = ("", "auto", "auto_legacy", "auto_silent", "auto_legacy_silent")


def same_python(interpreter, executable=None):
    """True when ``interpreter`` names the Python this process runs on (a venv's python is not its base)."""
    executable = os.path.abspath(executable or sys.executable)
    if not interpreter or not os.path.isabs(interpreter):
        return False
    candidate = os.path.abspath(interpreter)
    if candidate == executable:
        return True
    # python, python3 and python3.11 of one bin directory are the same interpreter and site-packages.
    return (os.path.dirname(candidate) == os.path.dirname(executable)
            and os.path.realpath(candidate) == os.path.realpath(executable))


def _core_hooks():
    """The ansible-core pieces the in-process run relies on, or None when this ansible-core lacks them."""
    try:
        from ansible.module_utils import basic
        from ansible.module_utils._internal._ansiballz import _loader
        from ansible.module_utils.common import warnings as core_warnings
        from ansible.module_utils.common.json import Direction, get_module_encoder
        from ansible.vars.clean import remove_internal_keys
    except ImportError:
        return None
    needed = (hasattr(basic, "_ANSIBLE_ARGS") and hasattr(basic, "_ANSIBLE_PROFILE")
              and hasattr(_loader, "_handle_exception")
              and isinstance(getattr(core_warnings, "_global_warnings", None), dict)
              and isinstance(getattr(core_warnings, "_global_deprecations", None), dict))
    if not needed:
        return None
    return {"basic": basic, "loader": _loader, "warnings": core_warnings, "encoder": get_module_encoder,
            "direction": Direction, "remove_internal_keys": remove_internal_keys}


@contextlib.contextmanager
def _environment(extra):
    """os.environ plus ``extra`` (the task's ``environment``), restored afterwards."""
    if not extra:
        yield
        return
    saved = dict(os.environ)
    try:
        for key, value in extra.items():
            os.environ[str(key)] = str(value)
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


@contextlib.contextmanager
def _module_globals(hooks, json_params):
    """Set the module arguments that AnsibleModule reads, and keep module-side warnings to this run."""
    basic, core_warnings = hooks["basic"], hooks["warnings"]
    saved_args = (basic._ANSIBLE_ARGS, basic._ANSIBLE_PROFILE)
    saved_warn = (dict(core_warnings._global_warnings), dict(core_warnings._global_deprecations))
    core_warnings._global_warnings.clear()
    core_warnings._global_deprecations.clear()
    basic._ANSIBLE_ARGS, basic._ANSIBLE_PROFILE = json_params, PROFILE
    try:
        yield
    finally:
        basic._ANSIBLE_ARGS, basic._ANSIBLE_PROFILE = saved_args
        core_warnings._global_warnings.clear()
        core_warnings._global_warnings.update(saved_warn[0])
        core_warnings._global_deprecations.clear()
        core_warnings._global_deprecations.update(saved_warn[1])


class InProcessAction(ActionBase):
    """Action plugin of every sso.oidc module: run in the worker when equivalent, else as usual."""

    _supports_check_mode = True
    _supports_async = True

    @property
    def module_import_name(self):
        """ansible_collections.sso.oidc.plugins.modules.<name> for plugins/action/<name>.py."""
        return self.__class__.__module__.replace(".plugins.action.", ".plugins.modules.")

    def run(self, tmp=None, task_vars=None):
        result = super(InProcessAction, self).run(tmp, task_vars)
        del tmp  # tmp no longer has any effect
        task_vars = task_vars if task_vars is not None else {}
        hooks = None
        reason = self.not_in_process(task_vars)
        if reason is None:
            hooks = _core_hooks()
            if hooks is None:
                reason = "this ansible-core has no hooks for it"
        if reason is not None:
            display.vvv("sso.oidc: %s runs as a module process: %s" % (self._task.action, reason),
                        host=self._play_context.remote_addr)
            return merge_hash(result, self._run_as_module(task_vars))
        display.vvv("sso.oidc: %s runs in the worker process (local connection, the controller's Python)"
                    % self._task.action, host=self._play_context.remote_addr)
        return merge_hash(result, self._run_in_process(task_vars, hooks))

    def not_in_process(self, task_vars):
        """None when running in this process is equivalent to a module process, else the reason why not."""
        switch = task_vars.get(SWITCH, True)
        try:
            switch = boolean(self._templar.template(switch), strict=True)
        except TypeError:
            return "%s must be a boolean" % SWITCH
        if not switch:
            return "%s is false" % SWITCH
        if not sys.platform.startswith("linux"):
            return "the controller is not Linux"
        if getattr(self._connection, "transport", None) != "local":
            return "the connection is not local"
        if self._play_context.become or getattr(self._connection, "become", None) is not None:
            return "become is set"
        if self._task.async_val:
            return "the task is async"
        interpreter = self._interpreter(task_vars)
        if not same_python(interpreter):
            return "the module's interpreter (%s) is not the controller's Python (%s)" % (
                interpreter or "not known yet", sys.executable)
        return None

    def _interpreter(self, task_vars):
        """The Python that Ansible would start for the module on this host, when known without discovery.

        As ansible-core decides it: ``interpreter_python`` (the variable ``ansible_python_interpreter``,
        ``ANSIBLE_PYTHON_INTERPRETER``, ansible.cfg), templated; when that asks for discovery, the host's
        discovered interpreter if discovery already ran."""
        use_vars = task_vars
        if self._task.delegate_to:
            use_vars = (task_vars.get("ansible_delegated_vars") or {}).get(self._task.delegate_to) or {}
        interpreter = C.config.get_config_value("INTERPRETER_PYTHON", variables=use_vars)
        if interpreter:
            interpreter = self._templar.template(interpreter)
        interpreter = str(interpreter).strip() if interpreter else ""
        if interpreter in DISCOVERY:
            interpreter = (use_vars.get("ansible_facts") or {}).get("discovered_interpreter_python")
        return str(interpreter) if interpreter else None

    def _run_as_module(self, task_vars):
        """What ansible.builtin.normal does: transfer the module, run it, clean up."""
        wrap_async = self._task.async_val and not self._connection.has_native_async
        data = self._execute_module(task_vars=task_vars, wrap_async=wrap_async)
        if not wrap_async:
            self._remove_tmp_path(self._connection._shell.tmpdir)
        return data

    def _run_in_process(self, task_vars, hooks):
        module_args = dict(self._task.args)
        self._update_module_args(self._task.action, module_args, task_vars)
        environment = {}
        self._compute_environment_string(environment)
        encoder = hooks["encoder"](PROFILE, hooks["direction"].CONTROLLER_TO_MODULE)
        json_params = json.dumps({"ANSIBLE_MODULE_ARGS": module_args}, cls=encoder).encode("utf-8")
        stdout = io.StringIO()
        rc = 0
        with _environment(environment), _module_globals(hooks, json_params), contextlib.redirect_stdout(stdout):
            try:
                try:
                    importlib.import_module(self.module_import_name).main()
                    raise RuntimeError("The module did not exit with a result.")
                except Exception as exc:  # pylint: disable=broad-exception-caught
                    # What the AnsiballZ wrapper does with an unhandled exception: a failed result, exit 1.
                    hooks["loader"]._handle_exception(exc, PROFILE)
            except SystemExit as exc:
                rc = exc.code if isinstance(exc.code, int) else 1
        data = self._parse_returned_data({"rc": rc, "stdout": stdout.getvalue(), "stderr": ""}, PROFILE)
        hooks["remove_internal_keys"](data)
        return data
