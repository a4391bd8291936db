# -*- coding: utf-8 -*-
# Copyright (c) sso.oidc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Ansible glue shared by every sso.oidc module (private).

Builds the AnsibleModule, collects every ``no_log`` value into one scrubber,
turns errors into clean failures, and drives the reconcile engine for
single-resource, resource-set and info modules.

Every module file is its documentation plus the same lines::

    from ansible_collections.sso.oidc.plugins.module_utils._<service>_resource import SINGLE as MODULE

    module_spec = MODULE.module_spec
    run = MODULE.run

    def main():
        MODULE.main()

where ``MODULE`` is a :class:`ModuleDef` the service's resource file builds with
:func:`single_module`, :func:`set_module` or :func:`info_module`.
"""

from __future__ import annotations

import copy
import traceback

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.sso.oidc.plugins.module_utils._env import ca_file_fallback, env_fallback
from ansible_collections.sso.oidc.plugins.module_utils._http import (
    REQUESTS_IMPORT_ERROR, ApiError, Scrubber, requests,
)
from ansible_collections.sso.oidc.plugins.module_utils._reconcile import (
    STATE_OF, STATES, Engine, InputError, ItemFailure, Task, masked_diff,
)


def tls_options(validate_certs_env=None, ca_path_env=None, timeout_env=None):
    """validate_certs, ca_path and timeout, with optional environment fallbacks."""
    spec = {
        "validate_certs": {"type": "bool", "default": True},
        "ca_path": {"type": "path"},
        "timeout": {"type": "int", "default": 30},
    }
    if validate_certs_env:
        spec["validate_certs"]["fallback"] = (env_fallback, list(validate_certs_env))
    if ca_path_env:
        spec["ca_path"]["fallback"] = (ca_file_fallback, list(ca_path_env))
    if timeout_env:
        spec["timeout"]["fallback"] = (env_fallback, list(timeout_env))
    return spec


def single_spec(connection, resource, absent=True):
    """Argument spec of a single-resource module."""
    spec = copy.deepcopy(connection)
    spec.update(copy.deepcopy(resource))
    spec["state"] = {"type": "str", "default": "present", "choices": ["present", "absent"] if absent else ["present"]}
    return spec


def set_spec(connection, resource, states=None, update_secret=True, protected=True):
    """Argument spec of a resource-set module: ``config`` is a list of single-module entries.
    ``protected`` is left out for a resource the API cannot delete."""
    spec = copy.deepcopy(connection)
    entry = copy.deepcopy(resource)
    entry.pop("update_secret", None)
    spec["config"] = {"type": "list", "elements": "dict", "default": [], "options": entry}
    spec["state"] = {"type": "str", "default": "merged", "choices": list(states or STATES)}
    if protected:
        spec["protected"] = {"type": "list", "elements": "str", "default": []}
    if update_secret:
        spec["update_secret"] = {"type": "str", "default": "on_create", "choices": ["on_create", "always"], "no_log": False}
    return spec


def _collect_secrets(spec, params, out):
    if not isinstance(params, dict):
        return
    for name, opt in spec.items():
        value = params.get(name)
        if value is None:
            continue
        if opt.get("no_log"):
            if isinstance(value, (list, tuple)):
                out.extend(str(v) for v in value if v is not None)
            elif isinstance(value, dict):
                out.extend(str(v) for v in value.values() if v is not None)
            else:
                out.append(str(value))
        sub = opt.get("options")
        if sub:
            if isinstance(value, list):
                for element in value:
                    _collect_secrets(sub, element, out)
            else:
                _collect_secrets(sub, value, out)


class ModuleAdapter(object):
    """What :class:`SsoModule` needs from Ansible, in a module process: an ``AnsibleModule``.

    The controller-side runner (plugins/plugin_utils/_in_process.py) offers the same surface in
    Ansible's worker process: ``params``, ``check_mode``, ``diff_mode``, ``warn()``, ``exit_json()``
    and ``fail_json()`` (both end the run: here with ``SystemExit``, there with its own exception), and
    ``no_log`` (the task's ``no_log``).
    """

    def __init__(self, argument_spec, **kwargs):
        self.module = AnsibleModule(argument_spec=argument_spec, **kwargs)
        self.params = self.module.params
        self.check_mode = self.module.check_mode
        # AnsibleModule's diff flag: the attribute every ansible-core 2.16 to 2.21 sets from _ansible_diff.
        self.diff_mode = self.module._diff
        # The task's no_log (_ansible_no_log), a public attribute of AnsibleModule on every ansible-core 2.16 to 2.21.
        self.no_log = bool(self.module.no_log)

    def warn(self, message):
        self.module.warn(message)

    def exit_json(self, **result):
        self.module.exit_json(**result)

    def fail_json(self, msg, **result):
        self.module.fail_json(msg=msg, **result)


class SsoModule(object):
    """The module's side of Ansible (an adapter) plus the scrubber of every secret it was given.

    ``SsoModule(spec, **kwargs)`` in a module process builds an AnsibleModule; the controller-side
    runner passes ``adapter=`` (its own, already validated) instead.
    """

    def __init__(self, argument_spec, adapter=None, **kwargs):
        kwargs.setdefault("supports_check_mode", True)
        self.argument_spec = argument_spec
        self.adapter = adapter if adapter is not None else ModuleAdapter(argument_spec, **kwargs)
        self.module = self.adapter  # exit_json/fail_json/warn without the scrubber, for a result that must carry a secret
        if requests is None:
            self.adapter.fail_json(msg=missing_required_lib("requests"), exception=REQUESTS_IMPORT_ERROR)
        self.params = self.adapter.params
        self.check_mode = self.adapter.check_mode
        self.diff_mode = self.adapter.diff_mode
        found = []
        _collect_secrets(argument_spec, self.params, found)
        self.scrub = Scrubber(found)
        self.clients = []
        self._warned = []

    def warn(self, message):
        """Warn once per message (a repeated warning is dropped the same way on every ansible-core)."""
        message = self.scrub(message)
        if message in self._warned:
            return
        self._warned.append(message)
        self.adapter.warn(message)

    def add_secret(self, value):
        self.scrub.add(value)

    def _censorable(self, result):
        """``result`` with, when the task has ``no_log``, each item of ``results`` marked ``_ansible_no_log``.

        ansible-core 2.19 and later take a ``results`` list for a loop's results: under ``no_log`` they hide
        the task's result but keep ``results`` and hide only the items that carry ``_ansible_no_log`` (2.16 to
        2.18 hide it all). A set module's ``results`` is its own, so without the mark a ``no_log`` task
        would still show every item (secrets masked) in the output and in AWX job events.
        """
        if getattr(self.adapter, "no_log", False) and isinstance(result.get("results"), list):
            result["results"] = [dict(item, _ansible_no_log=True) if isinstance(item, dict) else item
                                 for item in result["results"]]
        return result

    def exit(self, **result):
        self._close()
        self.adapter.exit_json(**self._censorable(self.scrub.scrub_data(result)))

    def exit_with_secret(self, name, value, **result):
        """End the run with ``result`` scrubbed like every result, plus the one secret ``value`` under ``name``.

        For a module whose purpose is to return a secret (``cx_token``); its documentation tells users
        to set ``no_log: true`` on the task that registers it.
        """
        self._close()
        result = self.scrub.scrub_data(result)
        if value is not None:
            result[name] = value
        self.adapter.exit_json(**result)

    def fail(self, msg, **result):
        self._close()
        self.adapter.fail_json(self.scrub(msg), **self._censorable(self.scrub.scrub_data(result)))

    def _close(self):
        for closer in list(self.clients):
            try:
                closer()
            except Exception:  # pragma: no cover - closing must never fail a task
                pass
        self.clients = []

    def on_close(self, fn):
        self.clients.append(fn)

    def api_calls(self):
        calls = {}
        for client in getattr(self, "api_clients", []):
            for method, count in client.counts.items():
                calls[method] = calls.get(method, 0) + count
        return calls

    def register_client(self, client):
        if not hasattr(self, "api_clients"):
            self.api_clients = []
        self.api_clients.append(client)
        return client

    def run(self, fn):
        """Run ``fn(self)``; every error becomes a clean, scrubbed failure."""
        try:
            fn(self)
        except (InputError, ItemFailure) as exc:
            self.fail(str(exc))
        except ApiError as exc:
            self.fail(str(exc), status=exc.status, error_code=exc.error_code, api_calls=self.api_calls())
        except Exception as exc:  # never a bare traceback as the user-facing message
            self.fail("Unexpected error (%s): %s. This is a bug in sso.oidc; please report it with the task."
                      % (type(exc).__name__, exc), exception=self.scrub(traceback.format_exc()))


def _item_msg(resource, out, check_mode):
    would = "would be " if check_mode else ""
    label = "%s %r" % (resource.kind, out.key)
    if out.failed:
        return "%s failed: %s" % (label, out.msg)
    if out.action == "unchanged":
        return out.msg or "%s is unchanged" % label
    if out.action == "updated":
        return "%s %supdated (%s)" % (label, would, ", ".join(out.changed_fields))
    if out.action == "recreated":
        return "%s %sdeleted and created again (%s)" % (label, would, ", ".join(out.changed_fields))
    return "%s %s%s" % (label, would, out.action)


def task_of(sm, resource, state, entries, protected=(), recreate=False):
    """The engine's :class:`Task` for this module run."""
    params = sm.params
    return Task(state=state, entries=entries, check_mode=sm.check_mode, diff_mode=sm.diff_mode,
                update_secret=params.get("update_secret") or "on_create", protected=protected, recreate=recreate,
                options=dict((name, params.get(name)) for name in resource.task_options),
                warn=sm.warn, add_secret=sm.add_secret)


def run_single(sm, resource, entry):
    """Drive a single-resource module: the engine with a list of one."""
    task = task_of(sm, resource, STATE_OF[sm.params.get("state") or "present"], [entry],
                   recreate=bool(sm.params.get("recreate")))
    engine = Engine(resource, task)
    engine.validate()
    outcomes, _existing = engine.run()
    out = outcomes[0]
    result = {
        "changed": out.changed,
        "msg": _item_msg(resource, out, sm.check_mode),
        "action": out.action,
        "changed_fields": out.changed_fields,
        "existing": resource.mask(out.existing) or {},
        "proposed": out.proposed or {},
        "end_state": resource.mask(out.end_state) or {},
        "api_calls": sm.api_calls(),
    }
    if sm.diff_mode:
        result["diff"] = masked_diff(resource, out.existing, out.end_state)
    if out.failed:
        sm.fail(result.pop("msg"), **result)
    sm.exit(**result)


def run_set(sm, resource):
    """Drive a resource-set module (merged, replaced, overridden, deleted, gathered)."""
    params = sm.params
    task = task_of(sm, resource, params["state"], params.get("config") or [],
                   protected=params.get("protected") or ())
    engine = Engine(resource, task)
    engine.validate(set_module=True)
    outcomes, existing = engine.run()
    if task.state == "gathered":
        sm.exit(changed=False, gathered=[resource.mask(i["canon"]) for i in existing],
                results=[], msg="%d %s(s) gathered" % (len(existing), resource.kind), api_calls=sm.api_calls())
        return
    results = []
    before, after = {}, {}
    for out in outcomes:
        entry = {"key": out.key, "action": out.action, "changed": out.changed,
                 "msg": _item_msg(resource, out, sm.check_mode)}
        if out.changed_fields:
            entry["changed_fields"] = out.changed_fields
        if out.proposed:
            entry["proposed"] = out.proposed
        if out.action != "deleted" and out.end_state is not None:
            entry["end_state"] = resource.mask(out.end_state)
        results.append(entry)
        if out.changed:
            d = masked_diff(resource, out.existing, out.end_state)
            before[str(out.key)] = d["before"]
            after[str(out.key)] = d["after"]
    changed = any(o.changed for o in outcomes)
    counts = {}
    for out in outcomes:
        counts[out.action] = counts.get(out.action, 0) + 1
    summary = ", ".join("%d %s" % (n, a) for a, n in sorted(counts.items())) or "nothing to do"
    result = {"changed": changed, "results": results, "api_calls": sm.api_calls(),
              "msg": "%s: %s%s" % (resource.kind + "s", "(check mode) " if sm.check_mode else "", summary)}
    if sm.diff_mode:
        result["diff"] = {"before": before, "after": after}
    failed = [o for o in outcomes if o.failed]
    if failed:
        result.pop("msg")
        sm.fail("%d of %d %s(s) failed: %s" % (len(failed), len(outcomes), resource.kind,
                                               "; ".join("%s: %s" % (o.key, o.msg) for o in failed)),
                failed_keys=[o.key for o in failed], **result)
    sm.exit(**result)


class ModuleDef(object):
    """One module: its argument spec and its work, in the shape every module file uses.

    ``module_spec()`` gives the argument spec and AnsibleModule options (the controller-side runner
    validates a task with them too), ``run(sm)`` does the work given an :class:`SsoModule` (in a
    module process or in Ansible's worker process), ``main()`` runs it as a module process.
    """

    def __init__(self, argument_spec, work, **module_kwargs):
        self._argument_spec = argument_spec
        self._work = work
        self._kwargs = module_kwargs

    def module_spec(self):
        spec = dict(argument_spec=self._argument_spec())
        spec.update(copy.deepcopy(self._kwargs))
        return spec

    def run(self, sm):
        self._work(sm)

    def main(self):
        SsoModule(**self.module_spec()).run(self.run)


def entry_of(params, resource_options):
    """The resource options of a single module's parameters: the entry the engine reconciles."""
    return dict((name, params.get(name)) for name in resource_options if name not in ("update_secret", "state"))


def single_module(connection_options, resource_options, connect, resource_class, absent=True, extra_options=None,
                  **module_kwargs):
    """A single-resource module: ``connect(sm)`` gives the connection, ``resource_class(conn)`` the resource.
    ``extra_options()`` adds options outside the entry (the resource's task options, such as ``stored_secrets``)."""
    def spec():
        out = single_spec(connection_options(), resource_options(), absent=absent)
        out.update(copy.deepcopy(extra_options() if extra_options else {}))
        return out

    def work(sm):
        resource = resource_class(connect(sm))
        run_single(sm, resource, entry_of(sm.params, resource_options()))
    return ModuleDef(spec, work, **module_kwargs)


def set_module(connection_options, resource_options, connect, resource_class, states=None, update_secret=True,
               protected=True, extra_options=None, **module_kwargs):
    """A resource-set module (``config``, ``state``, ``protected``, ``update_secret``)."""
    def spec():
        out = set_spec(connection_options(), resource_options(), states=states, update_secret=update_secret,
                       protected=protected)
        out.update(copy.deepcopy(extra_options() if extra_options else {}))
        return out

    def work(sm):
        run_set(sm, resource_class(connect(sm)))
    return ModuleDef(spec, work, **module_kwargs)


def info_module(argument_spec, work, **module_kwargs):
    """An info (or other read-only) module: ``work(sm)`` ends the run with ``sm.exit``."""
    return ModuleDef(argument_spec, work, **module_kwargs)
