"""Run an sso.oidc module's logic inside Ansible's worker process when that changes nothing but speed (private).

Every sso.oidc module talks to an HTTP API. Run the usual way, each task (each loop item) writes an
AnsiballZ payload to a temporary directory and starts a new Python that imports
``ansible.module_utils.basic``, ``requests`` and the collection's module_utils again. That costs
far more than the module's own work. When the task runs on the controller itself, the worker
process that Ansible has already started for the task can do the module's work:

- the same code: each module exposes ``module_spec()`` (its argument spec and AnsibleModule options)
  and ``run(sm)`` (its work on an :class:`SsoModule`), which its own ``main()`` uses too;
- the same validation: :class:`ansible.module_utils.common.arg_spec.ArgumentSpecValidator` with the
  module's own spec objects (types, choices, defaults, fallbacks, ``no_log``, mutually exclusive and
  required options), and the same failure message for a refused or unknown option;
- the same result: ``invocation``, ``warnings``, ``failed``/``msg`` as ``AnsibleModule.exit_json`` and
  ``fail_json`` add them, every ``no_log`` value masked with
  :func:`ansible.module_utils.common.parameters.remove_values` the way a module masks its result,
  and a JSON round trip like a module's answer;
- the same Python (the interpreter Ansible would start for the module must be the one the controller
  runs on), the same user (no ``become``), the same environment (the task's ``environment`` keyword,
  computed by ActionBase, is applied around the call and restored afterwards).

Only public, stable ansible-core interfaces are used: ``ActionBase`` (``run``, ``_update_module_args``,
``_compute_environment_string``, ``_execute_module``, ``_remove_tmp_path``, the attributes ``_task``,
``_connection``, ``_play_context``, ``_templar``) as every action plugin uses them, ``ansible.constants``
config lookups, ``Display`` and module_utils' public functions. Nothing here depends on a particular
ansible-core release between 2.16 and 2.21.

Anything else (a remote connection, ``become``, ``async``, another interpreter, a platform other than
Linux, a module without ``module_spec``/``run``, or ``sso_oidc_in_process: false``) runs the module
the usual way. ``-vvv`` says which way a task ran and why.
"""

from __future__ import annotations

import contextlib
import copy
import importlib
import io
import json
import multiprocessing
import os
import sys
import traceback
from collections.abc import Mapping

from ansible import constants as C
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.module_utils.common.parameters import remove_values
from ansible.module_utils.errors import UnsupportedError
from ansible.module_utils.parsing.convert_bool import boolean
from ansible.plugins.action import ActionBase
from ansible.plugins.loader import module_loader
from ansible.utils.display import Display
from ansible.utils.vars import merge_hash

display = Display()

SWITCH = "sso_oidc_in_process"
#: this collection's Python package (ansible_collections.sso.oidc) and name (sso.oidc)
PACKAGE = ".".join(__name__.split(".")[:3])
COLLECTION = ".".join(__name__.split(".")[1:3])
DISCOVERY = ("", "auto", "auto_legacy", "auto_silent", "auto_legacy_silent")
INTERNAL = "_ansible_"


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


@contextlib.contextmanager
def environment(extra):
    """os.environ plus ``extra`` (the task's ``environment``), restored afterwards, also on an exception."""
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


def _leaves(value):
    """The strings of a value as ansible-core lists no_log values (its ``_return_datastructure_name``)."""
    if isinstance(value, (str, bytes)):
        if value:
            yield value.decode("utf-8", "surrogateescape") if isinstance(value, bytes) else value
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from _leaves(item)
    elif isinstance(value, (list, tuple, set, frozenset)):
        for item in value:
            yield from _leaves(item)
    elif value is None or isinstance(value, bool):
        return
    elif isinstance(value, (int, float)):
        yield str(value)


def no_log_values(argument_spec, params):
    """Every value of a ``no_log`` option in ``params``, nested options (dicts, lists of dicts) and aliases too.

    AnsibleModule masks the values it was given (before type conversion) and the validated ones
    (defaults, fallbacks); the runner calls this on both."""
    found = set()
    if not isinstance(params, Mapping):
        return found
    for name, opts in argument_spec.items():
        names = [name] + list(opts.get("aliases") or ())
        values = [params[n] for n in names if n in params]
        for value in values:
            if opts.get("no_log") and value:
                found.update(_leaves(value))
            sub = opts.get("options")
            if sub and value is not None:
                for element in (value if isinstance(value, list) else [value]):
                    found.update(no_log_values(sub, element))
    return found


class ModuleExit(BaseException):
    """How the worker adapter ends a run (the module process uses SystemExit): carries the result."""

    def __init__(self, result):
        super(ModuleExit, self).__init__("module exit")
        self.result = result


class WorkerAdapter(object):
    """What SsoModule needs from Ansible (params, check mode, diff, warn, exit/fail), in the worker.

    Built from the module's ``module_spec()`` and the module arguments that ActionBase prepared for a
    module process (the task's options plus ``_ansible_*`` settings from ``_update_module_args``)."""

    def __init__(self, module_args, argument_spec, supports_check_mode=False, mutually_exclusive=None,
                 required_together=None, required_one_of=None, required_if=None, required_by=None):
        params = dict((k, v) for k, v in module_args.items() if not str(k).startswith(INTERNAL))
        internal = dict((k, v) for k, v in module_args.items() if str(k).startswith(INTERNAL))
        self.name = internal.get("_ansible_module_name") or "module"
        self.check_mode = boolean(internal.get("_ansible_check_mode", False), strict=False)
        self.diff_mode = boolean(internal.get("_ansible_diff", False), strict=False)
        self.no_log = boolean(internal.get("_ansible_no_log", False), strict=False)
        # ansible-core 2.21 adds _ansible_inject_invocation (config INJECT_INVOCATION) and AnsibleModule
        # returns ``invocation`` only when it is true; 2.16 to 2.20 do not send it and always return it.
        self.inject_invocation = boolean(internal.get("_ansible_inject_invocation", True), strict=False)
        # ansible-core 2.19+ sends _ansible_tracebacks_for (the event kinds that carry a traceback);
        # 2.16 to 2.18 add a failure's traceback at -vvv or with debug on.
        tracebacks_for = internal.get("_ansible_tracebacks_for")
        if tracebacks_for is None:
            self.traceback_on_error = (int(internal.get("_ansible_verbosity") or 0) >= 3
                                       or boolean(internal.get("_ansible_debug", False), strict=False))
        else:
            self.traceback_on_error = "error" in tracebacks_for
        ignore_unknown = boolean(internal.get("_ansible_ignore_unknown_opts", False), strict=False)
        self.warnings = []

        # What AnsibleModule masks: the no_log values as given, plus those validation adds (fallbacks, defaults).
        self.no_log_values = no_log_values(argument_spec, params)
        validator = ArgumentSpecValidator(argument_spec, mutually_exclusive=mutually_exclusive,
                                          required_together=required_together, required_one_of=required_one_of,
                                          required_if=required_if, required_by=required_by)
        validation = validator.validate(params)
        self.params = copy.deepcopy(params)
        self.params.update(validation.validated_parameters)
        self.no_log_values.update(no_log_values(argument_spec, self.params))
        # AnsibleModule's validator warns when an option and one of its aliases are both set. It would also
        # report deprecated options and aliases; no sso.oidc option is deprecated (a unit test keeps it so).
        for option, opts in argument_spec.items():
            for alias in opts.get("aliases") or ():
                if alias in params and option in params:
                    self.warn("Both option %s and its alias %s are set." % (option, alias))

        errors = validation.errors
        error = errors[0] if len(errors.errors) else None
        if isinstance(error, UnsupportedError) and ignore_unknown:
            error = None
        if error is not None:
            msg = errors.msg
            if isinstance(error, UnsupportedError):
                msg = "Unsupported parameters for (%s) module: %s" % (self.name, msg)
            self.fail_json(msg)
        if self.check_mode and not supports_check_mode:
            self.exit_json(skipped=True, msg="remote module (%s) does not support check mode" % self.name)

    def warn(self, message):
        self.warnings.append(str(message))

    def exit_json(self, **result):
        self._finish(result)

    def fail_json(self, msg, **result):
        result["failed"] = True
        result["msg"] = msg
        if "exception" not in result and self.traceback_on_error and sys.exc_info()[2] is not None:
            result["exception"] = "".join(traceback.format_tb(sys.exc_info()[2]))
        self._finish(result)

    def _finish(self, result):
        """What AnsibleModule._return_formatted does before it prints the result, then end the run."""
        if self.inject_invocation:
            result.setdefault("invocation", {"module_args": self.params})
        else:
            result.pop("invocation", None)
        if self.warnings:
            result["warnings"] = list(self.warnings)
        preserved = dict((k, v) for k, v in result.items() if v is None or isinstance(v, bool))
        result = remove_values(result, self.no_log_values)
        result.update(preserved)
        # A module's result reaches the controller as JSON: the same types here (tuples become lists ...).
        raise ModuleExit(as_json(result))


def _plain(value):
    """How a non-JSON value reaches a module process as JSON: bytes as text, anything else as its string."""
    if isinstance(value, bytes):
        return value.decode("utf-8", "surrogateescape")
    return str(value)


def as_json(data):
    """``data`` as a module process receives it: plain JSON types (no unsafe or tagged subclasses, lists not tuples)."""
    return json.loads(json.dumps(data, default=_plain))


def run_in_worker(module, module_args, sso_module):
    """Run ``module`` (its ``module_spec()`` and ``run(sm)``) with ``module_args``; return its result dict."""
    spec = module.module_spec()
    spec.setdefault("supports_check_mode", True)
    adapter = None
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            adapter = WorkerAdapter(module_args, **spec)
            sso_module(adapter=adapter, **spec).run(module.run)
        raise RuntimeError("The module's run() returned without a result.")
    except ModuleExit as done:
        return done.result
    except Exception as exc:  # pylint: disable=broad-exception-caught
        # A module process would answer MODULE FAILURE with its traceback: a failed result, masked all the same.
        masked = adapter.no_log_values if adapter is not None else set()
        return remove_values({"failed": True, "msg": "MODULE FAILURE: %s: %s" % (type(exc).__name__, exc),
                              "exception": traceback.format_exc()}, masked)


def preload_modules():
    """Import the code of every sso.oidc module in Ansible's main process; in any other process, do nothing.

    Ansible forks a worker process for every task and host. A module imported in the main process is
    inherited by every worker forked after it, instead of being imported by each of them (about 90 ms of CPU
    per task for a Checkmarx module, docs/performance.md). The main process loads an action plugin only
    by the task's action name (the strategies' ``action_loader.get(task.action, class_only=True)``), so
    it loads the one action plugin file for the module it is named after, ``oidc_discovery_info``, which
    the rollout role runs first; that file calls this. In a worker (a ``multiprocessing`` child, the
    public way to tell) only the task's own module is imported, when the task runs.
    """
    if multiprocessing.current_process().name != "MainProcess":
        return
    directory = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "modules")
    try:
        names = sorted(n[:-3] for n in os.listdir(directory) if n.endswith(".py") and not n.startswith("_"))
    except OSError:  # pragma: no cover - a collection without its modules directory
        return
    # The rollout role's filters too: its tasks template with them in a worker each.
    for name in ["modules.%s" % n for n in names] + ["filter.rollout"]:
        try:
            importlib.import_module("%s.plugins.%s" % (PACKAGE, name))
        except Exception as exc:  # pylint: disable=broad-exception-caught
            # Not fatal: the task imports the module itself and reports what is missing.
            display.vvvv("sso.oidc: %s not imported in the main process (%s: %s)" % (name, type(exc).__name__, exc))


class InProcessAction(ActionBase):
    """Action plugin of every sso.oidc module: run in the worker when equivalent, else as usual.

    ``plugins/action/oidc_discovery_info.py`` is every module's ``action_plugin`` (``meta/runtime.yml``). Ansible
    loads it in the worker process of each task. Its main process looks up an action plugin by the task's
    action name only (the strategies' ``action_loader.get(task.action, class_only=True)``, 2.16 to 2.21), which
    finds the file only for an ``oidc_discovery_info`` task: then :func:`preload_modules` imports every module
    there, and the workers forked after it inherit them. Otherwise the task's module, ``requests`` and the
    module_utils are imported in each task's worker (docs/performance.md has the cost)."""

    _supports_check_mode = True
    _supports_async = True

    def module_fqcn(self):
        """The module this task runs, by its FQCN (``sso.oidc.cx_oidc_client``), or None when it does not resolve.

        Every module's action is routed here, so the task's action is resolved as a module, the way
        ActionBase finds the module it sends (the task's ``action`` and ``collections``). The task's
        ``resolved_action`` names the action plugin on 2.16 to 2.18 and the module on 2.19 to 2.21."""
        context = module_loader.find_plugin_with_context(self._task.action, collection_list=self._task.collections)
        return context.resolved_fqcn if context.resolved else None

    @property
    def module_import_name(self):
        """ansible_collections.sso.oidc.plugins.modules.<name> for the module sso.oidc.<name>, else None."""
        fqcn = self.module_fqcn()
        if not fqcn or not fqcn.startswith(COLLECTION + "."):
            return None
        return "%s.plugins.modules.%s" % (PACKAGE, fqcn[len(COLLECTION) + 1:])

    def run(self, tmp=None, task_vars=None):
        result = super(InProcessAction, self).run(tmp, task_vars)
        del tmp  # tmp no longer has any effect
        task_vars = task_vars if task_vars is not None else {}
        module = None
        reason = self.not_in_process(task_vars)
        if reason is None:
            module, reason = self._entry_point()
        if reason is not None:
            display.vvv("sso.oidc: %s runs as a module process: %s" % (self._task.action, reason),
                        host=self._play_context.remote_addr)
            return merge_hash(result, self._run_as_module(task_vars))
        display.vvv("sso.oidc: %s runs in the worker process (local connection, the controller's Python)"
                    % self._task.action, host=self._play_context.remote_addr)
        return merge_hash(result, self._run_in_worker(module, task_vars))

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

    def _entry_point(self):
        """(the module's Python module, None), or (None, why it cannot run here)."""
        try:
            name = self.module_import_name
            if name is None:
                return None, "%s is not a module of %s" % (self._task.action, COLLECTION)
            module = importlib.import_module(name)
        except Exception as exc:  # pylint: disable=broad-exception-caught
            return None, "the module cannot be imported on the controller (%s: %s)" % (type(exc).__name__, exc)
        if not (callable(getattr(module, "module_spec", None)) and callable(getattr(module, "run", None))):
            return None, "the module has no module_spec()/run() entry point"
        return module, None

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

    def _run_in_worker(self, module, task_vars):
        """The module's work in this process, with the arguments and environment a module process gets."""
        from ansible_collections.sso.oidc.plugins.module_utils._module import SsoModule

        module_args = dict(self._task.args)
        # The same _ansible_* settings (check mode, diff, verbosity, module name ...) a module process gets.
        # (module_name, module_args, task_vars) on 2.16 to 2.21; 2.19+ add an optional ignore_unknown_opts.
        self._update_module_args(self._task.action, module_args, task_vars)
        env = {}
        # Fills ``env`` with the task's templated ``environment`` keyword (2.16 to 2.21: same signature).
        self._compute_environment_string(env)
        with environment(env):
            # The module process gets its arguments as JSON: the same plain values here.
            return run_in_worker(module, as_json(module_args), SsoModule)
